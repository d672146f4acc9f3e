// Hand-written JSON Lines for decoded frames, straight into the output buffer: one function per
// layer's fields.
#include "print/json.hpp"

#include "print/field_text.hpp"

namespace tapd::print {

using namespace wire;

namespace {

class Obj {
  public:
    explicit Obj(TextBuffer& o) : o_(o) { o_.put('{'); }
    // Out of line: inlined into each of the ~60 fields it made `read --json` 7 % slower on
    // the bench/wire capture (though with fewer instructions), as it was before the fields were
    // split into one function per layer.
    [[gnu::noinline]] void key(std::string_view k) {
        if (!first_) o_.put(',');
        first_ = false;
        o_.put('"');
        o_.append(k);
        o_.append("\":");
    }
    void num(std::string_view k, uint64_t v) {
        key(k);
        o_.dec(v);
    }
    void str(std::string_view k, std::string_view v) {
        key(k);
        write_json_string(o_, v);
    }
    template <class A>
    void addr(std::string_view k, const A& a) {
        key(k);
        o_.put('"');
        put_address(o_, a);
        o_.put('"');
    }
    void close() { o_.put('}'); }
    TextBuffer& out() { return o_; }

  private:
    TextBuffer& o_;
    bool first_ = true;
};

void vlan_ids(Obj& j, const Decoded& d, bool s_tags, std::string_view name) {
    bool any = false;
    for (size_t i = 0; i < d.vlan_count; ++i) {
        // tshark's vlan dissector owns 0x8100 (and 0x9100); 0x88a8 S-tags are ieee8021ad.id.
        bool is_s = d.vlan_tpids[i] == ethertype::kQinQ;
        if (is_s != s_tags) continue;
        if (!any) {
            j.key(name);
            j.out().put('[');
        } else {
            j.out().put(',');
        }
        any = true;
        j.out().dec(d.vlans[i].vid());
    }
    if (any) j.out().put(']');
}

void frame_fields(Obj& j, const Decoded& d, const FrameMeta& m) {
    j.num("frame.number", m.number);
    j.key("frame.time_epoch");
    j.out().sdec(m.ts_sec);
    j.out().put('.');
    j.out().dec_padded(m.ts_nsec, 9);
    j.num("frame.len", m.orig_len ? m.orig_len : d.frame.size());
    j.num("frame.cap_len", d.frame.size());
}

void link_fields(Obj& j, const Decoded& d) {
    const bool ieee8023 = d.has(kHasIeee8023);
    if (d.has(kHasEth)) {
        j.addr("eth.dst", d.eth.dst());
        j.addr("eth.src", d.eth.src());
        // The field after the addresses, named as tshark names it: a type, an 802.3 length, or
        // (1501-1535) neither. A length tshark does not take as one (Cisco ISL) is left out.
        uint16_t t = d.eth.ethertype();
        if (ieee8023 && d.vlan_count == 0)
            j.num("eth.len", t);
        else if (t >= ethertype::kMinType || t == 0)
            j.num("eth.type", t);
        else if (t > ieee8023::kMaxLength)
            j.num("eth.invalid_lentype", t);
    }
    vlan_ids(j, d, true, "ieee8021ad.id");
    vlan_ids(j, d, false, "vlan.id");
    if (ieee8023 && d.vlan_count) j.num("vlan.len", d.ethertype);
    if (d.has(kHasLlc)) {
        j.num("llc.dsap", d.llc.dsap());
        j.num("llc.ssap", d.llc.ssap());
        j.num("llc.control", d.llc.control());
    }
    if (d.has(kHasArp)) {
        const ArpPacket& a = d.arp;
        j.num("arp.opcode", a.oper());
        if (a.is_ethernet_ipv4()) {
            j.addr("arp.src.hw_mac", MacAddress::from(a.sha()));
            j.addr("arp.src.proto_ipv4", Ipv4Address::from(a.spa()));
            j.addr("arp.dst.hw_mac", MacAddress::from(a.tha()));
            j.addr("arp.dst.proto_ipv4", Ipv4Address::from(a.tpa()));
        }
    }
}

void ip_fields(Obj& j, const Decoded& d) {
    if (d.has(kHasIpv4)) {
        const Ipv4Packet& ip = d.ipv4;
        j.num("ip.version", 4);
        j.num("ip.hdr_len", ip.header_len());
        j.num("ip.len", ip.total_len());
        j.num("ip.id", ip.ident());
        j.num("ip.flags.df", ip.dont_frag());
        j.num("ip.flags.mf", ip.more_frags());
        j.num("ip.frag_offset", ip.frag_offset());
        j.num("ip.ttl", ip.ttl());
        j.num("ip.proto", ip.proto());
        j.num("ip.checksum.status", static_cast<uint8_t>(d.ip_checksum));
        j.addr("ip.src", ip.src());
        j.addr("ip.dst", ip.dst());
    }
    if (d.has(kHasIpv6)) {
        const Ipv6Packet& ip = d.ipv6;
        j.num("ipv6.plen", ip.payload_len());
        j.num("ipv6.nxt", ip.next_header());
        j.num("ipv6.hlim", ip.hop_limit());
        j.addr("ipv6.src", ip.src());
        j.addr("ipv6.dst", ip.dst());
        const Ipv6Chain& ch = d.ipv6_chain;
        if (ch.fragment) {
            j.num("ipv6.fraghdr.offset", ch.frag_offset);
            j.num("ipv6.fraghdr.more", ch.more_frags);
            j.num("ipv6.fraghdr.ident", ch.frag_ident);
        }
    }
}

void tcp_fields(Obj& j, const Decoded& d) {
    const TcpSegment& t = d.tcp;
    size_t declared = d.l4_declared_len();
    j.num("tcp.srcport", t.src_port());
    j.num("tcp.dstport", t.dst_port());
    j.num("tcp.seq_raw", t.seq());
    j.num("tcp.ack_raw", t.ack());
    j.num("tcp.hdr_len", t.header_len());
    j.num("tcp.flags", t.flags());
    j.num("tcp.window_size_value", t.window());
    // tshark leaves tcp.len out of a first fragment; an IPv6 atomic fragment (offset 0, no
    // more fragments, RFC 6946) is a whole datagram and keeps it.
    bool partial = d.has(kHasIpv4) ? d.fragment : d.ipv6_chain.more_frags;
    if (!partial) j.num("tcp.len", declared > t.header_len() ? declared - t.header_len() : 0);
    j.num("tcp.checksum.status", static_cast<uint8_t>(d.l4_checksum));
    TcpOptions opts = TcpOptions::parse(t.options());
    if (opts.mss) j.num("tcp.options.mss_val", *opts.mss);
    if (opts.window_scale) j.num("tcp.options.wscale.shift", *opts.window_scale);
    if (opts.sack_permitted) j.num("tcp.options.sack_perm", 1);
    if (opts.timestamps) {
        j.num("tcp.options.timestamp.tsval", opts.timestamps->first);
        j.num("tcp.options.timestamp.tsecr", opts.timestamps->second);
    }
}

void udp_fields(Obj& j, const Decoded& d) {
    const UdpDatagram& u = d.udp;
    j.num("udp.srcport", u.src_port());
    j.num("udp.dstport", u.dst_port());
    j.num("udp.length", u.length());
    j.num("udp.checksum.status", static_cast<uint8_t>(d.l4_checksum));
}

void icmp_fields(Obj& j, const Decoded& d) {
    const Icmpv4Packet& m = d.icmp;
    j.num("icmp.type", m.type());
    j.num("icmp.code", m.code());
    j.num("icmp.checksum.status", static_cast<uint8_t>(d.l4_checksum));
    if (m.is_echo()) {
        j.num("icmp.ident", m.echo_ident());
        j.num("icmp.seq", m.echo_seq());
    }
}

void icmpv6_fields(Obj& j, const Decoded& d) {
    const Icmpv6Packet& m = d.icmpv6;
    j.num("icmpv6.type", m.type());
    j.num("icmpv6.code", m.code());
    j.num("icmpv6.checksum.status", static_cast<uint8_t>(d.l4_checksum));
    if (m.is_echo()) {
        j.num("icmpv6.echo.identifier", m.echo_ident());
        j.num("icmpv6.echo.sequence_number", m.echo_seq());
    } else if (m.type() == icmpv6::kNeighborSolicit) {
        j.addr("icmpv6.nd.ns.target_address", m.target());
    } else if (m.type() == icmpv6::kNeighborAdvert) {
        j.addr("icmpv6.nd.na.target_address", m.target());
    }
}

void error_field(Obj& j, const WireError& e) {
    j.key("error");
    Obj err(j.out());
    err.str("layer", to_string(e.layer));
    err.str("reason", to_string(e.reason));
    err.num("offset", e.offset);
    err.num("value", e.value);
    err.num("limit", e.limit);
    err.str("text", ErrorText(e).view());
    err.close();
}

}  // namespace

void write_json_string(TextBuffer& o, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    o.put('"');
    for (char c : s) {
        unsigned char u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            o.put('\\');
            o.put(c);
        } else if (u < 0x20) {
            o.append("\\u00");
            o.put(kHex[u >> 4]);
            o.put(kHex[u & 0xf]);
        } else {
            o.put(c);
        }
    }
    o.put('"');
}

void write_json(TextBuffer& o, const Decoded& d, const FrameMeta& m) {
    Obj j(o);
    frame_fields(j, d, m);
    link_fields(j, d);
    ip_fields(j, d);
    if (d.has(kHasTcp))
        tcp_fields(j, d);
    else if (d.has(kHasUdp))
        udp_fields(j, d);
    else if (d.has(kHasIcmp))
        icmp_fields(j, d);
    else if (d.has(kHasIcmpv6))
        icmpv6_fields(j, d);
    if (d.has_error) error_field(j, d.error);
    j.close();
    o.put('\n');
}

}  // namespace tapd::print
