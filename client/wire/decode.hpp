// decode(): one Ethernet frame into per-layer views, checksum verdicts and the first error.
#pragma once

#include <array>
#include <cstring>
#include <type_traits>

#include "wire/arp.hpp"
#include "wire/checksum.hpp"
#include "wire/error.hpp"
#include "wire/ethernet.hpp"
#include "wire/icmpv4.hpp"
#include "wire/icmpv6.hpp"
#include "wire/ipv4.hpp"
#include "wire/ipv6.hpp"
#include "wire/tcp.hpp"
#include "wire/udp.hpp"
#include "wire/vlan.hpp"

namespace tapd::wire {

enum LayerBit : uint32_t {
    kHasEth = 1u << 0,
    kHasVlan = 1u << 1,
    kHasArp = 1u << 2,
    kHasIpv4 = 1u << 3,
    kHasIpv6 = 1u << 4,
    kHasTcp = 1u << 5,
    kHasUdp = 1u << 6,
    kHasIcmp = 1u << 7,
    kHasIcmpv6 = 1u << 8,
};

struct DecodeFlags {
    // Checksums cost a pass over the payload; tools that only need headers turn them off and
    // get ChecksumStatus::Unverified everywhere.
    bool verify_checksums = true;
};

// The result of decode(). Reused across frames: decode() resets only what it needs, so holding
// one Decoded per thread costs no allocation per frame. Views point into the frame's bytes.
struct Decoded {
    static constexpr size_t kMaxVlans = 4;

    // The fields every frame sets come first and together, so that decode() writes them with
    // few stores.
    Bytes frame;
    uint32_t layers = 0;  // LayerBit set for each layer whose check passed
    // Upper-layer length: as the IP header declares it, or in a whole frame whose IP length
    // runs past its end, the bytes present.
    uint32_t l4_len = 0;
    uint16_t ethertype = 0;  // of the network layer, after any tags
    uint16_t l3_offset = 0;  // frame offset of the network layer
    uint16_t l4_offset = 0;  // frame offset of the upper layer
    uint8_t l4_proto = 0;    // IPv4 protocol or the IPv6 upper-layer next header
    uint8_t vlan_count = 0;
    // IP fragments (IPv4 MF/offset or an IPv6 fragment header): non-first fragments carry no
    // upper-layer header, and no fragment's upper-layer checksum can be verified alone.
    bool fragment = false;
    bool has_error = false;
    ChecksumStatus ip_checksum = ChecksumStatus::Unverified;
    ChecksumStatus l4_checksum = ChecksumStatus::Unverified;
    bool snaplen_cut = false;  // wire_len > captured bytes

    EthernetFrame eth;
    Ipv4Packet ipv4;
    Ipv6Packet ipv6;
    TcpSegment tcp;
    UdpDatagram udp;
    Icmpv4Packet icmp;
    Icmpv6Packet icmpv6;
    ArpPacket arp;
    std::array<VlanTag, kMaxVlans> vlans{};        // outermost first
    std::array<uint16_t, kMaxVlans> vlan_tpids{};  // 0x8100, 0x88a8 or 0x9100 for each tag
    Ipv6Chain ipv6_chain;

    // The problem that stopped decoding, or else the first length past the end of the frame
    // (which does not stop it); offset counted from the frame start.
    WireError error;

