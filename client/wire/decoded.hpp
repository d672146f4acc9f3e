// Decoded and FrameHeaders, what decode() and decode_headers() (decode.hpp) fill in, and the
// out-of-line parts of the decoder they call.
#pragma once

#include <array>
#include <cstring>

#include "wire/arp.hpp"
#include "wire/checksum.hpp"
#include "wire/error.hpp"
#include "wire/ethernet.hpp"
#include "wire/icmpv4.hpp"
#include "wire/icmpv6.hpp"
#include "wire/ipv4.hpp"
#include "wire/ipv6.hpp"
#include "wire/llc.hpp"
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
    // IEEE 802.3 framing: the field after the addresses or the last 802.1Q tag is a length
    // (Decoded::ethertype holds it), the payload an LLC header (kHasLlc once it passed its
    // check) or Novell's raw IPX. See llc.hpp for which values count as a length.
    kHasIeee8023 = 1u << 9,
    kHasLlc = 1u << 10,
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
    // The EtherType of the network layer, after any tags; in an 802.3 frame (kHasIeee8023)
    // the length in its place.
    uint16_t ethertype = 0;
    uint16_t l3_offset = 0;  // frame offset of the network layer (or the LLC header)
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
    LlcHeader llc;
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

namespace detail {

// The decoder for every frame, out of line; decode() calls it when its fast path gives up.
void decode_general(Bytes frame, Decoded& d, const DecodeFlags& flags, size_t wire_len);
// Out-of-line parts of the fast path: the TCP option walk for options other than the
// NOP,NOP,timestamps block of an established connection (header: the TCP header, whose data
// offset, at least 5 words, is known to fit); the ICMPv6 check of NDP messages other than a
// neighbour solicitation or advertisement with at most one 8-byte option; and checksum
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

}  // namespace detail
}  // namespace tapd::wire
