// The one-line summary of ICMP and ICMPv6 messages, in tcpdump's words (names.hpp), with the
// destination and port an error message quotes.
#include <iterator>

#include "print/field_text.hpp"
#include "print/names.hpp"
#include "print/summary_parts.hpp"

namespace tapd::print {

using namespace wire;

namespace {

// The type's name, or tcpdump's "type-#N" for one without a name.
void type_name(TextBuffer& o, IcmpVersion v, uint8_t type) {
    if (const char* name = icmp_type_name(v, type)) {
        o.append(name);
    } else {
        o.append("type-#");
        o.dec(type);
    }
}

// ", id N, seq M" of an echo request or reply.
void echo_ids(TextBuffer& o, uint16_t ident, uint16_t seq) {
    o.append(", id ");
    o.dec(ident);
    o.append(", seq ");
    o.dec(seq);
}

// The quoted datagram in an ICMP error: its destination and, for port unreachable, the
// transport protocol and destination port.
struct Quoted {
    bool ok = false;
    Ipv4Address dst;
    uint8_t proto = 0;
    bool has_port = false;
    uint16_t dport = 0;
};

Quoted quoted_ipv4(Bytes data) {
    Quoted q;
    auto ip = Ipv4Packet::check(data);
    if (!ip) return q;
    q.ok = true;
    q.dst = ip->dst();
    q.proto = ip->proto();
    Bytes l4 = ip->payload();
    if (l4.size() >= 4 && ip->frag_offset() == 0) {
        q.has_port = true;
        q.dport = get16(l4, 2);
    }
    return q;
}

// tcpdump's words for ICMP destination unreachable, by code (RFC 792, RFC 1191, RFC 1812).
void dst_unreachable(TextBuffer& o, const Icmpv4Packet& m) {
    Quoted q = quoted_ipv4(m.data());
    if (!q.ok) return type_name(o, IcmpVersion::V4, m.type());
    uint8_t code = m.code();
    switch (code) {
        case 0:
        case 1:
            o.append(code == 0 ? "net " : "host ");
            put_address(o, q.dst);
            o.append(" unreachable");
            break;
        case 2:
            put_address(o, q.dst);
            o.append(" protocol ");
            o.dec(q.proto);
            o.append(" unreachable");
            break;
        case 3:
            put_address(o, q.dst);
            if (const char* name = port_proto_name(q.proto); name && q.has_port) {
                o.put(' ');
                o.append(name);
                o.append(" port ");
                o.dec(q.dport);
            } else {
                o.append(" protocol ");
                o.dec(q.proto);
                o.append(" port");
            }
            o.append(" unreachable");
            break;
        case 4:
            put_address(o, q.dst);
            o.append(" unreachable - need to frag");
            if (m.next_hop_mtu()) {
                o.append(" (mtu ");
                o.dec(m.next_hop_mtu());
                o.put(')');
            }
            break;
        case 13:
            o.append("host ");
            put_address(o, q.dst);
            o.append(" unreachable - admin prohibited filter");
            break;
        default:
            put_address(o, q.dst);
            o.append(" unreachable - #");
            o.dec(code);
            break;
    }
}

// The destination of the IPv6 packet an ICMPv6 error quotes, when the quote holds its header.
void quoted_ipv6_dst(TextBuffer& o, const Icmpv6Packet& m) {
    Bytes q = m.data();
    if (q.size() >= Ipv6Packet::kHeaderLen)
        put_address(o, Ipv6Address::from(q.subspan(Ipv6Packet::kDst, 16)));
}

// tcpdump's words for ICMPv6 destination unreachable, by code (RFC 4443 3.1).
void dst_unreachable(TextBuffer& o, const Icmpv6Packet& m) {
    type_name(o, IcmpVersion::V6, m.type());
    o.append(", ");
    uint8_t code = m.code();
    Bytes q = m.data();
    if (code == 4 && q.size() >= Ipv6Packet::kHeaderLen + 4) {
        if (const char* name = port_proto_name(get8(q, Ipv6Packet::kNextHeader))) {
            o.append("unreachable port, ");
            quoted_ipv6_dst(o, m);
            o.put(' ');
            o.append(name);
            o.append(" port ");
            o.dec(get16(q, Ipv6Packet::kHeaderLen + 2));
            return;
        }
    }
    static constexpr const char* kCodes[] = {"unreachable route ", " unreachable prohibited ",
                                             "beyond scope ",      "unreachable address ",
                                             "unreachable port ",  "source address failed policy ",
                                             "reject route "};
    if (code < std::size(kCodes)) {
        o.append(kCodes[code]);
    } else {
        o.append("code-#");
        o.dec(code);
        o.put(' ');
    }
    quoted_ipv6_dst(o, m);
}

}  // namespace

void summary::icmp(TextBuffer& o, const Decoded& d) {
    const Icmpv4Packet& m = d.icmp;
    o.append("ICMP ");
    switch (m.type()) {
        case icmp::kEchoRequest:
        case icmp::kEchoReply:
            type_name(o, IcmpVersion::V4, m.type());
            echo_ids(o, m.echo_ident(), m.echo_seq());
            break;
        case icmp::kDstUnreachable:
            dst_unreachable(o, m);
            break;
        case icmp::kTimeExceeded:
            o.append(m.code() == 1 ? "ip reassembly time exceeded" : "time exceeded in-transit");
            break;
        case icmp::kRedirect: {
            Quoted q = quoted_ipv4(m.data());
            type_name(o, IcmpVersion::V4, m.type());
            o.put(' ');
            if (q.ok) put_address(o, q.dst);
            o.append(" to host ");
            put_address(o, m.gateway());
            break;
        }
        case icmp::kTimestamp:
        case icmp::kTimestampReply:
            type_name(o, IcmpVersion::V4, m.type());
            o.append(" id ");
            o.dec(m.echo_ident());
            o.append(" seq ");
            o.dec(m.echo_seq());
            break;
        default:
            type_name(o, IcmpVersion::V4, m.type());
            break;
    }
    o.append(", length ");
    o.dec(d.l4_declared_len());
}

void summary::icmpv6(TextBuffer& o, const Decoded& d) {
    const Icmpv6Packet& m = d.icmpv6;
    o.append("ICMP6, ");
    switch (m.type()) {
        case icmpv6::kEchoRequest:
        case icmpv6::kEchoReply:
            type_name(o, IcmpVersion::V6, m.type());
            echo_ids(o, m.echo_ident(), m.echo_seq());
            break;
        case icmpv6::kNeighborSolicit:
            type_name(o, IcmpVersion::V6, m.type());
            o.append(", who has ");
            put_address(o, m.target());
            break;
        case icmpv6::kNeighborAdvert:
            type_name(o, IcmpVersion::V6, m.type());
            o.append(", tgt is ");
            put_address(o, m.target());
            break;
        case icmpv6::kRedirect:
            type_name(o, IcmpVersion::V6, m.type());
            o.append(", ");
            put_address(o, m.redirect_dst());
            o.append(" to ");
            put_address(o, m.target());
            break;
        case icmpv6::kDstUnreachable:
            dst_unreachable(o, m);
            break;
        case icmpv6::kPacketTooBig:
            type_name(o, IcmpVersion::V6, m.type());
            o.append(", mtu ");
            o.dec(m.mtu());
            break;
        case icmpv6::kTimeExceeded:
            if (m.code() == 0) {
                o.append("time exceeded in-transit for ");
                quoted_ipv6_dst(o, m);
            } else {
                o.append("ip6 reassembly time exceeded");
            }
            break;
        default:
            type_name(o, IcmpVersion::V6, m.type());
            break;
    }
    o.append(", length ");
    o.dec(d.l4_declared_len());
}

}  // namespace tapd::print