    bool has(uint32_t bits) const { return (layers & bits) == bits; }
    // Upper-layer length (tshark's tcp.len is this minus the TCP header): l4_len.
    size_t l4_declared_len() const { return l4_len; }
};

// Decodes frame as Ethernet II. Never throws, never allocates; every layer that passed its check
// stays usable when a later one fails.
//
// wire_len is the frame's length on the wire (a capture record's orig_len); 0 means the frame
// is whole. When wire_len exceeds frame.size() the capture was cut (snaplen): IP/UDP lengths
// past the end are expected, upper-layer checksums become Unverified and no error is recorded.
// In a whole frame the same lengths are malformed (tshark: "total length exceeds packet
// length"): the error is recorded, decoding continues over the bytes present, and checksums are
// verified over those bytes, as tshark does.
//
// Most frames take an inline fast path (below) for Ethernet, one VLAN tag, ARP, IPv4 without
// options or fragmentation, IPv6 without extension headers, and TCP, UDP, ICMP and ICMPv6 whose
// lengths all fit. It validates the same lengths and options as the general decoder; anything
// else (an error, a cut, options the fast path does not recognise, fragments, extension headers,
// stacked tags) goes to detail::decode_general(), which decodes the frame again from the start.
// The two give identical results (tests/wire/decode_test.cpp compares them field by field).
inline void decode(Bytes frame, Decoded& out, const DecodeFlags& flags = {}, size_t wire_len = 0);

// What a flow tool (5-tuples, counters, filters) needs from a frame: which layers passed and
// where they start, without the views, checksums and error details of Decoded. 18 bytes that
// decode_headers() fills with a handful of stores, so per-frame work is the checks themselves.
struct FrameHeaders {
    uint32_t layers = 0;     // as decode() sets Decoded::layers
    uint16_t ethertype = 0;  // as Decoded::ethertype
    uint16_t l3_offset = 0;  // frame offset of the network layer
    uint16_t l3_size = 0;    // bytes of its view (Decoded::ipv4/ipv6/arp)
    uint16_t l4_offset = 0;  // frame offset of the upper layer
    uint16_t l4_size = 0;    // bytes of its view (Decoded::tcp/udp/icmp/icmpv6)
    uint8_t l4_proto = 0;    // as Decoded::l4_proto
    bool has_error = false;  // as Decoded::has_error (decode() tells which error)

