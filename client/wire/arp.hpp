// ARP (RFC 826) packets: a view for any address sizes, a repr for Ethernet/IPv4.
#pragma once

#include "wire/address.hpp"
#include "wire/bytes.hpp"
#include "wire/error.hpp"

namespace tapd::wire {

namespace arp {
inline constexpr uint16_t kHtypeEthernet = 1;
inline constexpr uint16_t kOpRequest = 1;
inline constexpr uint16_t kOpReply = 2;
}  // namespace arp

class ArpPacket {
  public:
    static constexpr size_t kHtype = 0;
    static constexpr size_t kPtype = 2;
    static constexpr size_t kHlen = 4;
    static constexpr size_t kPlen = 5;
    static constexpr size_t kOper = 6;
    static constexpr size_t kAddresses = kOper + 2;
    static constexpr size_t kFixedLen = kAddresses;

    ArpPacket() = default;
    // Checks the fixed part, then that the four addresses (2*hlen + 2*plen bytes) fit.
    static Checked<ArpPacket> check(Bytes b);

    uint16_t htype() const { return get16(buf_, kHtype); }
    uint16_t ptype() const { return get16(buf_, kPtype); }
    uint8_t hlen() const { return get8(buf_, kHlen); }
    uint8_t plen() const { return get8(buf_, kPlen); }
    uint16_t oper() const { return get16(buf_, kOper); }
    Bytes sha() const { return buf_.subspan(kAddresses, hlen()); }
    Bytes spa() const { return buf_.subspan(kAddresses + hlen(), plen()); }
    Bytes tha() const { return buf_.subspan(kAddresses + hlen() + plen(), hlen()); }
    Bytes tpa() const { return buf_.subspan(kAddresses + 2 * hlen() + plen(), plen()); }
    size_t len() const { return kAddresses + 2u * (hlen() + plen()); }
    // Bytes after the four addresses: Ethernet padding, usually.
    Bytes bytes_after() const { return buf_.subspan(len()); }
    // True for the Ethernet/IPv4 form (hlen 6, plen 4, ptype 0x0800) that ArpRepr describes.
    bool is_ethernet_ipv4() const {
        return htype() == arp::kHtypeEthernet && ptype() == 0x0800 && hlen() == 6 && plen() == 4;
    }

  private:
    friend struct detail::DecodeAccess;
    explicit ArpPacket(Bytes b) : buf_(b) {}
    Bytes buf_;
};

struct ArpRepr {
    uint16_t oper = arp::kOpRequest;
    MacAddress sha;
    Ipv4Address spa;
    MacAddress tha;
    Ipv4Address tpa;

    // Fails with UnsupportedAddresses unless the packet is Ethernet/IPv4.
    static Checked<ArpRepr> parse(const ArpPacket& p);
    static constexpr size_t buffer_len() { return ArpPacket::kAddresses + 2 * (6 + 4); }
    void emit(MutBytes out) const;
    bool operator==(const ArpRepr&) const = default;
};

}  // namespace tapd::wire
