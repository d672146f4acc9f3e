// The one-line summary of IPv4 and IPv6 packets: addresses, ports, IPv6 extension headers and
// fragments, then the upper layer.
#include "print/field_text.hpp"
#include "print/summary_parts.hpp"

namespace tapd::print {

using namespace wire;

namespace {

uint16_t src_port(const Decoded& d) {
    return d.has(kHasTcp) ? d.tcp.src_port() : d.udp.src_port();
}
uint16_t dst_port(const Decoded& d) {
    return d.has(kHasTcp) ? d.tcp.dst_port() : d.udp.dst_port();
}

// "src > dst: ", with ".port" after each address when with_ports (TCP or UDP).
template <class Address>
void endpoints(TextBuffer& o, const Decoded& d, const Address& src, const Address& dst,
               bool with_ports) {
    put_address(o, src);
    if (with_ports) {
        o.put('.');
        o.dec(src_port(d));
    }
    o.append(" > ");
    put_address(o, dst);
    if (with_ports) {
        o.put('.');
        o.dec(dst_port(d));
    }
    o.append(": ");
}

}  // namespace

void summary::ipv4(TextBuffer& o, const Decoded& d) {
    const Ipv4Packet& ip = d.ipv4;
    o.append("IP ");
    endpoints(o, d, ip.src(), ip.dst(), d.has(kHasTcp) || d.has(kHasUdp));
    if (ip.frag_offset() != 0) {
        o.append("ip-proto-");
        o.dec(ip.proto());
        return;
    }
    summary::transport(o, d);
}

void summary::ipv6(TextBuffer& o, const Decoded& d) {
    const Ipv6Packet& ip = d.ipv6;
    const Ipv6Chain& ch = d.ipv6_chain;
    bool ports = d.has(kHasTcp) || d.has(kHasUdp);
    bool inline_ports = ports && ch.count == 0;
    o.append("IP6 ");
    // After extension headers tcpdump prints the ports apart, after the last of them.
    endpoints(o, d, ip.src(), ip.dst(), inline_ports);
    if (d.has_error && d.error.layer >= Layer::Ipv6HopOpts && d.error.layer <= Layer::Ipv6Ah) {
        o.append(to_string(d.error.layer));
        return;
    }
    for (size_t i = 0; i < ch.count; ++i) {
        const Ipv6ExtHeader& h = ch.headers[i];
        switch (h.type()) {
            case ipproto::kHopOpts:
                o.append("HBH ");
                break;
            case ipproto::kDstOpts:
                o.append("DSTOPT ");
                break;
            case ipproto::kAh:
                o.append("AH ");
                break;
            case ipproto::kRouting: {
                // tcpdump's rt6_print: type 0 (deprecated by RFC 5095) lists its addresses.
                o.append("RT6 (len=");
                o.dec(get8(h.bytes(), Ipv6ExtHeader::kHdrExtLen));
                o.append(", type=");
                o.dec(h.routing_type());
                if (h.routing_type() == 0) o.append(" [Deprecated]");
                o.append(", segleft=");
                o.dec(h.segments_left());
                if (h.routing_type() == 0) {
                    for (size_t a = 0; 8 + 16 * (a + 1) <= h.len(); ++a) {
                        o.append(", [");
                        o.dec(a);
                        o.put(']');
                        put_address(o, Ipv6Address::from(h.bytes().subspan(8 + 16 * a, 16)));
                    }
                }
                o.append(") ");
                break;
            }
            case ipproto::kFragment: {
                size_t after = ch.offsets[i] + h.len();
                size_t plen = ip.payload_len();
                o.append("frag (");
                o.dec(h.frag_offset() * 8u);
                o.put('|');
                o.dec(plen > after ? plen - after : 0);
                o.put(')');
                if (h.frag_offset() == 0) o.put(' ');
                break;
            }
        }
    }
    if (ch.fragment && ch.frag_offset != 0) return;
    if (ports && !inline_ports) {
        o.dec(src_port(d));
        o.append(" > ");
        o.dec(dst_port(d));
        o.append(": ");
    }
    summary::transport(o, d);
}

}  // namespace tapd::print