    bool has(uint32_t bits) const { return (layers & bits) == bits; }
    // The views decode() would have made, for the layers has() reports; frame must be the one
    // decoded.
    Ipv4Packet ipv4(Bytes frame) const;
    Ipv6Packet ipv6(Bytes frame) const;
    TcpSegment tcp(Bytes frame) const;
    UdpDatagram udp(Bytes frame) const;
};

// decode() without checksums, reduced to FrameHeaders: the same checks of every length and
// option (and the same general decoder for frames off the fast path), so layers, offsets,
// l4_proto and has_error always equal what decode(frame, d, {.verify_checksums = false},
// wire_len) puts in d. Never throws, never allocates. Returns !has_error.
inline bool decode_headers(Bytes frame, FrameHeaders& out, size_t wire_len = 0);

namespace detail {

// The decoder for every frame, out of line; decode() calls it when its fast path gives up.
void decode_general(Bytes frame, Decoded& d, const DecodeFlags& flags, size_t wire_len);
// Out-of-line parts of the fast path: the TCP option walk for options other than the
// NOP,NOP,timestamps block of an established connection (header: the TCP header, whose data
// offset, at least 5 words, is known to fit); the ICMPv6 check (NDP options); and checksum
// verification for a frame the fast path decoded whole.
bool tcp_options_valid(Bytes header);
bool icmpv6_valid(Bytes l4);
bool decode_headers_general(Bytes frame, FrameHeaders& h, size_t wire_len);
void verify_checksums(Decoded& d);

struct DecodeAccess {
    template <class View>
    static View view(Bytes b) {
        return View(b);
    }
    template <class View>
    static View view(const std::byte* p, size_t n) {
        return View(Bytes(p, n));
    }
};

inline uint16_t load_be16(const std::byte* p) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return __builtin_bswap16(v);
}
inline uint32_t load_be32(const std::byte* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return __builtin_bswap32(v);
}

inline bool is_vlan_tpid(uint16_t t) {
    return t == ethertype::kVlan || t == ethertype::kQinQ || t == ethertype::kQinQOld;
}

// Decodes the common whole frames into d (a Decoded, or a FrameHeaders); returns false (leaving
// d for the general decoder to reset) as soon as the frame needs anything else. Every read is
// behind a length check.
template <class Out>
inline bool decode_fast(Bytes frame, Out& d, const DecodeFlags& flags, size_t wire_len) {
    constexpr bool kFull = std::is_same_v<Out, Decoded>;
    using A = DecodeAccess;
    const std::byte* p = frame.data();
    const size_t n = frame.size();
    // Offsets are 16-bit in Decoded; a longer frame is left to the general decoder.
    if (n < EthernetFrame::kHeaderLen || n > 0xffff) [[unlikely]]
        return false;
    uint16_t type = load_be16(p + EthernetFrame::kEtherType);
    uint32_t tagged = 0;
    if (is_vlan_tpid(type)) [[unlikely]] {
        if (n < EthernetFrame::kHeaderLen + VlanTag::kHeaderLen) return false;
        const std::byte* tag = p + EthernetFrame::kHeaderLen;
        if constexpr (kFull) {
            d.vlans[0] = A::view<VlanTag>(Bytes(tag, n - EthernetFrame::kHeaderLen));
            d.vlan_tpids[0] = type;
        }
        type = load_be16(tag + VlanTag::kEtherType);
        if (is_vlan_tpid(type)) return false;
        tagged = 1;
    }
#if defined(__GNUC__)
    // One copy of what follows for tagged and untagged frames, not one each.
    asm("" : "+r"(tagged));
#endif
    const size_t at = EthernetFrame::kHeaderLen + VlanTag::kHeaderLen * tagged;
    uint32_t layers = kHasEth | tagged * kHasVlan;
    if constexpr (kFull) {
        d.frame = frame;
        d.eth = A::view<EthernetFrame>(frame);
        d.vlan_count = static_cast<uint8_t>(tagged);
        d.fragment = false;
        d.snaplen_cut = wire_len > n;
    }
    d.ethertype = type;
    d.l3_offset = static_cast<uint16_t>(at);
    d.has_error = false;

    const std::byte* ip = p + at;
    const size_t avail = n - at;
    const std::byte* q;  // the upper layer
    size_t len;          // its length
    uint8_t proto;
    bool v6;
    if (type == ethertype::kIpv4) {
        if (avail < Ipv4Packet::kMinHeaderLen) return false;
        size_t total = load_be16(ip + Ipv4Packet::kTotalLen);
        // 0x45: version 4 without options; no MF flag, no fragment offset.
        if (static_cast<uint8_t>(ip[Ipv4Packet::kVerIhl]) != 0x45 ||
            total < Ipv4Packet::kMinHeaderLen || total > avail ||
            (load_be16(ip + Ipv4Packet::kFlagsFrag) & 0x3fff) != 0)
            return false;
        if constexpr (kFull) {
            d.ipv4 = A::view<Ipv4Packet>(ip, total);
            d.ip_checksum = ChecksumStatus::Unverified;
            d.l4_checksum = ChecksumStatus::Unverified;
            d.ipv6_chain.count = 0;
        } else {
            d.l3_size = static_cast<uint16_t>(total);
        }
        proto = static_cast<uint8_t>(ip[Ipv4Packet::kProto]);
        q = ip + Ipv4Packet::kMinHeaderLen;
        len = total - Ipv4Packet::kMinHeaderLen;
        layers |= kHasIpv4;
        v6 = false;
    } else if (type == ethertype::kIpv6) {
        if (avail < Ipv6Packet::kHeaderLen) return false;
        size_t plen = load_be16(ip + Ipv6Packet::kPayloadLen);
        proto = static_cast<uint8_t>(ip[Ipv6Packet::kNextHeader]);
        if ((static_cast<uint8_t>(ip[Ipv6Packet::kVerTcFlow]) >> 4) != 6 ||
            plen > avail - Ipv6Packet::kHeaderLen || is_ipv6_extension(proto))
            return false;
        if constexpr (kFull) {
            d.ipv6 = A::view<Ipv6Packet>(ip, Ipv6Packet::kHeaderLen + plen);
            d.ip_checksum = ChecksumStatus::NotPresent;  // IPv6 has no header checksum
            d.l4_checksum = ChecksumStatus::Unverified;
            Ipv6Chain& c = d.ipv6_chain;
            c.count = 0;
            c.upper_proto = proto;
            c.upper_offset = 0;
            c.final_dst_offset = 0;
            c.fragment = false;
            c.more_frags = false;
            c.frag_offset = 0;
            c.frag_ident = 0;
        } else {
            d.l3_size = static_cast<uint16_t>(Ipv6Packet::kHeaderLen + plen);
        }
        q = ip + Ipv6Packet::kHeaderLen;
        len = plen;
        layers |= kHasIpv6;
        v6 = true;
    } else {
        if (type == ethertype::kArp) {
            if (avail < ArpPacket::kFixedLen) return false;
            size_t need = ArpPacket::kAddresses + 2u * (static_cast<uint8_t>(ip[ArpPacket::kHlen]) +
                                                        static_cast<uint8_t>(ip[ArpPacket::kPlen]));
            if (avail < need) return false;
            if constexpr (kFull)
                d.arp = A::view<ArpPacket>(ip, avail);
            else
                d.l3_size = static_cast<uint16_t>(avail);
            layers |= kHasArp;
        } else if constexpr (!kFull) {
            d.l3_size = 0;
        }
        d.layers = layers;
        if constexpr (kFull) {
            d.ip_checksum = ChecksumStatus::Unverified;
            d.l4_checksum = ChecksumStatus::Unverified;
            d.ipv6_chain.count = 0;
            d.l4_len = 0;
        } else {
            d.l4_size = 0;
        }
        d.l4_proto = 0;
        d.l4_offset = 0;
        return true;
    }
    if constexpr (kFull) d.l4_len = static_cast<uint32_t>(len);
    d.l4_proto = proto;
    d.l4_offset = static_cast<uint16_t>(q - p);
    if (proto == ipproto::kTcp) {
        if (len < TcpSegment::kMinHeaderLen) return false;
        size_t hl = (static_cast<uint8_t>(q[TcpSegment::kDataOffset]) >> 4) * 4u;
        if (hl < TcpSegment::kMinHeaderLen || hl > len) return false;
        if (hl != TcpSegment::kMinHeaderLen) {
            // NOP, NOP, timestamps (length 10): every segment of a connection using RFC 7323.
            bool nop_nop_ts = hl == TcpSegment::kMinHeaderLen + 12 &&
                              load_be32(q + TcpSegment::kMinHeaderLen) == 0x0101080a;
            if (!nop_nop_ts && !tcp_options_valid(Bytes(q, hl))) return false;
        }
        if constexpr (kFull)
            d.tcp = A::view<TcpSegment>(q, len);
        else
            d.l4_size = static_cast<uint16_t>(len);
        layers |= kHasTcp;
    } else if (proto == ipproto::kUdp) {
        if (len < UdpDatagram::kHeaderLen) return false;
        size_t ulen = load_be16(q + UdpDatagram::kLength);
        if (ulen < UdpDatagram::kHeaderLen || ulen > len) return false;
        layers |= kHasUdp;
        if constexpr (kFull) {
            d.udp = A::view<UdpDatagram>(q, ulen);
            // RFC 768 lets IPv4 senders omit the checksum; RFC 8200 8.1 forbids that over IPv6.
            if (load_be16(q + UdpDatagram::kChecksum) == 0)
                d.l4_checksum = v6 ? ChecksumStatus::Illegal : ChecksumStatus::NotPresent;
        } else {
            d.l4_size = static_cast<uint16_t>(ulen);
        }
    } else if (proto == ipproto::kIcmp && !v6) {
        if (len < Icmpv4Packet::kHeaderLen) return false;
        if constexpr (kFull)
            d.icmp = A::view<Icmpv4Packet>(q, len);
        else
            d.l4_size = static_cast<uint16_t>(len);
        layers |= kHasIcmp;
    } else if (proto == ipproto::kIcmpv6 && v6) {
        if (!icmpv6_valid(Bytes(q, len))) return false;
        if constexpr (kFull)
            d.icmpv6 = A::view<Icmpv6Packet>(q, len);
        else
            d.l4_size = static_cast<uint16_t>(len);
        layers |= kHasIcmpv6;
    } else if constexpr (!kFull) {
        d.l4_size = 0;
    }
    d.layers = layers;
    if constexpr (kFull) {
        if (flags.verify_checksums) verify_checksums(d);
    }
    return true;
}

}  // namespace detail

