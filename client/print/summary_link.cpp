// The one-line summary of ARP and of IEEE 802.3 frames with their LLC header.
#include "print/field_text.hpp"
#include "print/summary_parts.hpp"

namespace tapd::print {

using namespace wire;

void summary::arp(TextBuffer& o, const Decoded& d) {
    const ArpPacket& a = d.arp;
    size_t len = d.frame.size() - d.l3_offset;
    o.append("ARP, ");
    if (!a.is_ethernet_ipv4()) {
        o.append("hardware type ");
        o.dec(a.htype());
        o.append(", protocol ");
        o.hex(a.ptype(), 4);
    } else if (a.oper() == arp::kOpRequest) {
        o.append("Request who-has ");
        put_address(o, Ipv4Address::from(a.tpa()));
        MacAddress tha = MacAddress::from(a.tha());
        if (tha != MacAddress{}) {
            o.append(" (");
            put_address(o, tha);
            o.put(')');
        }
        o.append(" tell ");
        put_address(o, Ipv4Address::from(a.spa()));
    } else if (a.oper() == arp::kOpReply) {
        o.append("Reply ");
        put_address(o, Ipv4Address::from(a.spa()));
        o.append(" is-at ");
        put_address(o, MacAddress::from(a.sha()));
    } else {
        o.append("op ");
        o.dec(a.oper());
    }
    o.append(", length ");
    o.dec(len);
}

// "802.3, length 38" and the LLC header: "802.3, length 38: LLC, dsap 0x42, ssap 0x42, ctrl
// 0x0003" (tcpdump decodes what LLC carries, STP and others; tapd::wire stops at LLC).
void summary::ieee8023(TextBuffer& o, const Decoded& d) {
    o.append("802.3, length ");
    o.dec(d.ethertype);
    if (!d.has(kHasLlc)) return;
    const LlcHeader& l = d.llc;
    o.append(": LLC, dsap ");
    o.hex(l.dsap(), 2);
    o.append(", ssap ");
    o.hex(l.ssap(), 2);
    o.append(", ctrl ");
    o.hex(l.control(), 4);
    if (l.is_snap()) {
        o.append(", SNAP oui ");
        o.hex(l.snap_oui(), 6);
        o.append(", pid ");
        o.hex(l.snap_pid(), 4);
    }
}

}  // namespace tapd::print
