// write_summary(): the network layer's part by EtherType, the upper layer's by protocol, and the
// error suffix of a malformed frame.
#include "print/summary.hpp"

#include "print/field_text.hpp"
#include "print/summary_parts.hpp"

namespace tapd::print {

using namespace wire;

namespace {

void error_suffix(TextBuffer& o, const Decoded& d) {
    if (!d.has_error) return;
    o.append(" [|");
    o.append(ErrorText(d.error).view());
    o.put(']');
}

}  // namespace

void summary::transport(TextBuffer& o, const Decoded& d) {
    if (d.has(kHasTcp)) return summary::tcp(o, d);
    if (d.has(kHasUdp)) return summary::udp(o, d);
    if (d.has(kHasIcmp)) return summary::icmp(o, d);
    if (d.has(kHasIcmpv6)) return summary::icmpv6(o, d);
    // The upper layer failed its check: name it; the error suffix says why.
    if (d.has_error && d.error.offset >= d.l4_offset && d.l4_offset) {
        o.append(to_string(d.error.layer));
        return;
    }
    // tcpdump's ip_demux default case prints two spaces before ip-proto.
    o.append(" ip-proto-");
    o.dec(d.l4_proto);
    o.put(' ');
    o.dec(d.l4_declared_len());
}

void write_summary(TextBuffer& o, const Decoded& d) {
    if (!d.has(kHasEth)) {
        o.append("[|eth]");
        error_suffix(o, d);
        return;
    }
    if (d.has(kHasIpv4)) {
        summary::ipv4(o, d);
    } else if (d.has(kHasIpv6)) {
        summary::ipv6(o, d);
    } else if (d.has(kHasArp)) {
        summary::arp(o, d);
    } else if (d.has(kHasIeee8023)) {
        summary::ieee8023(o, d);
    } else if (d.ethertype == ethertype::kIpv4) {
        o.append("IP");
    } else if (d.ethertype == ethertype::kIpv6) {
        o.append("IP6");
    } else if (d.ethertype == ethertype::kArp) {
        o.append("ARP");
    } else if (d.has_error && d.error.layer == Layer::Vlan) {
        o.append("vlan");
    } else {
        o.append("ethertype ");
        o.hex(d.ethertype, 4);
        o.append(", length ");
        o.dec(d.frame.size() - d.l3_offset);
    }
    error_suffix(o, d);
}

void write_summary_line(TextBuffer& o, TimeFormatter& tf, const Decoded& d, const FrameMeta& m) {
    tf.write(o, m.ts_sec, m.ts_nsec, m.nanosecond);
    o.put(' ');
    write_summary(o, d);
    o.put('\n');
}

}  // namespace tapd::print
