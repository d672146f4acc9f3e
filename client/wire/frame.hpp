// FrameRepr: a whole Ethernet frame as values, built into a caller buffer and parsed back.
#pragma once

#include <array>

#include "wire/decode.hpp"

namespace tapd::wire {

// One frame from Ethernet to the upper layer. emit() derives every field that links layers (the
// EtherTypes, IP protocol / next headers, payload and total lengths) and every checksum, so
// callers set only the values that matter; complete() stores those derived values, after which
// FrameRepr::parse(decode(emit(x))) == x.
struct FrameRepr {
    enum class Net : uint8_t { None, Arp, Ipv4, Ipv6 };
    enum class Transport : uint8_t { None, Tcp, Udp, Icmp, Icmpv6, Ndp };
    static constexpr size_t kMaxExt = 4;

    EthernetRepr eth;
    uint8_t vlan_count = 0;
    std::array<VlanRepr, Decoded::kMaxVlans> vlans{};  // tpid of each is kept, outermost first
    Net net = Net::None;
    ArpRepr arp;
    Ipv4Repr ipv4;
    Ipv6Repr ipv6;
    uint8_t ext_count = 0;
    std::array<Ipv6ExtRepr, kMaxExt> ext{};
    Transport l4 = Transport::None;
    TcpRepr tcp;
    UdpRepr udp;
    Icmpv4Repr icmp;
    Icmpv6Repr icmpv6;
    NdpRepr ndp;
    // Bytes after the last header this repr describes: the network payload when net or l4 is
    // None (then the upper-layer protocol number is kept as set, e.g. for IP fragments).
    Bytes payload;

    // Fills the derived fields named above; emit() computes the same values on its own.
    void complete();
    // Exact size emit() writes.
    size_t buffer_len() const;
    // Writes the frame into out[0, buffer_len()); returns buffer_len(), or 0 (writing nothing)
    // when out is smaller.
    size_t emit(MutBytes out) const;
    // Fails when the decode recorded an error, or with BadOption for NDP messages NdpRepr cannot
    // hold (those frames still parse as a generic Icmpv6Repr when ndp_as_generic is set).
    static Checked<FrameRepr> parse(const Decoded& d, bool ndp_as_generic = false);

    bool operator==(const FrameRepr& o) const;
};

}  // namespace tapd::wire
