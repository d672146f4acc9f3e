// The Internet checksum (RFC 1071) and the IPv4/IPv6 pseudo-headers TCP, UDP and ICMPv6 cover.
#pragma once

#include <cstdint>

#include "wire/address.hpp"
#include "wire/bytes.hpp"

namespace tapd::wire {

// Verdicts with the numbers tshark gives its *.checksum.status fields (proto.h
// PROTO_CHECKSUM_E_*), so JSON output compares directly.
enum class ChecksumStatus : uint8_t {
    Bad = 0,
    Good = 1,
    Unverified = 2,  // not all of the covered bytes were captured, or an IP fragment
    NotPresent = 3,  // UDP over IPv4 with checksum 0 (RFC 768)
    Illegal = 4,     // UDP over IPv6 with checksum 0 (RFC 8200 8.1 forbids it)
};

const char* to_string(ChecksumStatus s);

namespace checksum {

// One's-complement sum of data as big-endian 16-bit words, added to acc; an odd trailing byte is
// padded with zero. The result is unfolded: pass it to fold().
uint64_t accumulate(Bytes data, uint64_t acc = 0);

// Folds a 64-bit accumulator into the 16-bit one's-complement sum (not yet inverted).
inline uint16_t fold(uint64_t acc) {
    acc = (acc & 0xffffffff) + (acc >> 32);
    acc = (acc & 0xffffffff) + (acc >> 32);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    return static_cast<uint16_t>(acc);
}

// The field value to store: the complement of the folded sum.
inline uint16_t finish(uint64_t acc) {
    return static_cast<uint16_t>(~fold(acc));
}

// A region whose checksum field is included verifies when its folded sum is 0xffff.
inline bool verifies(uint64_t acc) {
    return fold(acc) == 0xffff;
}

// Pseudo-header sums: RFC 793 3.1 / RFC 768 for IPv4, RFC 8200 8.1 for IPv6. length is the
// upper-layer length (TCP header plus data, UDP length field, ICMPv6 message length).
uint64_t pseudo_header(const Ipv4Address& src, const Ipv4Address& dst, uint8_t proto,
                       uint32_t length);
uint64_t pseudo_header(const Ipv6Address& src, const Ipv6Address& dst, uint8_t next_header,
                       uint32_t length);

}  // namespace checksum
}  // namespace tapd::wire
