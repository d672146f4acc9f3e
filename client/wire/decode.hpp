// decode(): one Ethernet frame into per-layer views, checksum verdicts and the first error.
#pragma once

#include <array>

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

    Bytes frame;
    uint32_t layers = 0;  // LayerBit set for each layer whose check passed

    EthernetFrame eth;
    uint8_t vlan_count = 0;
    std::array<VlanTag, kMaxVlans> vlans{};        // outermost first
    std::array<uint16_t, kMaxVlans> vlan_tpids{};  // 0x8100, 0x88a8 or 0x9100 for each tag
    uint16_t ethertype = 0;                        // of the network layer, after any tags
    uint16_t l3_offset = 0;                        // frame offset of the network layer

    ArpPacket arp;
    Ipv4Packet ipv4;
    Ipv6Packet ipv6;
    Ipv6Chain ipv6_chain;
    // IP fragments (IPv4 MF/offset or an IPv6 fragment header): non-first fragments carry no
    // upper-layer header, and no fragment's upper-layer checksum can be verified alone.
    bool fragment = false;
    bool snaplen_cut = false;  // wire_len > captured bytes
    // Upper-layer length: as the IP header declares it, or in a whole frame whose IP length
    // runs past its end, the bytes present.
    uint32_t l4_len = 0;
    uint8_t l4_proto = 0;    // IPv4 protocol or the IPv6 upper-layer next header
    uint16_t l4_offset = 0;  // frame offset of the upper layer
    TcpSegment tcp;
    UdpDatagram udp;
    Icmpv4Packet icmp;
    Icmpv6Packet icmpv6;

    ChecksumStatus ip_checksum = ChecksumStatus::Unverified;
    ChecksumStatus l4_checksum = ChecksumStatus::Unverified;

    bool has_error = false;
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
void decode(Bytes frame, Decoded& out, const DecodeFlags& flags = {}, size_t wire_len = 0);

}  // namespace tapd::wire
