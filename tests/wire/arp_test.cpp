// Tests for ARP packets (RFC 826), from byte arrays.
#include <gtest/gtest.h>

#include "samples.hpp"
#include "wire/arp.hpp"

namespace tapd::wire {
namespace {

using test::hex;

TEST(ArpPacket, ReadsAnEthernetIpv4Request) {
    auto b = hex(test::kArpRequest);
    auto p = ArpPacket::check(Bytes(b).subspan(14));
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(p->is_ethernet_ipv4());
    EXPECT_EQ(p->oper(), arp::kOpRequest);
    EXPECT_EQ(p->len(), 28u);
    auto r = ArpRepr::parse(*p);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->spa, *parse_ipv4("192.168.69.1"));
    EXPECT_EQ(r->tpa, *parse_ipv4("192.168.69.100"));
    EXPECT_EQ(r->sha, *parse_mac("02:00:00:00:00:01"));
}

TEST(ArpPacket, RejectsEveryTruncation) {
    auto b = hex(test::kArpRequest);
    Bytes arp = Bytes(b).subspan(14);
    for (size_t n = 0; n < 28; ++n) {
        auto p = ArpPacket::check(arp.first(n));
        ASSERT_FALSE(p.ok()) << n;
        EXPECT_EQ(p.error().reason, Reason::Truncated);
    }
}

TEST(ArpPacket, RejectsAddressLengthsPastTheBuffer) {
    auto b = hex("0001 0800 ff 04 0001");  // hlen 255 needs 8 + 2*(255+4) bytes
    b.resize(28);
    auto p = ArpPacket::check(b);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().reason, Reason::Truncated);
    EXPECT_EQ(p.error().value, 8u + 2 * (255 + 4));
    EXPECT_EQ(p.error().offset, ArpPacket::kHlen);
}

TEST(ArpRepr, RefusesToDescribeNonEthernetAddresses) {
    auto b = hex("0006 0800 08 04 0001");  // 8-byte hardware addresses
    b.resize(8 + 2 * (8 + 4));
    auto p = ArpPacket::check(b);
    ASSERT_TRUE(p.ok());
    auto r = ArpRepr::parse(*p);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().reason, Reason::UnsupportedAddresses);
}

TEST(ArpRepr, EmitsTheBytesScapyBuilt) {
    ArpRepr r;
    r.oper = arp::kOpRequest;
    r.sha = *parse_mac("02:00:00:00:00:01");
    r.spa = *parse_ipv4("192.168.69.1");
    r.tpa = *parse_ipv4("192.168.69.100");
    std::vector<std::byte> out(ArpRepr::buffer_len());
    r.emit(out);
    auto b = hex(test::kArpRequest);
    EXPECT_EQ(out, std::vector<std::byte>(b.begin() + 14, b.end()));
}

}  // namespace
}  // namespace tapd::wire
