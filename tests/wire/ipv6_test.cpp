// Tests for IPv6 packets and extension headers (RFC 8200), from byte arrays.
#include <gtest/gtest.h>

#include "samples.hpp"
#include "wire/ipv6.hpp"

namespace tapd::wire {
namespace {

using test::hex;

std::vector<std::byte> ip_of(std::string_view frame) {
    auto b = hex(frame);
    return {b.begin() + 14, b.end()};
}

// A 40-byte IPv6 header from 2001:db8::1 to 2001:db8::2 with next header nh and the given
// payload; the payload length field says payload's size.
std::vector<std::byte> ipv6_with(uint8_t nh, std::string_view payload_hex) {
    auto p = hex(payload_hex);
    Ipv6Repr r;
    r.src = *parse_ipv6("2001:db8::1");
    r.dst = *parse_ipv6("2001:db8::2");
    r.next_header = nh;
    r.payload_len = static_cast<uint16_t>(p.size());
    std::vector<std::byte> b(40);
    r.emit(b);
    b.insert(b.end(), p.begin(), p.end());
    return b;
}

TEST(Ipv6Packet, ReadsEveryHeaderField) {
    auto b =
        hex("6abcdef1 0004 11 40 20010db8000000000000000000000001 "
            "20010db8000000000000000000000002 01020304");
    auto p = Ipv6Packet::check(b);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->version(), 6);
    EXPECT_EQ(p->traffic_class(), 0xab);
    EXPECT_EQ(p->flow_label(), 0xcdef1u);
    EXPECT_EQ(p->payload_len(), 4);
    EXPECT_EQ(p->next_header(), ipproto::kUdp);
    EXPECT_EQ(p->hop_limit(), 64);
    EXPECT_EQ(p->src(), *parse_ipv6("2001:db8::1"));
    EXPECT_EQ(p->payload().size(), 4u);
    EXPECT_EQ(Ipv6Repr::parse(*p).flow_label, 0xcdef1u);
}

TEST(Ipv6Packet, RejectsEveryBufferShorterThanFortyBytes) {
    auto b = ip_of(test::kUdp6FragHbh);
    for (size_t n = 0; n < 40; ++n) {
        auto p = Ipv6Packet::check(Bytes(b).first(n));
        ASSERT_FALSE(p.ok());
        EXPECT_EQ(p.error().reason, Reason::Truncated);
    }
}

TEST(Ipv6Packet, RejectsAVersionOtherThanSix) {
    auto b = ip_of(test::kUdp6FragHbh);
    b[0] = std::byte{0x40};
    auto p = Ipv6Packet::check(b);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().reason, Reason::BadVersion);
    EXPECT_EQ(p.error().value, 4u);
}

TEST(Ipv6Packet, AcceptsAPayloadLengthPastTheBufferAsAShortCapture) {
    auto b = ipv6_with(ipproto::kUdp, "0001000200080000");
    b[5] = std::byte{200};
    auto p = Ipv6Packet::check(b);
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(p->payload_truncated());
    EXPECT_EQ(p->payload().size(), 8u);
}

TEST(Ipv6Chain, WalksHopByHopAndFragmentHeadersToUdp) {
    auto b = ip_of(test::kUdp6FragHbh);
    auto p = Ipv6Packet::check(b);
    ASSERT_TRUE(p.ok());
    auto c = Ipv6Chain::walk(*p);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->count, 2);
    EXPECT_EQ(c->headers[0].type(), ipproto::kHopOpts);
    EXPECT_EQ(c->headers[1].type(), ipproto::kFragment);
    EXPECT_EQ(c->upper_proto, ipproto::kUdp);
    EXPECT_EQ(c->upper_offset, 16);
    EXPECT_TRUE(c->fragment);
    EXPECT_FALSE(c->more_frags);
    EXPECT_EQ(c->frag_offset, 0);
    EXPECT_EQ(c->frag_ident, 0xabcdu);
}

TEST(Ipv6Chain, StopsAfterAFragmentHeaderWithANonzeroOffset) {
    // Fragment header: next UDP, offset 3 units, M set, then data that is not a UDP header.
    auto b = ipv6_with(ipproto::kFragment, "1100 0019 00000007 ffffffff");
    auto c = Ipv6Chain::walk(*Ipv6Packet::check(b));
    ASSERT_TRUE(c.ok());
    EXPECT_TRUE(c->fragment);
    EXPECT_TRUE(c->more_frags);
    EXPECT_EQ(c->frag_offset, 3);
    EXPECT_EQ(c->upper_proto, ipproto::kUdp);
}