inline void decode(Bytes frame, Decoded& out, const DecodeFlags& flags, size_t wire_len) {
    if (!detail::decode_fast(frame, out, flags, wire_len)) [[unlikely]]
        detail::decode_general(frame, out, flags, wire_len);
}

inline bool decode_headers(Bytes frame, FrameHeaders& out, size_t wire_len) {
    static constexpr DecodeFlags kNoChecksums{.verify_checksums = false};
    if (!detail::decode_fast(frame, out, kNoChecksums, wire_len)) [[unlikely]]
        return detail::decode_headers_general(frame, out, wire_len);
    return true;
}

inline Ipv4Packet FrameHeaders::ipv4(Bytes frame) const {
    return detail::DecodeAccess::view<Ipv4Packet>(frame.subspan(l3_offset, l3_size));
}
inline Ipv6Packet FrameHeaders::ipv6(Bytes frame) const {
    return detail::DecodeAccess::view<Ipv6Packet>(frame.subspan(l3_offset, l3_size));
}
inline TcpSegment FrameHeaders::tcp(Bytes frame) const {
    return detail::DecodeAccess::view<TcpSegment>(frame.subspan(l4_offset, l4_size));
}
inline UdpDatagram FrameHeaders::udp(Bytes frame) const {
    return detail::DecodeAccess::view<UdpDatagram>(frame.subspan(l4_offset, l4_size));
}

}  // namespace tapd::wire
