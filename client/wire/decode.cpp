// The frame decoder: Ethernet, VLAN tags, 802.3/LLC or ARP/IPv4/IPv6 (with extension headers),
// then TCP/UDP/ICMP/ICMPv6, recording checksum verdicts with tshark's meanings.
#include "wire/decode.hpp"

#include <algorithm>

namespace tapd::wire {
namespace {

uint32_t offset_in(Bytes frame, Bytes part) {
    return static_cast<uint32_t>(part.data() - frame.data());
}

// Records e unless an error is already there. LengthExceedsEnclosing does not stop decoding; an
// error that does replaces it, because it explains why the layers after it are missing.
void fail(Decoded& d, WireError e, uint32_t base) {
    bool fatal = e.reason != Reason::LengthExceedsEnclosing;
    if (d.has_error && !(fatal && d.error.reason == Reason::LengthExceedsEnclosing)) return;
    e.offset += base;
    d.error = e;
    d.has_error = true;
}

struct L4Context {
    Bytes bytes;          // captured upper-layer bytes
    size_t declared_len;  // upper-layer length the IP header declares
    bool complete;        // all declared bytes captured and not a fragment
    bool v6;
    uint64_t pseudo_base;  // pseudo-header sum without the length
};

ChecksumStatus verdict(bool ok) {
    return ok ? ChecksumStatus::Good : ChecksumStatus::Bad;
}

// A pseudo-header sum computed with length 0, completed with the upper-layer length: both
// pseudo-header variants add it as plain 16-bit words, so it can be added late.
uint64_t with_length(uint64_t pseudo, size_t len) {
    return pseudo + (len >> 16) + (len & 0xffff);
}

void decode_l4(Decoded& d, uint8_t proto, const L4Context& c, const DecodeFlags& flags) {
    uint32_t base = offset_in(d.frame, c.bytes);
    d.l4_offset = static_cast<uint16_t>(base);
    bool verify = flags.verify_checksums && c.complete;
    if (proto == ipproto::kTcp) {
        auto s = TcpSegment::check(c.bytes);
        if (!s) return fail(d, s.error(), base);
        d.tcp = *s;
        d.layers |= kHasTcp;
        d.l4_checksum =
            !verify ? ChecksumStatus::Unverified
                    : verdict(d.tcp.checksum_ok(with_length(c.pseudo_base, c.bytes.size())));
    } else if (proto == ipproto::kUdp) {
        auto u = UdpDatagram::check(c.bytes);
        if (!u) return fail(d, u.error(), base);
        d.udp = *u;
        d.layers |= kHasUdp;
        bool whole = c.complete && d.udp.length() <= c.bytes.size();
        if (c.complete && d.udp.length() > c.bytes.size())
            fail(d,
                 {Layer::Udp, Reason::LengthExceedsEnclosing, UdpDatagram::kLength, d.udp.length(),
                  static_cast<uint32_t>(c.bytes.size())},
                 base);
        if (d.udp.checksum() == 0)
            // RFC 768 lets IPv4 senders omit the checksum; RFC 8200 8.1 forbids that over IPv6.
            d.l4_checksum = c.v6 ? ChecksumStatus::Illegal : ChecksumStatus::NotPresent;
        else if (!flags.verify_checksums || !whole)
            d.l4_checksum = ChecksumStatus::Unverified;
        else
            d.l4_checksum = verdict(d.udp.checksum_ok(with_length(c.pseudo_base, d.udp.length())));
    } else if (proto == ipproto::kIcmp && !c.v6) {
        auto m = Icmpv4Packet::check(c.bytes);
        if (!m) return fail(d, m.error(), base);
        d.icmp = *m;
        d.layers |= kHasIcmp;
        d.l4_checksum = !verify ? ChecksumStatus::Unverified : verdict(d.icmp.checksum_ok());
    } else if (proto == ipproto::kIcmpv6 && c.v6) {
        auto m = Icmpv6Packet::check(c.bytes);
        if (!m) return fail(d, m.error(), base);
        d.icmpv6 = *m;
        d.layers |= kHasIcmpv6;
        d.l4_checksum =
            !verify ? ChecksumStatus::Unverified
                    : verdict(d.icmpv6.checksum_ok(with_length(c.pseudo_base, c.bytes.size())));
    }
}

void decode_ipv4(Decoded& d, Bytes b, const DecodeFlags& flags) {
    uint32_t base = offset_in(d.frame, b);
    auto p = Ipv4Packet::check(b);
    if (!p) return fail(d, p.error(), base);
    d.ipv4 = *p;
    d.layers |= kHasIpv4;
    d.ip_checksum =
        !flags.verify_checksums ? ChecksumStatus::Unverified : verdict(d.ipv4.checksum_ok());
    d.fragment = d.ipv4.is_fragment();
    d.l4_proto = d.ipv4.proto();
    L4Context c;
    c.bytes = d.ipv4.payload();
    c.declared_len = d.ipv4.payload_len();
    bool cut = d.ipv4.payload_truncated();
    if (cut && !d.snaplen_cut) {
        fail(d,
             {Layer::Ip, Reason::LengthExceedsEnclosing, Ipv4Packet::kTotalLen, d.ipv4.total_len(),
              static_cast<uint32_t>(d.ipv4.header_len() + c.bytes.size())},
             base);
        c.declared_len = c.bytes.size();
        cut = false;
    }
    d.l4_len = static_cast<uint32_t>(c.declared_len);
    c.complete = !cut && !d.fragment;
    if (d.ipv4.frag_offset() != 0) return;
    c.v6 = false;
    c.pseudo_base = flags.verify_checksums
                        ? checksum::pseudo_header(d.ipv4.src(), d.ipv4.dst(), d.l4_proto, 0)
                        : 0;
    decode_l4(d, d.l4_proto, c, flags);
}

void decode_ipv6(Decoded& d, Bytes b, const DecodeFlags& flags) {
    uint32_t base = offset_in(d.frame, b);
    auto p = Ipv6Packet::check(b);
    if (!p) return fail(d, p.error(), base);
    d.ipv6 = *p;
    d.layers |= kHasIpv6;
    d.ip_checksum = ChecksumStatus::NotPresent;  // IPv6 has no header checksum
    if (is_ipv6_extension(d.ipv6.next_header())) {
        auto chain = Ipv6Chain::walk(d.ipv6);
        if (!chain) return fail(d, chain.error(), base + Ipv6Packet::kHeaderLen);
        d.ipv6_chain = *chain;
    } else {
        // The common case: no extension headers, nothing to copy.
        d.ipv6_chain.set_no_extensions(d.ipv6.next_header());
    }
    const Ipv6Chain& ch = d.ipv6_chain;
    d.fragment = ch.fragment;
    d.l4_proto = ch.upper_proto;
    L4Context c;
    c.bytes = d.ipv6.payload().subspan(ch.upper_offset);
    c.declared_len =
        d.ipv6.payload_len() > ch.upper_offset ? d.ipv6.payload_len() - ch.upper_offset : 0;
    bool cut = d.ipv6.payload_truncated();
    if (cut && !d.snaplen_cut) {
        fail(d,
             {Layer::Ipv6, Reason::LengthExceedsEnclosing, Ipv6Packet::kPayloadLen,
              d.ipv6.payload_len(), static_cast<uint32_t>(d.ipv6.payload().size())},
             base);
        c.declared_len = c.bytes.size();
        cut = false;
    }
    d.l4_len = static_cast<uint32_t>(c.declared_len);
    if (ch.fragment && ch.frag_offset != 0) return;
    c.complete = !cut && !(ch.fragment && ch.more_frags);
    c.v6 = true;
    c.pseudo_base = 0;
    if (flags.verify_checksums) {
        Ipv6Address final_dst =
            ch.final_dst_offset
                ? Ipv6Address::from(d.ipv6.payload().subspan(ch.final_dst_offset, 16))
                : d.ipv6.dst();
        c.pseudo_base = checksum::pseudo_header(d.ipv6.src(), final_dst, ch.upper_proto, 0);
    }
    decode_l4(d, ch.upper_proto, c, flags);
}

// Cisco ISL frames are 802.3 frames to 01:00:0c:00:00:xx or 0c:00:0c:00:00:xx; Wireshark decodes
// them as ISL (an encapsulated frame), not as LLC.
bool is_isl_destination(const MacAddress& dst) {
    return (dst.b[0] == 0x01 || dst.b[0] == 0x0c) && dst.b[1] == 0x00 && dst.b[2] == 0x0c &&
           dst.b[3] == 0x00 && dst.b[4] == 0x00;
}

// The payload l3 of a frame whose type field (after the addresses or the last tag) holds value
// below 0x0600. It is an IEEE 802.3 length (IEEE 802.3 3.2.6) where Wireshark takes it as one:
// up to 1500, after the addresses (but not 0, an EtherType there, nor to an ISL destination) or
// after an 802.1Q tag (an 802.1ad S-tag is always followed by an EtherType). Then the length is
// checked against the bytes on the wire, and the LLC header against the bytes it declares.
// Out of line: a rare path, kept from adding to decode_general()'s registers.
[[gnu::noinline]] void decode_8023(Decoded& d, Bytes l3, uint16_t value, size_t wire_len) {
    const bool tagged = d.vlan_count != 0;
    if (value > ieee8023::kMaxLength) return;  // 1501-1535: neither a length nor a type
    if (tagged ? d.vlan_tpids[d.vlan_count - 1] == ethertype::kQinQ
               : value == 0 || is_isl_destination(d.eth.dst()))
        return;
    d.layers |= kHasIeee8023;
    const uint32_t at = d.l3_offset;
    // Bytes on the wire after the length field; with a snaplen cut, more than were captured.
    const size_t on_wire = d.snaplen_cut ? wire_len - at : l3.size();
    if (value > on_wire)
        fail(d,
             {tagged ? Layer::Vlan : Layer::Eth, Reason::LengthExceedsEnclosing, 0, value,
              static_cast<uint32_t>(on_wire)},
             at - 2);
    const Bytes payload = l3.first(std::min<size_t>(value, l3.size()));
    // Novell's raw 802.3 carries IPX with no LLC header; like Wireshark, look at the two bytes
    // after the length whatever the length says. Wireshark reads the first byte of the payload
    // the length declares (IPX or CCSDS), so a length of 0 is malformed there.
    if (l3.size() >= 2 && get16(l3, 0) == ieee8023::kNovellRaw) {
        if (payload.empty()) fail(d, truncated(tagged ? Layer::Vlan : Layer::Eth, 0, 1, 0), at);
        return;
    }
    auto h = LlcHeader::check(payload);
    if (!h) return fail(d, h.error(), at);
    d.llc = *h;
    d.layers |= kHasLlc;
}

}  // namespace

namespace detail {

void decode_general(Bytes frame, Decoded& d, const DecodeFlags& flags, size_t wire_len) {
    d.frame = frame;
    d.snaplen_cut = wire_len > frame.size();
    d.l4_len = 0;
    d.layers = 0;
    d.vlan_count = 0;
    d.fragment = false;
    d.l4_proto = 0;
    d.l4_offset = 0;
    d.ethertype = 0;
    d.l3_offset = 0;
    d.ip_checksum = ChecksumStatus::Unverified;
    d.l4_checksum = ChecksumStatus::Unverified;
    d.has_error = false;
    d.ipv6_chain.count = 0;

    auto eth = EthernetFrame::check(frame);
    if (!eth) return fail(d, eth.error(), 0);
    d.eth = *eth;
    d.layers |= kHasEth;
    uint16_t type = d.eth.ethertype();
    size_t at = EthernetFrame::kHeaderLen;
    while (detail::is_vlan_tpid(type)) {
        if (d.vlan_count == Decoded::kMaxVlans)
            return fail(
                d, {Layer::Vlan, Reason::TooManyHeaders, 0, d.vlan_count + 1u, Decoded::kMaxVlans},
                static_cast<uint32_t>(at));
        auto tag = VlanTag::check(frame.subspan(at));
        if (!tag) return fail(d, tag.error(), static_cast<uint32_t>(at));
        d.vlans[d.vlan_count] = *tag;
        d.vlan_tpids[d.vlan_count] = type;
        ++d.vlan_count;
        d.layers |= kHasVlan;
        type = tag->ethertype();
        at += VlanTag::kHeaderLen;
    }
    d.ethertype = type;
    d.l3_offset = static_cast<uint16_t>(at);
    Bytes l3 = frame.subspan(at);
    switch (type) {
        case ethertype::kArp: {
            auto a = ArpPacket::check(l3);
            if (!a) return fail(d, a.error(), static_cast<uint32_t>(at));
            d.arp = *a;
            d.layers |= kHasArp;
            break;
        }
        case ethertype::kIpv4:
            decode_ipv4(d, l3, flags);
            break;
        case ethertype::kIpv6:
            decode_ipv6(d, l3, flags);
            break;
        default:
            if (type < ethertype::kMinType) decode_8023(d, l3, type, wire_len);
            break;
    }
}

bool tcp_options_valid(Bytes header) {
    // Most option blocks are made of 4-byte words that hold whole options, as senders align
    // them (RFC 7323 appendix A; Linux's SYN: MSS; SACK permitted, timestamps; NOP, window
    // scale). Such words are recognised whole, which is several times cheaper than the
    // byte-wise walk of TcpSegment::check(); the first other word hands over to that walk.
    const size_t hl = header.size();  // the data offset in bytes, a multiple of 4
    size_t at = TcpSegment::kMinHeaderLen;
    while (at < hl) {
        uint32_t w = detail::load_be32(header.data() + at);
        if (w >> 24 == tcp::kOptEnd) return true;
        if (w >> 16 == 0x0204u ||   // MSS
            w >> 8 == 0x010303u ||  // NOP, window scale
            w == 0x01010402u ||     // NOP, NOP, SACK permitted
            w == 0x01010101u) {     // NOPs
            at += 4;
        } else if ((w == 0x0101080au ||   // NOP, NOP, timestamps
                    w == 0x0402080au) &&  // SACK permitted, timestamps
                   hl - at >= 12) {
            at += 12;
        } else {
            break;
        }
    }
    // Everything else: the segment's own check (again from the start; the words above were
    // valid options).
    return at >= hl || TcpSegment::check(header).ok();
}

bool icmpv6_valid(Bytes l4) {
    return Icmpv6Packet::check(l4).ok();
}

bool decode_headers_general(Bytes frame, FrameHeaders& h, size_t wire_len) {
    Decoded d;
    decode_general(frame, d, {.verify_checksums = false}, wire_len);
    h.layers = d.layers;
    h.ethertype = d.ethertype;
    h.l3_offset = d.l3_offset;
    h.l3_size =
        d.has(kHasIpv4)   ? static_cast<uint16_t>(d.ipv4.header().size() + d.ipv4.payload().size())
        : d.has(kHasIpv6) ? static_cast<uint16_t>(d.ipv6.header().size() + d.ipv6.payload().size())
        : d.has(kHasArp)  ? static_cast<uint16_t>(frame.size() - d.l3_offset)
                          : 0;
    h.l4_offset = d.l4_offset;
    h.l4_size = d.has(kHasTcp)      ? static_cast<uint16_t>(d.tcp.bytes().size())
                : d.has(kHasUdp)    ? static_cast<uint16_t>(d.udp.bytes().size())
                : d.has(kHasIcmp)   ? static_cast<uint16_t>(d.icmp.bytes().size())
                : d.has(kHasIcmpv6) ? static_cast<uint16_t>(d.icmpv6.bytes().size())
                                    : 0;
    h.l4_proto = d.l4_proto;
    h.has_error = d.has_error;
    return !d.has_error;
}

// The fast path's frames are whole, unfragmented and without extension headers: every
// upper-layer checksum can be verified, against the IPv6 destination itself.
void verify_checksums(Decoded& d) {
    uint64_t pseudo;
    if (d.has(kHasIpv4)) {
        d.ip_checksum = verdict(d.ipv4.checksum_ok());
        pseudo = checksum::pseudo_header(d.ipv4.src(), d.ipv4.dst(), d.l4_proto, 0);
    } else {
        pseudo = checksum::pseudo_header(d.ipv6.src(), d.ipv6.dst(), d.l4_proto, 0);
    }
    if (d.has(kHasTcp)) {
        d.l4_checksum = verdict(d.tcp.checksum_ok(with_length(pseudo, d.tcp.bytes().size())));
    } else if (d.has(kHasUdp)) {
        if (d.udp.checksum() != 0)
            d.l4_checksum = verdict(d.udp.checksum_ok(with_length(pseudo, d.udp.length())));
    } else if (d.has(kHasIcmp)) {
        d.l4_checksum = verdict(d.icmp.checksum_ok());
    } else if (d.has(kHasIcmpv6)) {
        d.l4_checksum = verdict(d.icmpv6.checksum_ok(with_length(pseudo, d.icmpv6.bytes().size())));
    }
}

}  // namespace detail
}  // namespace tapd::wire