TEST(Ipv6Chain, WalksRoutingAndDestinationOptionsHeaders) {
    // Routing (type 0 obsolete is fine to parse, RFC 5095 only forbids processing), then
    // destination options with a PadN, then no next header.
    auto b = ipv6_with(ipproto::kRouting, "3c00 0000 00000000  3b00 0104 00000000");
    auto c = Ipv6Chain::walk(*Ipv6Packet::check(b));
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->count, 2);
    EXPECT_EQ(c->headers[0].routing_type(), 0);
    EXPECT_EQ(c->headers[1].type(), ipproto::kDstOpts);
    EXPECT_EQ(c->upper_proto, ipproto::kNoNext);
}

TEST(Ipv6Chain, RejectsAnExtensionHeaderLongerThanThePayload) {
    auto b = ipv6_with(ipproto::kHopOpts, "1101 0000 00000000");  // claims 16 bytes, has 8
    auto c = Ipv6Chain::walk(*Ipv6Packet::check(b));
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().layer, Layer::Ipv6HopOpts);
    EXPECT_EQ(c.error().reason, Reason::Truncated);
    EXPECT_EQ(c.error().value, 16u);
}

TEST(Ipv6Chain, RejectsEveryTruncationOfAnExtensionHeader) {
    auto full = ipv6_with(ipproto::kDstOpts, "1100 0104 00000000");
    for (size_t n = 40; n < full.size(); ++n) {
        std::vector<std::byte> b(full.begin(), full.begin() + static_cast<long>(n));
        b[5] = std::byte(n - 40);
        auto c = Ipv6Chain::walk(*Ipv6Packet::check(b));
        ASSERT_FALSE(c.ok()) << n;
        EXPECT_EQ(c.error().reason, Reason::Truncated);
    }
}

TEST(Ipv6Chain, RejectsAnOptionRunningPastItsHeader) {
    auto b = ipv6_with(ipproto::kHopOpts, "1100 0105 00000000");  // PadN of 5 in 4 bytes
    auto c = Ipv6Chain::walk(*Ipv6Packet::check(b));
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().reason, Reason::BadOptionLength);
    EXPECT_EQ(c.error().offset, 3u);
}

TEST(Ipv6Chain, RejectsMoreExtensionHeadersThanItTracks) {
    std::string chain;
    for (size_t i = 0; i < Ipv6Chain::kMaxHeaders; ++i) chain += "3c00 0104 00000000 ";
    chain += "1100 0104 00000000";
    auto b = ipv6_with(ipproto::kDstOpts, chain);
    auto c = Ipv6Chain::walk(*Ipv6Packet::check(b));
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().reason, Reason::TooManyHeaders);
    EXPECT_EQ(c.error().offset, 8u * Ipv6Chain::kMaxHeaders);
}

TEST(Ipv6ExtRepr, RoundTripsAFragmentHeader) {
    Ipv6ExtRepr r;
    r.type = ipproto::kFragment;
    r.next_header = ipproto::kTcp;
    r.frag_offset = 0x1234;
    r.more_frags = true;
    r.frag_ident = 0xdeadbeef;
    std::vector<std::byte> out(r.buffer_len());
    r.emit(out);
    auto h = Ipv6ExtHeader::check(out, ipproto::kFragment);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(Ipv6ExtRepr::parse(*h), r);
}

TEST(Ipv6Address, FormatsAsRfc5952Says) {
    auto text = [](std::string_view s) {
        char buf[kIpv6TextMax];
        auto a = parse_ipv6(s);
        return std::string(buf, format(buf, *a));
    };
    EXPECT_EQ(text("2001:0db8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
    EXPECT_EQ(text("2001:db8:0:1:0:0:0:1"), "2001:db8:0:1::1");       // longest run wins
    EXPECT_EQ(text("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");     // first of equal runs
    EXPECT_EQ(text("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");  // a single 0 stays
    EXPECT_EQ(text("::"), "::");
    EXPECT_EQ(text("::1"), "::1");
    EXPECT_EQ(text("fe80::"), "fe80::");
    EXPECT_EQ(text("::ffff:192.0.2.1"), "::ffff:192.0.2.1");
    EXPECT_EQ(text("FF02::1:FF00:2"), "ff02::1:ff00:2");
}

}  // namespace
}  // namespace tapd::wire
