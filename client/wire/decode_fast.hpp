// decode()'s inline fast path (decode.hpp): the common whole frames, decoded with the fewest
// instructions, into a Decoded or a FrameHeaders.
#pragma once

#include <bit>
#include <cstring>
#include <type_traits>

#include "wire/decoded.hpp"

namespace tapd::wire::detail {

// The fast path (decode_fast() below and its parts) is written for the instruction count of
// the common frames, which is what limits a loop over frames in cache:
// - checks that good frames pass are branches that are never taken: a compare and a jump,
//   which the core fuses into one operation, the cheapest check there is;
// - each part is compiled once per frame shape it sees (with or without a VLAN tag, IPv4 or
//   IPv6), so that offsets, layer bits and most of Decoded's scalar fields are constants;
// - those fields are written together at the end (fast_finish()), where the compiler combines
//   neighbouring constant stores into one.

// The bytes of an IPv4 header that must hold given values on the fast path, as a 64-bit load
// of its first 8 bytes sees them: version/IHL (byte 0) 0x45, and the flags/fragment offset
// field (bytes 6-7) without MF and with offset 0 (the reserved and DF flags may be set).
inline constexpr uint64_t kIpv4FastMask =
    std::endian::native == std::endian::little ? 0xff3f0000000000ffull : 0xff00000000003fffull;
inline constexpr uint64_t kIpv4FastValue =
    std::endian::native == std::endian::little ? 0x45ull : 0x4500000000000000ull;

// Ethernet, one tag and a minimal IPv4 header: with at least this many bytes every read before
// a network layer's own length checks is inside the frame. Shorter frames (IP packets without
// an upper layer, unusually short ARP packets, runts) go to the general decoder.
inline constexpr size_t kFastMinLen =
    EthernetFrame::kHeaderLen + VlanTag::kHeaderLen + Ipv4Packet::kMinHeaderLen;

inline bool is_vlan_tpid(uint16_t t) {
    return t == ethertype::kVlan || t == ethertype::kQinQ || t == ethertype::kQinQOld;
}

// The fields that every frame on the fast path sets last, written together. kTagged: 0 or 1
// VLAN tag; kType: the EtherType after it; the IP header checksum is Unverified unless the
// frame is IPv6 (decode() verifies checksums afterwards when asked to). l4_size (FrameHeaders)
// is the caller's.
template <uint32_t kTagged, uint16_t kType, class Out>
[[gnu::always_inline]] inline void fast_finish(Out& d, uint32_t layers, uint8_t proto,
                                               uint16_t l4_offset, size_t l4_len, bool cut) {
    d.layers = layers;
    d.ethertype = kType;
    d.l3_offset = EthernetFrame::kHeaderLen + VlanTag::kHeaderLen * kTagged;
    d.l4_offset = l4_offset;
    d.l4_proto = proto;
    d.has_error = false;
    if constexpr (std::is_same_v<Out, Decoded>) {
        d.l4_len = static_cast<uint32_t>(l4_len);
        d.vlan_count = kTagged;
        d.fragment = false;
        d.ip_checksum =
            kType == ethertype::kIpv6 ? ChecksumStatus::NotPresent : ChecksumStatus::Unverified;
        d.l4_checksum = ChecksumStatus::Unverified;
        d.snaplen_cut = cut;
        // No extension headers. (Written here, once the frame is known to stay on the fast
        // path: the general decoder leaves the chain alone for a frame whose chain it rejects.)
        if constexpr (kType == ethertype::kIpv6)
            d.ipv6_chain.set_no_extensions(proto);
        else
            d.ipv6_chain.count = 0;
    }
}

// The upper layer q (len bytes, as the IP header declares; all in the frame) of an IPv4
// (kType kIpv4) or IPv6 packet, then every field not written yet.
template <uint32_t kTagged, uint16_t kType, class Out>
[[gnu::always_inline]] inline bool decode_fast_l4(Out& d, const DecodeFlags& flags, size_t wire_len,
                                                  const std::byte* p, size_t n, const std::byte* q,
                                                  size_t len, uint8_t proto, uint32_t layers) {
    constexpr bool kFull = std::is_same_v<Out, Decoded>;
    constexpr bool kV6 = kType == ethertype::kIpv6;
    using A = DecodeAccess;
    const uint16_t l4_offset = static_cast<uint16_t>(q - p);  // a constant
    const bool cut = wire_len > n;
    if (proto == ipproto::kTcp) [[likely]] {
        // The common header, checked with few instructions: data offset 8 words (32 bytes)
        // holding NOP, NOP, timestamps (length 10), as every segment of a connection using
        // RFC 7323 carries. Anything else (no options, SYN options, a short segment) is checked
        // in full below.
        if (len < TcpSegment::kMinHeaderLen + 12 ||
            static_cast<uint8_t>(q[TcpSegment::kDataOffset]) >> 4 != 8 ||
            load_be32(q + TcpSegment::kMinHeaderLen) != 0x0101080a) [[unlikely]] {
            if (len < TcpSegment::kMinHeaderLen) return false;
            size_t hl = (static_cast<uint8_t>(q[TcpSegment::kDataOffset]) >> 4) * 4u;
            if (hl < TcpSegment::kMinHeaderLen || hl > len) return false;
            if (hl != TcpSegment::kMinHeaderLen && !tcp_options_valid(Bytes(q, hl))) return false;
        }
        if constexpr (kFull)
            d.tcp = A::view<TcpSegment>(q, len);
        else
            d.l4_size = static_cast<uint16_t>(len);
        fast_finish<kTagged, kType>(d, layers | kHasTcp, ipproto::kTcp, l4_offset, len, cut);
    } else if (proto == ipproto::kUdp) {
        if (len < UdpDatagram::kHeaderLen) return false;
        size_t ulen = load_be16(q + UdpDatagram::kLength);
        if (ulen < UdpDatagram::kHeaderLen || ulen > len) return false;
        if constexpr (kFull)
            d.udp = A::view<UdpDatagram>(q, ulen);
        else
            d.l4_size = static_cast<uint16_t>(ulen);
        fast_finish<kTagged, kType>(d, layers | kHasUdp, ipproto::kUdp, l4_offset, len, cut);
        if constexpr (kFull) {
            // RFC 768 lets IPv4 senders omit the checksum; RFC 8200 8.1 forbids that over IPv6.
            constexpr ChecksumStatus kZero =
                kV6 ? ChecksumStatus::Illegal : ChecksumStatus::NotPresent;
            if (load_be16(q + UdpDatagram::kChecksum) == 0) d.l4_checksum = kZero;
        }
    } else if (proto == (kV6 ? ipproto::kIcmpv6 : ipproto::kIcmp)) {
        if constexpr (kV6) {
            // Inline: a message that is not NDP (only its 4-byte header is checked), and a
            // neighbour solicitation or advertisement (24 bytes) with one 8-byte link-layer
            // address option or none; any other NDP message is checked out of line.
            if (len < Icmpv6Packet::kHeaderLen) return false;
            uint8_t t = static_cast<uint8_t>(q[Icmpv6Packet::kType]);
            bool ndp = t >= icmpv6::kRouterSolicit && t <= icmpv6::kRedirect;
            bool ns_na = (t == icmpv6::kNeighborSolicit || t == icmpv6::kNeighborAdvert) &&
                         (len == 24 || (len == 32 && static_cast<uint8_t>(q[25]) == 1));
            if (ndp && !ns_na && !icmpv6_valid(Bytes(q, len))) return false;
        } else {
            if (len < Icmpv4Packet::kHeaderLen) return false;
        }
        if constexpr (!kFull)
            d.l4_size = static_cast<uint16_t>(len);
        else if constexpr (kV6)
            d.icmpv6 = A::view<Icmpv6Packet>(q, len);
        else
            d.icmp = A::view<Icmpv4Packet>(q, len);
        fast_finish<kTagged, kType>(d, layers | (kV6 ? kHasIcmpv6 : kHasIcmp), proto, l4_offset,
                                    len, cut);
    } else {
        if (kV6 && is_ipv6_extension(proto)) return false;
        if constexpr (!kFull) d.l4_size = 0;
        fast_finish<kTagged, kType>(d, layers, proto, l4_offset, len, cut);
    }
    if constexpr (kFull) {
        if (flags.verify_checksums) verify_checksums(d);
    }
    return true;
}

// The network layer of a frame with kTagged VLAN tags (0 or 1) whose EtherType after any tag
// is type; n >= kFastMinLen.
template <uint32_t kTagged, class Out>
[[gnu::always_inline]] inline bool decode_fast_l3(Bytes frame, Out& d, const DecodeFlags& flags,
                                                  size_t wire_len, uint16_t type) {
    constexpr bool kFull = std::is_same_v<Out, Decoded>;
    using A = DecodeAccess;
    constexpr size_t at = EthernetFrame::kHeaderLen + VlanTag::kHeaderLen * kTagged;
    constexpr uint32_t layers = kHasEth | (kTagged ? uint32_t{kHasVlan} : 0u);
    const std::byte* p = frame.data();
    const size_t n = frame.size();
    const std::byte* ip = p + at;
    const size_t avail = n - at;  // at least Ipv4Packet::kMinHeaderLen
    if constexpr (kFull) {
        d.frame = frame;
        d.eth = A::view<EthernetFrame>(frame);
    }
    if (type == ethertype::kIpv4) [[likely]] {
        // One test for version 4 without options (0x45) and for no MF flag and no fragment
        // offset: the first 8 header bytes in memory order, masked.
        uint64_t first8;
        std::memcpy(&first8, ip, 8);
        if ((first8 & kIpv4FastMask) != kIpv4FastValue) return false;
        size_t total = load_be16(ip + Ipv4Packet::kTotalLen);
        // A total length that holds the header and fits the frame.
        size_t len = total - Ipv4Packet::kMinHeaderLen;
        if (len > avail - Ipv4Packet::kMinHeaderLen) return false;  // also total < 20
        if constexpr (kFull)
            d.ipv4 = A::view<Ipv4Packet>(ip, total);
        else
            d.l3_size = static_cast<uint16_t>(total);
        return decode_fast_l4<kTagged, ethertype::kIpv4>(
            d, flags, wire_len, p, n, ip + Ipv4Packet::kMinHeaderLen, len,
            static_cast<uint8_t>(ip[Ipv4Packet::kProto]), layers | kHasIpv4);
    }
    if (type == ethertype::kIpv6) {
        size_t len = load_be16(ip + Ipv6Packet::kPayloadLen);
        // plen + 40 <= avail also proves the 40-byte header is there; avail >= 20 covers the
        // reads up to here.
        if (len + Ipv6Packet::kHeaderLen > avail) return false;
        uint8_t proto = static_cast<uint8_t>(ip[Ipv6Packet::kNextHeader]);
        // (Extension headers, which the fast path leaves to the general decoder, are looked
        // for after TCP, UDP and ICMPv6, in decode_fast_l4().)
        if ((static_cast<uint8_t>(ip[Ipv6Packet::kVerTcFlow]) >> 4) != 6) return false;
        if constexpr (kFull) {
            d.ipv6 = A::view<Ipv6Packet>(ip, Ipv6Packet::kHeaderLen + len);
        } else {
            d.l3_size = static_cast<uint16_t>(Ipv6Packet::kHeaderLen + len);
        }
        return decode_fast_l4<kTagged, ethertype::kIpv6>(
            d, flags, wire_len, p, n, ip + Ipv6Packet::kHeaderLen, len, proto, layers | kHasIpv6);
    }
    if (is_vlan_tpid(type)) {
        // A second tag goes to the general decoder (which knows about several).
        if constexpr (kTagged) {
            return false;
        } else {
            if constexpr (kFull) {
                d.vlans[0] = A::view<VlanTag>(ip, avail);
                d.vlan_tpids[0] = type;
            }
            return decode_fast_l3<1>(frame, d, flags, wire_len,
                                     load_be16(ip + VlanTag::kEtherType));
        }
    }
    uint32_t l = layers;
    if (type == ethertype::kArp) {
        // avail >= 20 covers the fixed part.
        size_t need = ArpPacket::kAddresses + 2u * (static_cast<uint8_t>(ip[ArpPacket::kHlen]) +
                                                    static_cast<uint8_t>(ip[ArpPacket::kPlen]));
        if (avail < need) return false;
        if constexpr (kFull)
            d.arp = A::view<ArpPacket>(ip, avail);
        else
            d.l3_size = static_cast<uint16_t>(avail);
        l |= kHasArp;
    } else {
        // An 802.3 length, or a value that is neither length nor type: the general decoder.
        if (type < ethertype::kMinType) return false;
        if constexpr (!kFull) d.l3_size = 0;
    }
    if constexpr (!kFull) d.l4_size = 0;
    // kType 0: the IP header checksum is Unverified, as for IPv4; then the real EtherType.
    fast_finish<kTagged, 0>(d, l, 0, 0, 0, wire_len > n);
    d.ethertype = type;
    return true;
}

// Decodes the common whole frames into d (a Decoded, or a FrameHeaders); returns false (leaving
// d for the general decoder to reset) as soon as the frame needs anything else. Every read is
// behind a length check.
template <class Out>
[[gnu::always_inline]] inline bool decode_fast(Bytes frame, Out& d, const DecodeFlags& flags,
                                               size_t wire_len) {
    const size_t n = frame.size();
    // Offsets are 16-bit in Decoded; a longer frame is left to the general decoder, and so is
    // a frame too short for the network layer's fixed reads (see kFastMinLen).
    if (n - kFastMinLen > 0xffff - kFastMinLen) [[unlikely]]
        return false;
    return decode_fast_l3<0>(frame, d, flags, wire_len,
                             load_be16(frame.data() + EthernetFrame::kEtherType));
}

}  // namespace tapd::wire::detail
