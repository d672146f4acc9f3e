// Tests for ICMP (RFC 792) and ICMPv6 with Neighbor Discovery (RFC 4443, RFC 4861).
#include <gtest/gtest.h>

#include "samples.hpp"
#include "wire/icmpv4.hpp"
#include "wire/icmpv6.hpp"
#include "wire/ipv6.hpp"

namespace tapd::wire {
namespace {

using test::hex;

TEST(Icmpv4Packet, ReadsAnEchoRequest) {
    auto b = hex(test::kIcmpEcho);
    auto m = Icmpv4Packet::check(Bytes(b).subspan(34));
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->type(), icmp::kEchoRequest);
    EXPECT_EQ(m->code(), 0);
    EXPECT_TRUE(m->is_echo());
    EXPECT_EQ(m->echo_ident(), 0x42);
    EXPECT_EQ(m->echo_seq(), 1);
    EXPECT_EQ(m->data().size(), 8u);
    EXPECT_TRUE(m->checksum_ok());
}

TEST(Icmpv4Packet, RejectsEveryBufferShorterThanEightBytes) {
    auto b = hex(test::kIcmpEcho);
    for (size_t n = 0; n < 8; ++n) {
        auto m = Icmpv4Packet::check(Bytes(b).subspan(34, n));
        ASSERT_FALSE(m.ok());
        EXPECT_EQ(m.error().layer, Layer::Icmp);
    }
}

TEST(Icmpv4Repr, EmitsTheEchoScapyBuilt) {
    auto b = hex(test::kIcmpEcho);
    auto data = hex("6162636465666768");
    auto r = Icmpv4Repr::echo(true, 0x42, 1, data);
    std::vector<std::byte> out(r.buffer_len());
    r.emit(out);
    EXPECT_TRUE(std::ranges::equal(out, Bytes(b).subspan(34)));
    auto m = Icmpv4Packet::check(out);
    EXPECT_EQ(Icmpv4Repr::parse(*m), r);
}

TEST(Icmpv6Packet, ReadsANeighborSolicitationWithItsSourceLinkLayerAddress) {
    auto b = hex(test::kIcmp6Ns);
    auto ip = Ipv6Packet::check(Bytes(b).subspan(14));
    ASSERT_TRUE(ip.ok());
    auto m = Icmpv6Packet::check(ip->payload());
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->type(), icmpv6::kNeighborSolicit);
    EXPECT_TRUE(m->is_ndp());
    EXPECT_EQ(m->target(), *parse_ipv6("fe80::2"));
    EXPECT_TRUE(m->checksum_ok(ip->src(), ip->dst()));
    EXPECT_FALSE(m->checksum_ok(ip->src(), *parse_ipv6("ff02::1")));  // wrong pseudo-header
    NdpOptionIter it(m->ndp_options());
    NdpOption o;
    ASSERT_TRUE(it.next(o));
    EXPECT_EQ(o.type, icmpv6::kOptSourceLladdr);
    EXPECT_EQ(o.lladdr(), parse_mac("02:00:00:00:00:01"));
    EXPECT_FALSE(it.next(o));
    auto r = NdpRepr::parse(*m);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->lladdr, parse_mac("02:00:00:00:00:01"));
}

TEST(Icmpv6Packet, RejectsAnNdpOptionOfLengthZero) {
    auto b = hex(test::kIcmp6Ns);
    std::vector<std::byte> m(b.begin() + 54, b.end());
    m[24 + 1] = std::byte{0};
    auto p = Icmpv6Packet::check(m);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().reason, Reason::BadOptionLength);
    EXPECT_EQ(p.error().offset, 25u);
}

TEST(Icmpv6Packet, RejectsAnNdpOptionLongerThanTheMessage) {
    auto b = hex(test::kIcmp6Ns);
    std::vector<std::byte> m(b.begin() + 54, b.end());
    m[24 + 1] = std::byte{2};
    auto p = Icmpv6Packet::check(m);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().reason, Reason::Truncated);
    EXPECT_EQ(p.error().value, 40u);
    EXPECT_EQ(p.error().limit, 32u);
}

TEST(Icmpv6Packet, RejectsEveryTruncationOfANeighborSolicitation) {
    auto b = hex(test::kIcmp6Ns);
    Bytes m = Bytes(b).subspan(54);
    for (size_t n = 0; n < m.size(); ++n) {
        auto p = Icmpv6Packet::check(m.first(n));
        // Cut right after the fixed part, the message is a whole option-less solicitation.
        ASSERT_EQ(p.ok(), n == 24) << n;
        if (!p.ok()) {
            EXPECT_EQ(p.error().reason, Reason::Truncated) << n;
        }
    }
    EXPECT_TRUE(Icmpv6Packet::check(m).ok());
}

TEST(NdpRepr, RoundTripsARouterAdvertisementWithMtuAndPrefix) {
    NdpRepr r;
    r.type = icmpv6::kRouterAdvert;
    r.cur_hop_limit = 64;
    r.flags = 0x40;
    r.router_lifetime = 1800;
    r.reachable_time = 30000;
    r.retrans_timer = 1000;
    r.lladdr = parse_mac("02:00:00:00:00:09");
    r.mtu = 1500;
    r.prefix = NdpPrefixInfo{64, 0xc0, 86400, 14400, *parse_ipv6("2001:db8:1::")};
    auto src = *parse_ipv6("fe80::9"), dst = *parse_ipv6("ff02::1");
    std::vector<std::byte> out(r.buffer_len());
    r.emit(out, src, dst);
    auto m = Icmpv6Packet::check(out);
    ASSERT_TRUE(m.ok());
    EXPECT_TRUE(m->checksum_ok(src, dst));
    auto back = NdpRepr::parse(*m);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, r);
}

TEST(NdpRepr, RoundTripsANeighborAdvertisementWithTargetLinkLayerAddress) {
    NdpRepr r;
    r.type = icmpv6::kNeighborAdvert;
    r.flags = 0x60;
    r.target = *parse_ipv6("fe80::2");
    r.lladdr = parse_mac("02:00:00:00:00:02");
    auto src = *parse_ipv6("fe80::2"), dst = *parse_ipv6("fe80::1");
    std::vector<std::byte> out(r.buffer_len());
    r.emit(out, src, dst);
    auto m = Icmpv6Packet::check(out);
    ASSERT_TRUE(m.ok());
    NdpOptionIter it(m->ndp_options());
    NdpOption o;
    ASSERT_TRUE(it.next(o));
    EXPECT_EQ(o.type, icmpv6::kOptTargetLladdr);
    EXPECT_EQ(*NdpRepr::parse(*m), r);
}

TEST(Icmpv6Repr, RoundTripsAPacketTooBig) {
    auto quoted = hex("6000000000000000");
    Icmpv6Repr r{icmpv6::kPacketTooBig, 0, 1280, quoted};
    auto src = *parse_ipv6("2001:db8::1"), dst = *parse_ipv6("2001:db8::2");
    std::vector<std::byte> out(r.buffer_len());
    r.emit(out, src, dst);
    auto m = Icmpv6Packet::check(out);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->mtu(), 1280u);
    EXPECT_TRUE(m->is_error());
    EXPECT_TRUE(m->checksum_ok(src, dst));
    EXPECT_EQ(Icmpv6Repr::parse(*m), r);
}

}  // namespace
}  // namespace tapd::wire
