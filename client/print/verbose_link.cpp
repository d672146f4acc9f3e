// The verbose dump's link-layer blocks: Ethernet and its VLAN tags, the 802.2 LLC header, ARP.
#include "print/names.hpp"
#include "print/verbose_lines.hpp"
#include "print/verbose_parts.hpp"

namespace tapd::print::verbose {

using namespace wire;

namespace {

// The field after the addresses or a tag: a type, or (last: the one before the payload) an
// 802.3 length; untagged, 1501-1535 is neither (after a tag Wireshark reads it as a type).
void type_line(TextBuffer& o, const Decoded& d, uint16_t v, bool last) {
    if (last && d.has(kHasIeee8023))
        line_dec(o, "Length", v);
    else if (last && d.vlan_count == 0 && v < ethertype::kMinType && v > ieee8023::kMaxLength)
        line_named(o, "Protocol", v, 4, "invalid length/type");
    else
        line_named(o, "Protocol", v, 4, ethertype_name(v));
}

}  // namespace

void ethernet(TextBuffer& o, const Decoded& d, Bytes& rest) {
    if (d.has(kHasEth)) {
        o.append("Ethernet Header\n");
        line_addr(o, "Destination Address", d.eth.dst());
        line_addr(o, "Source Address", d.eth.src());
        type_line(o, d, d.eth.ethertype(), d.vlan_count == 0);
        rest = d.eth.payload();
    }
    for (size_t i = 0; i < d.vlan_count; ++i) {
        const VlanTag& t = d.vlans[i];
        o.append(d.vlan_tpids[i] == ethertype::kVlan ? "VLAN Tag (802.1Q)\n"
                                                     : "VLAN Tag (802.1ad S-tag)\n");
        line_dec(o, "Priority", t.pcp());
        line_dec(o, "Drop Eligible", t.dei());
        line_dec(o, "VLAN ID", t.vid());
        type_line(o, d, t.ethertype(), i + 1 == d.vlan_count);
        rest = t.payload();
    }
}

void llc(TextBuffer& o, const Decoded& d, Bytes& rest) {
    if (!d.has(kHasLlc)) return;
    const LlcHeader& l = d.llc;
    o.append("LLC Header (802.2)\n");
    line_hex(o, "DSAP", l.dsap(), 2);
    line_hex(o, "SSAP", l.ssap(), 2);
    line_hex(o, "Control", l.control(), l.control_len() * 2);
    if (l.is_snap()) {
        line_hex(o, "SNAP OUI", l.snap_oui(), 6);
        line_hex(o, "SNAP Protocol ID", l.snap_pid(), 4);
    }
    rest = l.payload();
}

void arp(TextBuffer& o, const Decoded& d, Bytes& rest) {
    if (!d.has(kHasArp)) return;
    const ArpPacket& a = d.arp;
    o.append("ARP Header\n");
    line_dec(o, "Hardware Type", a.htype());
    line_hex(o, "Protocol Type", a.ptype(), 4);
    line_dec(o, "Hardware Size", a.hlen());
    line_dec(o, "Protocol Size", a.plen());
    line_named(o, "Opcode", a.oper(), 0,
               a.oper() == arp::kOpRequest ? "request"
               : a.oper() == arp::kOpReply ? "reply"
                                           : "other");
    if (a.is_ethernet_ipv4()) {
        line_addr(o, "Sender MAC", MacAddress::from(a.sha()));
        line_addr(o, "Sender IP", Ipv4Address::from(a.spa()));
        line_addr(o, "Target MAC", MacAddress::from(a.tha()));
        line_addr(o, "Target IP", Ipv4Address::from(a.tpa()));
    }
    rest = a.bytes_after();
}

}  // namespace tapd::print::verbose
