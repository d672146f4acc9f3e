// The verbose dump's upper-layer blocks: TCP with its options, UDP, ICMP, ICMPv6 with NDP options.
#include "print/verbose_lines.hpp"
#include "print/verbose_parts.hpp"

namespace tapd::print::verbose {

using namespace wire;

namespace {

void tcp_flags(TextBuffer& o, uint16_t flags) {
    label(o, "Flags");
    o.hex(flags, 3);
    static constexpr struct {
        uint16_t bit;
        const char* name;
    } kNames[] = {{tcp::kNs, " NS"},   {tcp::kCwr, " CWR"}, {tcp::kEce, " ECE"},
                  {tcp::kUrg, " URG"}, {tcp::kAck, " ACK"}, {tcp::kPsh, " PSH"},
                  {tcp::kRst, " RST"}, {tcp::kSyn, " SYN"}, {tcp::kFin, " FIN"}};
    for (auto n : kNames)
        if (flags & n.bit) o.append(n.name);
    o.put('\n');
}

void tcp_options(TextBuffer& o, Bytes options) {
    TcpOptions t = TcpOptions::parse(options);
    if (t.mss) line_dec(o, "MSS", *t.mss);
    if (t.window_scale) line_dec(o, "Window Scale", *t.window_scale);
    if (t.sack_permitted) line_dec(o, "SACK Permitted", 1);
    for (size_t i = 0; i < t.sack_count; ++i) {
        label(o, "SACK Block");
        o.dec(t.sack[i].left);
        o.put('-');
        o.dec(t.sack[i].right);
        o.put('\n');
    }
    if (t.timestamps) {
        label(o, "Timestamps");
        o.append("val ");
        o.dec(t.timestamps->first);
        o.append(" ecr ");
        o.dec(t.timestamps->second);
        o.put('\n');
    }
}

void ports(TextBuffer& o, uint16_t src, uint16_t dst) {
    line_dec(o, "Source Port", src);
    line_dec(o, "Destination Port", dst);
}

Bytes tcp(TextBuffer& o, const Decoded& d) {
    const TcpSegment& t = d.tcp;
    o.append("TCP Header\n");
    ports(o, t.src_port(), t.dst_port());
    line_dec(o, "Sequence Number", t.seq());
    line_dec(o, "Acknowledge Number", t.ack());
    label(o, "Header Length");
    o.dec(t.header_len() / 4);
    o.append(" DWORDS or ");
    o.dec(t.header_len());
    o.append(" BYTES\n");
    tcp_flags(o, t.flags());
    line_dec(o, "Window", t.window());
    line_checksum(o, t.checksum(), d.l4_checksum);
    line_dec(o, "Urgent Pointer", t.urgent());
    tcp_options(o, t.options());
    return t.payload();
}

Bytes udp(TextBuffer& o, const Decoded& d) {
    const UdpDatagram& u = d.udp;
    o.append("UDP Header\n");
    ports(o, u.src_port(), u.dst_port());
    line_dec(o, "UDP Length", u.length());
    line_checksum(o, u.checksum(), d.l4_checksum);
    return u.payload();
}

// The header both ICMP versions share (RFC 792, RFC 4443 2.1): type, code and checksum, and an
// echo message's identifier and sequence number. Returns whether m is an echo message.
template <class Message>
bool icmp_header(TextBuffer& o, const char* title, const Message& m, ChecksumStatus checksum) {
    o.append(title);
    line_dec(o, "Type", m.type());
    line_dec(o, "Code", m.code());
    line_checksum(o, m.checksum(), checksum);
    if (!m.is_echo()) return false;
    line_dec(o, "Identifier", m.echo_ident());
    line_dec(o, "Sequence", m.echo_seq());
    return true;
}

Bytes icmp(TextBuffer& o, const Decoded& d) {
    const Icmpv4Packet& m = d.icmp;
    if (!icmp_header(o, "ICMP Header\n", m, d.l4_checksum))
        line_hex(o, "Rest Of Header", m.rest(), 8);
    return m.data();
}

void ndp_options(TextBuffer& o, const Icmpv6Packet& m) {
    NdpOptionIter it(m.ndp_options());
    for (NdpOption opt; it.next(opt);) {
        if (auto mac = opt.lladdr()) {
            line_addr(o,
                      opt.type == icmpv6::kOptSourceLladdr ? "Source Link Address"
                                                           : "Target Link Address",
                      *mac);
        } else if (opt.type == icmpv6::kOptMtu && opt.data.size() >= 8) {
            line_dec(o, "MTU", get32(opt.data, 4));
        } else if (opt.type == icmpv6::kOptPrefixInfo && opt.data.size() >= 32) {
            label(o, "Prefix");
            put_address(o, Ipv6Address::from(opt.data.subspan(16, 16)));
            o.put('/');
            o.dec(get8(opt.data, 2));
            o.append(" flags ");
            o.hex(get8(opt.data, 3), 2);
            o.append(" valid ");
            o.dec(get32(opt.data, 4));
            o.append(" preferred ");
            o.dec(get32(opt.data, 8));
            o.put('\n');
        } else {
            label(o, "Option");
            o.append("type ");
            o.dec(opt.type);
            o.append(", ");
            o.dec(opt.data.size());
            o.append(" bytes\n");
        }
    }
}

// The fixed fields of an NDP message (RFC 4861 4.1-4.5) and its options, which are all of it:
// no payload is left.
void ndp(TextBuffer& o, const Icmpv6Packet& m) {
    if (m.type() == icmpv6::kRouterAdvert) {
        line_dec(o, "Cur Hop Limit", m.ra_cur_hop_limit());
        line_hex(o, "Flags", m.ra_flags(), 2);
        line_dec(o, "Router Lifetime", m.ra_router_lifetime());
        line_dec(o, "Reachable Time", m.ra_reachable_time());
        line_dec(o, "Retrans Timer", m.ra_retrans_timer());
    } else if (m.type() != icmpv6::kRouterSolicit) {
        if (m.type() == icmpv6::kNeighborAdvert) line_hex(o, "Flags", m.na_flags(), 2);
        line_addr(o, "Target Address", m.target());
        if (m.type() == icmpv6::kRedirect) line_addr(o, "Destination Address", m.redirect_dst());
    }
    ndp_options(o, m);
}

Bytes icmpv6(TextBuffer& o, const Decoded& d) {
    const Icmpv6Packet& m = d.icmpv6;
    if (icmp_header(o, "ICMPv6 Header\n", m, d.l4_checksum)) return m.data();
    if (m.is_ndp()) {
        ndp(o, m);
        return {};
    }
    line_hex(o, "Rest Of Header", m.rest(), 8);
    return m.data();
}

}  // namespace

void transport(TextBuffer& o, const Decoded& d, Bytes& rest) {
    if (d.has(kHasTcp))
        rest = tcp(o, d);
    else if (d.has(kHasUdp))
        rest = udp(o, d);
    else if (d.has(kHasIcmp))
        rest = icmp(o, d);
    else if (d.has(kHasIcmpv6))
        rest = icmpv6(o, d);
}

}  // namespace tapd::print::verbose
