// decode(): one Ethernet frame into per-layer views, checksum verdicts and the first error;
// decode_headers(): the same checks, reduced to where the layers are.
#pragma once

#include "wire/decode_fast.hpp"
#include "wire/decoded.hpp"

namespace tapd::wire {

// Decodes frame as Ethernet II, or as IEEE 802.3 with an LLC header where a length stands in
// the type field. Never throws, never allocates; every layer that passed its check stays usable
// when a later one fails, and no layer after one that failed is decoded.
//
// wire_len is the frame's length on the wire (a capture record's orig_len); 0 means the frame
// is whole. When wire_len exceeds frame.size() the capture was cut (snaplen): IP/UDP lengths
// past the end are expected, upper-layer checksums become Unverified and no error is recorded.
// In a whole frame the same lengths are malformed (tshark: "total length exceeds packet
// length"): the error is recorded, decoding continues over the bytes present, and checksums are
// verified over those bytes, as tshark does.
//
// Most frames take an inline fast path (decode_fast.hpp) for Ethernet, one VLAN tag, ARP, IPv4
// without options or fragmentation, IPv6 without extension headers, and TCP, UDP, ICMP and
// ICMPv6 whose lengths all fit. It validates the same lengths and options as the general
// decoder; anything else (an error, a cut, options the fast path does not recognise, fragments,
// extension headers, stacked tags, 802.3 lengths) goes to detail::decode_general(), which
// decodes the frame again from the start.
// The two give identical results (tests/wire/decode_test.cpp compares them field by field).
inline void decode(Bytes frame, Decoded& out, const DecodeFlags& flags = {}, size_t wire_len = 0);

// decode() without checksums, reduced to FrameHeaders: the same checks of every length and
// option (and the same general decoder for frames off the fast path), so layers, offsets,
// l4_proto and has_error always equal what decode(frame, d, {.verify_checksums = false},
// wire_len) puts in d. Never throws, never allocates. Returns !has_error.
inline bool decode_headers(Bytes frame, FrameHeaders& out, size_t wire_len = 0);

// Always inline: the fast path is meant to be compiled into the caller's loop, which is where
// its cost is lowest (a call would save and restore registers around every frame).
[[gnu::always_inline]] inline void decode(Bytes frame, Decoded& out, const DecodeFlags& flags,
                                          size_t wire_len) {
    if (!detail::decode_fast(frame, out, flags, wire_len)) [[unlikely]]
        detail::decode_general(frame, out, flags, wire_len);
}

[[gnu::always_inline]] inline bool decode_headers(Bytes frame, FrameHeaders& out, size_t wire_len) {
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
