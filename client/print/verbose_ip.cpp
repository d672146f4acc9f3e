// The verbose dump's network-layer blocks: the IPv4 header, the IPv6 header and its extension
// headers.
#include <algorithm>

#include "print/names.hpp"
#include "print/verbose_lines.hpp"
#include "print/verbose_parts.hpp"

namespace tapd::print::verbose {

using namespace wire;

namespace {

// "N (M bytes)" of a fragment offset in 8-byte units.
void fragment_offset(TextBuffer& o, uint16_t units) {
    label(o, "Fragment Offset");
    o.dec(units);
    o.append(" (");
    o.dec(units * 8u);
    o.append(" bytes)\n");
}

void extension_header(TextBuffer& o, const Ipv6ExtHeader& h) {
    o.append("IPv6 Extension Header (");
    o.append(proto_name(h.type()));
    o.append(")\n");
    line_named(o, "Next Header", h.next_header(), 0, proto_name(h.next_header()));
    line_dec(o, "Length", h.len());
    if (h.type() == ipproto::kFragment) {
        fragment_offset(o, h.frag_offset());
        line_dec(o, "More Fragments", h.more_frags());
        line_dec_hex(o, "Identification", h.frag_ident(), 8);
    } else if (h.type() == ipproto::kRouting) {
        line_dec(o, "Routing Type", h.routing_type());
        line_dec(o, "Segments Left", h.segments_left());
    }
}

}  // namespace

void ipv4(TextBuffer& o, const Decoded& d, Bytes& rest) {
    if (!d.has(kHasIpv4)) return;
    const Ipv4Packet& ip = d.ipv4;
    o.append("IP Header\n");
    line_dec(o, "IP Version", ip.version());
    label(o, "IP Header Length");
    o.dec(ip.header_len() / 4);
    o.append(" DWORDS or ");
    o.dec(ip.header_len());
    o.append(" Bytes\n");
    label(o, "Type Of Service");
    o.hex(static_cast<uint8_t>(ip.dscp() << 2 | ip.ecn()), 2);
    o.append(" (DSCP ");
    o.dec(ip.dscp());
    o.append(", ECN ");
    o.dec(ip.ecn());
    o.append(")\n");
    label(o, "IP Total Length");
    o.dec(ip.total_len());
    o.append(" Bytes (Size of Packet)\n");
    line_dec_hex(o, "Identification", ip.ident(), 4);
    label(o, "Flags");
    o.append(ip.reserved_flag() ? "RB " : "");
    o.append(ip.dont_frag() ? "DF " : "");
    o.append(ip.more_frags() ? "MF " : "");
    o.append(ip.flags() ? "\n" : "none\n");
    fragment_offset(o, ip.frag_offset());
    line_dec(o, "TTL", ip.ttl());
    line_named(o, "Protocol", ip.proto(), 0, proto_name(ip.proto()));
    line_checksum(o, ip.checksum(), d.ip_checksum);
    line_addr(o, "Source IP", ip.src());
    line_addr(o, "Destination IP", ip.dst());
    if (!ip.options().empty()) {
        label(o, "Options");
        o.dec(ip.options().size());
        o.append(" bytes\n");
    }
    rest = ip.payload();
}

void ipv6(TextBuffer& o, const Decoded& d, Bytes& rest) {
    if (!d.has(kHasIpv6)) return;
    const Ipv6Packet& ip = d.ipv6;
    o.append("IPv6 Header\n");
    line_dec(o, "IP Version", ip.version());
    line_hex(o, "Traffic Class", ip.traffic_class(), 2);
    line_hex(o, "Flow Label", ip.flow_label(), 5);
    line_dec(o, "Payload Length", ip.payload_len());
    line_named(o, "Next Header", ip.next_header(), 0, proto_name(ip.next_header()));
    line_dec(o, "Hop Limit", ip.hop_limit());
    line_addr(o, "Source IP", ip.src());
    line_addr(o, "Destination IP", ip.dst());
    const Ipv6Chain& ch = d.ipv6_chain;
    for (size_t i = 0; i < ch.count; ++i) extension_header(o, ch.headers[i]);
    rest = ip.payload().subspan(std::min<size_t>(ch.upper_offset, ip.payload().size()));
}

}  // namespace tapd::print::verbose
