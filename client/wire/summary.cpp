// tcpdump-style one-line summaries and the verbose per-field dump of decoded frames.
#include "wire/summary.hpp"

#include <ctime>

#include "wire/internal.hpp"

namespace tapd::wire {
namespace {

using internal::put_address;

void error_suffix(TextBuffer& o, const Decoded& d) {
    if (!d.has_error) return;
    o.append(" [|");
    o.append(internal::ErrorText(d.error).view());
    o.put(']');
}

// tcpdump's tcp_flag_values order (print-tcp.c): F S R P . U E W.
void tcp_flags(TextBuffer& o, uint16_t f) {
    static constexpr struct {
        uint16_t bit;
        char c;
    } kFlags[] = {{tcp::kFin, 'F'}, {tcp::kSyn, 'S'}, {tcp::kRst, 'R'}, {tcp::kPsh, 'P'},
                  {tcp::kAck, '.'}, {tcp::kUrg, 'U'}, {tcp::kEce, 'E'}, {tcp::kCwr, 'W'}};
    bool any = false;
    for (auto fl : kFlags) {
        if (f & fl.bit) {
            o.put(fl.c);
            any = true;
        }
    }
    if (!any) o.append("none");
}

void tcp_options(TextBuffer& o, Bytes options) {
    TlvOptionWalker walk(options);
    bool first = true;
    for (TlvOption opt; walk.next(opt);) {
        if (!first) o.put(',');
        first = false;
        switch (opt.kind) {
            case tcp::kOptNop:
                o.append("nop");
                break;
            case tcp::kOptMss:
                o.append("mss ");
                o.dec(get16(opt.data, 2));
                break;
            case tcp::kOptWindowScale:
                o.append("wscale ");
                o.dec(get8(opt.data, 2));
                break;
            case tcp::kOptSackPermitted:
                o.append("sackOK");
                break;
            case tcp::kOptTimestamps:
                o.append("TS val ");
                o.dec(get32(opt.data, 2));
                o.append(" ecr ");
                o.dec(get32(opt.data, 6));
                break;
            case tcp::kOptSack: {
                size_t n = (opt.data.size() - 2) / 8;
                o.append("sack ");
                o.dec(n);
                o.put(' ');
                for (size_t i = 0; i < n; ++i) {
                    o.put('{');
                    o.dec(get32(opt.data, 2 + 8 * i));
                    o.put(':');
                    o.dec(get32(opt.data, 6 + 8 * i));
                    o.put('}');
                }
                break;
            }
            default:
                o.append("unknown-");
                o.dec(opt.kind);
                break;
        }
    }
    // RFC 9293 3.2: the list may end early with End of Option List; tcpdump shows it.
    if (walk.offset() < options.size() && get8(options, walk.offset()) == tcp::kOptEnd)
        o.append(first ? "eol" : ",eol");
}

void tcp_body(TextBuffer& o, const Decoded& d) {
    const TcpSegment& t = d.tcp;
    uint16_t f = t.flags();
    size_t declared = d.l4_declared_len();
    size_t len = declared > t.header_len() ? declared - t.header_len() : 0;
    o.append("Flags [");
    tcp_flags(o, f);
    o.put(']');
    if (len > 0 || (f & (tcp::kSyn | tcp::kFin | tcp::kRst))) {
        o.append(", seq ");
        o.dec(t.seq());
        if (len > 0) {
            o.put(':');
            o.dec(static_cast<uint32_t>(t.seq() + len));
        }
    }
    if (f & tcp::kAck) {
        o.append(", ack ");
        o.dec(t.ack());
    }
    o.append(", win ");
    o.dec(t.window());
    if (f & tcp::kUrg) {
        o.append(", urg ");
        o.dec(t.urgent());
    }
    if (!t.options().empty()) {
        o.append(", options [");
        tcp_options(o, t.options());
        o.put(']');
    }
    o.append(", length ");
    o.dec(len);
}

void udp_body(TextBuffer& o, const Decoded& d) {
    const UdpDatagram& u = d.udp;
    if (d.has_error && d.error.layer == Layer::Udp &&
        d.error.reason == Reason::LengthExceedsEnclosing) {
        o.append("UDP, bad length ");
        o.dec(u.length() - UdpDatagram::kHeaderLen);
        o.append(" > ");
        o.dec(d.error.limit - UdpDatagram::kHeaderLen);
        return;
    }
    o.append("UDP, length ");
    o.dec(u.length() - UdpDatagram::kHeaderLen);
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

const char* proto_name(uint8_t p) {
    switch (p) {
        case ipproto::kTcp:
            return "tcp";
        case ipproto::kUdp:
            return "udp";
        default:
            return nullptr;
    }
}

void icmp_body(TextBuffer& o, const Decoded& d) {
    const Icmpv4Packet& m = d.icmp;
    o.append("ICMP ");
    uint8_t code = m.code();
    switch (m.type()) {
        case icmp::kEchoRequest:
        case icmp::kEchoReply:
            o.append(m.type() == icmp::kEchoRequest ? "echo request" : "echo reply");
            o.append(", id ");
            o.dec(m.echo_ident());
            o.append(", seq ");
            o.dec(m.echo_seq());
            break;
        case icmp::kDstUnreachable: {
            Quoted q = quoted_ipv4(m.data());
            if (!q.ok) {
                o.append("dst unreachable");
                break;
            }
            switch (code) {
                case 0:
                    o.append("net ");
                    put_address(o, q.dst);
                    o.append(" unreachable");
                    break;
                case 1:
                    o.append("host ");
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
                    if (proto_name(q.proto) && q.has_port) {
                        o.put(' ');
                        o.append(proto_name(q.proto));
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
            break;
        }
        case icmp::kTimeExceeded:
            o.append(code == 1 ? "ip reassembly time exceeded" : "time exceeded in-transit");
            break;
        case icmp::kRedirect: {
            Quoted q = quoted_ipv4(m.data());
            o.append("redirect ");
            if (q.ok) put_address(o, q.dst);
            o.append(" to host ");
            put_address(o, m.gateway());
            break;
        }
        case icmp::kParamProblem:
            o.append("parameter problem");
            break;
        case icmp::kSourceQuench:
            o.append("source quench");
            break;
        case icmp::kTimestamp:
        case icmp::kTimestampReply:
            o.append(m.type() == icmp::kTimestamp ? "time stamp query id "
                                                  : "time stamp reply id ");
            o.dec(m.echo_ident());
            o.append(" seq ");
            o.dec(m.echo_seq());
            break;
        case icmp::kRouterAdvert:
            o.append("router advertisement");
            break;
        case icmp::kRouterSolicit:
            o.append("router solicitation");
            break;
        default:
            o.append("type-#");
            o.dec(m.type());
            break;
    }
    o.append(", length ");
    o.dec(d.l4_declared_len());
}

void icmpv6_body(TextBuffer& o, const Decoded& d) {
    const Icmpv6Packet& m = d.icmpv6;
    o.append("ICMP6, ");
    uint8_t code = m.code();
    auto quoted_dst = [&]() {
        Bytes q = m.data();
        if (q.size() >= Ipv6Packet::kHeaderLen)
            put_address(o, Ipv6Address::from(q.subspan(Ipv6Packet::kDst, 16)));
    };
    switch (m.type()) {
        case icmpv6::kEchoRequest:
        case icmpv6::kEchoReply:
            o.append(m.type() == icmpv6::kEchoRequest ? "echo request" : "echo reply");
            o.append(", id ");
            o.dec(m.echo_ident());
            o.append(", seq ");
            o.dec(m.echo_seq());
            break;
        case icmpv6::kNeighborSolicit:
            o.append("neighbor solicitation, who has ");
            put_address(o, m.target());
            break;
        case icmpv6::kNeighborAdvert:
            o.append("neighbor advertisement, tgt is ");
            put_address(o, m.target());
            break;
        case icmpv6::kRouterSolicit:
            o.append("router solicitation");
            break;
        case icmpv6::kRouterAdvert:
            o.append("router advertisement");
            break;
        case icmpv6::kRedirect:
            o.append("redirect, ");
            put_address(o, m.redirect_dst());
            o.append(" to ");
            put_address(o, m.target());
            break;
        case icmpv6::kDstUnreachable: {
            o.append("destination unreachable, ");
            Bytes q = m.data();
            if (code == 4 && q.size() >= Ipv6Packet::kHeaderLen + 4 &&
                proto_name(get8(q, Ipv6Packet::kNextHeader))) {
                o.append("unreachable port, ");
                quoted_dst();
                o.put(' ');
                o.append(proto_name(get8(q, Ipv6Packet::kNextHeader)));
                o.append(" port ");
                o.dec(get16(q, Ipv6Packet::kHeaderLen + 2));
                break;
            }
            static constexpr const char* kCodes[] = {
                "unreachable route ",   " unreachable prohibited ", "beyond scope ",
                "unreachable address ", "unreachable port ",        "source address failed policy ",
                "reject route "};
            if (code < std::size(kCodes)) {
                o.append(kCodes[code]);
            } else {
                o.append("code-#");
                o.dec(code);
                o.put(' ');
            }
            quoted_dst();
            break;
        }
        case icmpv6::kPacketTooBig:
            o.append("packet too big, mtu ");
            o.dec(m.mtu());
            break;
        case icmpv6::kTimeExceeded:
            if (code == 0) {
                o.append("time exceeded in-transit for ");
                quoted_dst();
            } else {
                o.append("ip6 reassembly time exceeded");
            }
            break;
        case icmpv6::kParamProblem:
            o.append("parameter problem");
            break;
        case 130:
            o.append("multicast listener query");
            break;
        case 131:
            o.append("multicast listener report");
            break;
        case 132:
            o.append("multicast listener done");
            break;
        case 143:
            o.append("multicast listener report v2");
            break;
        default:
            o.append("type-#");
            o.dec(m.type());
            break;
    }
    o.append(", length ");
    o.dec(d.l4_declared_len());
}

// Transport part after "src > dst: " (or after the ports when with_ports).
void l4_body(TextBuffer& o, const Decoded& d) {
    if (d.has(kHasTcp)) return tcp_body(o, d);
    if (d.has(kHasUdp)) return udp_body(o, d);
    if (d.has(kHasIcmp)) return icmp_body(o, d);
    if (d.has(kHasIcmpv6)) return icmpv6_body(o, d);
    // The upper layer failed its check: name it; the error suffix says why.
    if (d.has_error && d.error.offset >= d.l4_offset && d.l4_offset) {
        o.append(to_string(d.error.layer));
        return;
    }
    // tcpdump's ip_demux default case prints two spaces before ip-proto.
    o.append(" ip-proto-");
    o.dec(d.l4_proto);
    o.put(' ');
    size_t declared = d.l4_declared_len();
    o.dec(declared);
}

uint16_t src_port(const Decoded& d) {
    return d.has(kHasTcp) ? d.tcp.src_port() : d.udp.src_port();
}
uint16_t dst_port(const Decoded& d) {
    return d.has(kHasTcp) ? d.tcp.dst_port() : d.udp.dst_port();
}

void ipv4_summary(TextBuffer& o, const Decoded& d) {
    const Ipv4Packet& ip = d.ipv4;
    o.append("IP ");
    bool ports = d.has(kHasTcp) || d.has(kHasUdp);
    put_address(o, ip.src());
    if (ports) {
        o.put('.');
        o.dec(src_port(d));
    }
    o.append(" > ");
    put_address(o, ip.dst());
    if (ports) {
        o.put('.');
        o.dec(dst_port(d));
    }
    o.append(": ");
    if (ip.frag_offset() != 0) {
        o.append("ip-proto-");
        o.dec(ip.proto());
        return;
    }
    l4_body(o, d);
}

void ipv6_summary(TextBuffer& o, const Decoded& d) {
    const Ipv6Packet& ip = d.ipv6;
    const Ipv6Chain& ch = d.ipv6_chain;
    bool ports = d.has(kHasTcp) || d.has(kHasUdp);
    bool inline_ports = ports && ch.count == 0;
    o.append("IP6 ");
    put_address(o, ip.src());
    if (inline_ports) {
        o.put('.');
        o.dec(src_port(d));
    }
    o.append(" > ");
    put_address(o, ip.dst());
    if (inline_ports) {
        o.put('.');
        o.dec(dst_port(d));
    }
    o.append(": ");
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
    l4_body(o, d);
}

void arp_summary(TextBuffer& o, const Decoded& d) {
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
void ieee8023_summary(TextBuffer& o, const Decoded& d) {
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

}  // namespace

void write_summary(TextBuffer& o, const Decoded& d) {
    if (!d.has(kHasEth)) {
        o.append("[|eth]");
        error_suffix(o, d);
        return;
    }
    if (d.has(kHasIpv4)) {
        ipv4_summary(o, d);
    } else if (d.has(kHasIpv6)) {
        ipv6_summary(o, d);
    } else if (d.has(kHasArp)) {
        arp_summary(o, d);
    } else if (d.has(kHasIeee8023)) {
        ieee8023_summary(o, d);
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

void TimeFormatter::update(int64_t sec) {
    if (sec == cached_sec_) return;
    time_t t = static_cast<time_t>(sec);
    struct tm tm {};
    localtime_r(&t, &tm);
    auto two = [](char* p, int v) {
        p[0] = static_cast<char>('0' + v / 10);
        p[1] = static_cast<char>('0' + v % 10);
    };
    two(hms_, tm.tm_hour);
    hms_[2] = ':';
    two(hms_ + 3, tm.tm_min);
    hms_[5] = ':';
    two(hms_ + 6, tm.tm_sec);
    int year = tm.tm_year + 1900;
    if (year < 0 || year > 9999) year = 0;
    for (int i = 3; i >= 0; --i, year /= 10) date_[i] = static_cast<char>('0' + year % 10);
    date_[4] = '-';
    two(date_ + 5, tm.tm_mon + 1);
    date_[7] = '-';
    two(date_ + 8, tm.tm_mday);
    cached_sec_ = sec;
}

void TimeFormatter::write(TextBuffer& o, int64_t sec, uint32_t nsec, bool nanosecond) {
    update(sec);
    o.append({hms_, sizeof hms_});
    o.put('.');
    if (nanosecond)
        o.dec_padded(nsec, 9);
    else
        o.dec_padded(nsec / 1000, 6);
}

void TimeFormatter::write_date(TextBuffer& o, int64_t sec, uint32_t nsec, bool nanosecond) {
    update(sec);
    o.append({date_, sizeof date_});
    o.put(' ');
    write(o, sec, nsec, nanosecond);
}

void write_summary_line(TextBuffer& o, TimeFormatter& tf, const Decoded& d, const FrameMeta& m) {
    tf.write(o, m.ts_sec, m.ts_nsec, m.nanosecond);
    o.put(' ');
    write_summary(o, d);
    o.put('\n');
}

}  // namespace tapd::wire
