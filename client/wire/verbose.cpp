// The verbose per-field dump (write_verbose), laid out like the classic raw_sock.c sniffer.
#include <string_view>

#include "wire/internal.hpp"
#include "wire/summary.hpp"

namespace tapd::wire {
namespace {

// "   |-Label               : " with the label padded so values line up.
void label(TextBuffer& o, std::string_view name) {
    o.append("   |-");
    o.append(name);
    for (size_t i = name.size(); i < 20; ++i) o.put(' ');
    o.append(": ");
}

void line_dec(TextBuffer& o, std::string_view name, uint64_t v) {
    label(o, name);
    o.dec(v);
    o.put('\n');
}

void line_hex(TextBuffer& o, std::string_view name, uint64_t v, int digits) {
    label(o, name);
    o.hex(v, digits);
    o.put('\n');
}

void line_dec_hex(TextBuffer& o, std::string_view name, uint64_t v, int digits) {
    label(o, name);
    o.dec(v);
    o.append(" (");
    o.hex(v, digits);
    o.append(")\n");
}

template <class A>
void line_addr(TextBuffer& o, std::string_view name, const A& a) {
    label(o, name);
    internal::put_address(o, a);
    o.put('\n');
}

void line_checksum(TextBuffer& o, uint16_t value, ChecksumStatus s) {
    label(o, "Checksum");
    o.hex(value, 4);
    o.append(" (");
    o.append(to_string(s));
    o.append(")\n");
}

const char* ethertype_name(uint16_t t) {
    switch (t) {
        case ethertype::kIpv4:
            return "IPv4";
        case ethertype::kIpv6:
            return "IPv6";
        case ethertype::kArp:
            return "ARP";
        case ethertype::kVlan:
            return "802.1Q";
        case ethertype::kQinQ:
            return "802.1ad";
        case ethertype::kQinQOld:
            return "QinQ";
        default:
            return "unknown";
    }
}

const char* proto_name(uint8_t p) {
    switch (p) {
        case ipproto::kHopOpts:
            return "IPv6 hop-by-hop";
        case ipproto::kIcmp:
            return "ICMP";
        case ipproto::kTcp:
            return "TCP";
        case ipproto::kUdp:
            return "UDP";
        case ipproto::kRouting:
            return "IPv6 routing";
        case ipproto::kFragment:
            return "IPv6 fragment";
        case ipproto::kAh:
            return "AH";
        case ipproto::kIcmpv6:
            return "ICMPv6";
        case ipproto::kNoNext:
            return "no next header";
        case ipproto::kDstOpts:
            return "IPv6 destination options";
        default:
            return "unknown";
    }
}

void line_named(TextBuffer& o, std::string_view name, uint64_t v, int digits, const char* what) {
    label(o, name);
    if (digits)
        o.hex(v, digits);
    else
        o.dec(v);
    o.append(" (");
    o.append(what);
    o.append(")\n");
}

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

void hex_dump(TextBuffer& o, Bytes data) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (size_t at = 0; at < data.size(); at += 16) {
        char* p = o.reserve(80);
        *p++ = ' ';
        *p++ = ' ';
        *p++ = ' ';
        *p++ = ' ';
        for (int i = 3; i >= 0; --i) *p++ = kHex[(at >> (4 * i)) & 0xf];
        *p++ = ' ';
        *p++ = ' ';
        for (size_t i = 0; i < 16; ++i) {
            if (at + i < data.size()) {
                uint8_t b = static_cast<uint8_t>(data[at + i]);
                *p++ = kHex[b >> 4];
                *p++ = kHex[b & 0xf];
            } else {
                *p++ = ' ';
                *p++ = ' ';
            }
            *p++ = ' ';
        }
        *p++ = ' ';
        for (size_t i = 0; i < 16 && at + i < data.size(); ++i) {
            uint8_t b = static_cast<uint8_t>(data[at + i]);
            *p++ = b >= 0x20 && b < 0x7f ? static_cast<char>(b) : '.';
        }
        *p++ = '\n';
        o.commit(p);
    }
}

void tcp_option_lines(TextBuffer& o, Bytes options) {
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

void ndp_option_lines(TextBuffer& o, const Icmpv6Packet& m) {
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
            internal::put_address(o, Ipv6Address::from(opt.data.subspan(16, 16)));
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

}  // namespace

void write_verbose(TextBuffer& o, TimeFormatter& tf, const Decoded& d, const FrameMeta& m) {
    o.append("Frame ");
    o.dec(m.number);
    o.append(": ");
    o.dec(d.frame.size());
    o.append(" bytes captured, ");
    o.dec(m.orig_len ? m.orig_len : d.frame.size());
    o.append(" on wire, at ");
    tf.write_date(o, m.ts_sec, m.ts_nsec, m.nanosecond);
    o.append("\nSummary: ");
    write_summary(o, d);
    o.put('\n');
    Bytes rest = d.frame;
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
    if (d.has(kHasLlc)) {
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
    if (d.has(kHasArp)) {
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
        rest = d.arp.bytes_after();
    }
    if (d.has(kHasIpv4)) {
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
        label(o, "Fragment Offset");
        o.dec(ip.frag_offset());
        o.append(" (");
        o.dec(ip.frag_offset() * 8u);
        o.append(" bytes)\n");
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
    if (d.has(kHasIpv6)) {
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
        for (size_t i = 0; i < ch.count; ++i) {
            const Ipv6ExtHeader& h = ch.headers[i];
            o.append("IPv6 Extension Header (");
            o.append(proto_name(h.type()));
            o.append(")\n");
            line_named(o, "Next Header", h.next_header(), 0, proto_name(h.next_header()));
            line_dec(o, "Length", h.len());
            if (h.type() == ipproto::kFragment) {
                label(o, "Fragment Offset");
                o.dec(h.frag_offset());
                o.append(" (");
                o.dec(h.frag_offset() * 8u);
                o.append(" bytes)\n");
                line_dec(o, "More Fragments", h.more_frags());
                line_dec_hex(o, "Identification", h.frag_ident(), 8);
            } else if (h.type() == ipproto::kRouting) {
                line_dec(o, "Routing Type", h.routing_type());
                line_dec(o, "Segments Left", h.segments_left());
            }
        }
        rest = ip.payload().subspan(std::min<size_t>(ch.upper_offset, ip.payload().size()));
    }
    if (d.has(kHasTcp)) {
        const TcpSegment& t = d.tcp;
        o.append("TCP Header\n");
        line_dec(o, "Source Port", t.src_port());
        line_dec(o, "Destination Port", t.dst_port());
        line_dec(o, "Sequence Number", t.seq());
        line_dec(o, "Acknowledge Number", t.ack());
        label(o, "Header Length");
        o.dec(t.header_len() / 4);
        o.append(" DWORDS or ");
        o.dec(t.header_len());
        o.append(" BYTES\n");
        label(o, "Flags");
        o.hex(t.flags(), 3);
        static constexpr struct {
            uint16_t bit;
            const char* name;
        } kNames[] = {{tcp::kNs, " NS"},   {tcp::kCwr, " CWR"}, {tcp::kEce, " ECE"},
                      {tcp::kUrg, " URG"}, {tcp::kAck, " ACK"}, {tcp::kPsh, " PSH"},
                      {tcp::kRst, " RST"}, {tcp::kSyn, " SYN"}, {tcp::kFin, " FIN"}};
        for (auto n : kNames)
            if (t.flags() & n.bit) o.append(n.name);
        o.put('\n');
        line_dec(o, "Window", t.window());
        line_checksum(o, t.checksum(), d.l4_checksum);
        line_dec(o, "Urgent Pointer", t.urgent());
        tcp_option_lines(o, t.options());
        rest = t.payload();
    } else if (d.has(kHasUdp)) {
        const UdpDatagram& u = d.udp;
        o.append("UDP Header\n");
        line_dec(o, "Source Port", u.src_port());
        line_dec(o, "Destination Port", u.dst_port());
        line_dec(o, "UDP Length", u.length());
        line_checksum(o, u.checksum(), d.l4_checksum);
        rest = u.payload();
    } else if (d.has(kHasIcmp)) {
        const Icmpv4Packet& m = d.icmp;
        o.append("ICMP Header\n");
        line_dec(o, "Type", m.type());
        line_dec(o, "Code", m.code());
        line_checksum(o, m.checksum(), d.l4_checksum);
        if (m.is_echo()) {
            line_dec(o, "Identifier", m.echo_ident());
            line_dec(o, "Sequence", m.echo_seq());
        } else {
            line_hex(o, "Rest Of Header", m.rest(), 8);
        }
        rest = m.data();
    } else if (d.has(kHasIcmpv6)) {
        const Icmpv6Packet& m = d.icmpv6;
        o.append("ICMPv6 Header\n");
        line_dec(o, "Type", m.type());
        line_dec(o, "Code", m.code());
        line_checksum(o, m.checksum(), d.l4_checksum);
        if (m.is_echo()) {
            line_dec(o, "Identifier", m.echo_ident());
            line_dec(o, "Sequence", m.echo_seq());
            rest = m.data();
        } else if (m.is_ndp()) {
            if (m.type() == icmpv6::kRouterAdvert) {
                line_dec(o, "Cur Hop Limit", m.ra_cur_hop_limit());
                line_hex(o, "Flags", m.ra_flags(), 2);
                line_dec(o, "Router Lifetime", m.ra_router_lifetime());
                line_dec(o, "Reachable Time", m.ra_reachable_time());
                line_dec(o, "Retrans Timer", m.ra_retrans_timer());
            } else if (m.type() != icmpv6::kRouterSolicit) {
                if (m.type() == icmpv6::kNeighborAdvert) line_hex(o, "Flags", m.na_flags(), 2);
                line_addr(o, "Target Address", m.target());
                if (m.type() == icmpv6::kRedirect)
                    line_addr(o, "Destination Address", m.redirect_dst());
            }
            ndp_option_lines(o, m);
            rest = {};
        } else {
            line_hex(o, "Rest Of Header", m.rest(), 8);
            rest = m.data();
        }
    }
    if (d.has_error) {
        o.append("Error: ");
        o.append(internal::ErrorText(d.error).view());
        o.put('\n');
    }
    o.append("Data Payload: ");
    o.dec(rest.size());
    o.append(" bytes\n");
    hex_dump(o, rest);
    o.put('\n');
}

}  // namespace tapd::wire
