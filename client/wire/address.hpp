// Link and network addresses as values, with allocation-free text forms.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "wire/bytes.hpp"

namespace tapd::wire {

struct MacAddress {
    std::array<uint8_t, 6> b{};

    static MacAddress from(Bytes src) {
        MacAddress m;
        for (size_t i = 0; i < 6; ++i) m.b[i] = static_cast<uint8_t>(src[i]);
        return m;
    }
    bool operator==(const MacAddress&) const = default;
    bool is_broadcast() const {
        return b == std::array<uint8_t, 6>{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    }
    bool is_multicast() const { return b[0] & 1; }
    Bytes bytes() const { return as_bytes(b.data(), b.size()); }
};

struct Ipv4Address {
    std::array<uint8_t, 4> b{};

    static Ipv4Address from(Bytes src) {
        Ipv4Address a;
        for (size_t i = 0; i < 4; ++i) a.b[i] = static_cast<uint8_t>(src[i]);
        return a;
    }
    bool operator==(const Ipv4Address&) const = default;
    Bytes bytes() const { return as_bytes(b.data(), b.size()); }
};

struct Ipv6Address {
    std::array<uint8_t, 16> b{};

    static Ipv6Address from(Bytes src) {
        Ipv6Address a;
        for (size_t i = 0; i < 16; ++i) a.b[i] = static_cast<uint8_t>(src[i]);
        return a;
    }
    bool operator==(const Ipv6Address&) const = default;
    Bytes bytes() const { return as_bytes(b.data(), b.size()); }
};

// Longest text forms, without NUL: "ff:ff:ff:ff:ff:ff", "255.255.255.255", and the RFC 5952 form
// of an IPv6 address (at most 45 characters with an embedded IPv4 tail).
inline constexpr size_t kMacTextMax = 17;
inline constexpr size_t kIpv4TextMax = 15;
inline constexpr size_t kIpv6TextMax = 45;

// Each writes the text form at out and returns one past its last character; no NUL is written.
char* format(char* out, const MacAddress& a);
char* format(char* out, const Ipv4Address& a);
// RFC 5952: lowercase hex, leading zeros dropped, the longest run (first if tied) of two or more
// zero groups as "::", and IPv4-mapped addresses (::ffff:0:0/96) with a dotted-quad tail.
char* format(char* out, const Ipv6Address& a);

// Parsers for tests and tools; nullopt on anything but the canonical textual forms.
std::optional<MacAddress> parse_mac(std::string_view text);
std::optional<Ipv4Address> parse_ipv4(std::string_view text);
std::optional<Ipv6Address> parse_ipv6(std::string_view text);

}  // namespace tapd::wire
