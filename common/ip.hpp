// IpAddress and Prefix: parsed, normalised IPv4/IPv6 values for addresses ("ADDR/PLEN") and routes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "result.hpp"

namespace tapd {

struct IpAddress {
    int family = 0;                   // AF_INET or AF_INET6
    std::array<uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4

    int bits() const;            // 32 or 128
    std::string str() const;     // canonical text (inet_ntop)
    bool is_link_local() const;  // fe80::/10 or 169.254.0.0/16
    friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// An address with a prefix length. As an interface address ("192.168.69.100/24") it keeps its host
// bits; as a route or policy prefix it must have none (checked by parse_network()).
struct Prefix {
    IpAddress address;
    uint8_t length = 0;

    Prefix network() const;                    // host bits cleared
    bool contains(const Prefix& other) const;  // other lies entirely inside this
    bool overlaps(const Prefix& other) const;  // one contains the other
    bool contains(const IpAddress& address) const;
    std::string str() const;  // "ADDR/PLEN"
    friend bool operator==(const Prefix&, const Prefix&) = default;
};

// Parses "ADDR" (IPv4 dotted quad or IPv6 text, no zone index).
Result<IpAddress> parse_ip_address(std::string_view text);
// Parses "ADDR/PLEN" as an interface address: PLEN is required; host bits are kept.
Result<Prefix> parse_interface_address(std::string_view text);
// Parses "PREFIX/PLEN" as a network: host bits must be zero ("fdaa::1/64" is refused, naming
// the network meant). PLEN is required, as for addresses: a host route is written "ADDR/32" or
// "ADDR/128", and "ADDR" alone is refused by name.
Result<Prefix> parse_network(std::string_view text);

}  // namespace tapd
