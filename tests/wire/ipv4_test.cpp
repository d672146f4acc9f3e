// Tests for IPv4 packets (RFC 791): fields, options, fragments, impossible lengths.
#include <gtest/gtest.h>

#include "samples.hpp"
#include "wire/ipv4.hpp"

namespace tapd::wire {
namespace {

using test::hex;

std::vector<std::byte> ip_of(std::string_view frame) {
    auto b = hex(frame);
    return {b.begin() + 14, b.end()};
}

TEST(Ipv4Packet, ReadsEveryHeaderField) {
    auto b = ip_of(test::kUdp4);
    auto p = Ipv4Packet::check(b);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->version(), 4);
    EXPECT_EQ(p->header_len(), 20u);
    EXPECT_EQ(p->total_len(), 33);
    EXPECT_EQ(p->ident(), 0x1234);
    EXPECT_TRUE(p->dont_frag());
    EXPECT_FALSE(p->more_frags());
    EXPECT_FALSE(p->is_fragment());
    EXPECT_EQ(p->ttl(), 64);
    EXPECT_EQ(p->proto(), ipproto::kUdp);
    EXPECT_EQ(p->checksum(), 0xe6ec);
    EXPECT_TRUE(p->checksum_ok());
    EXPECT_EQ(p->src(), *parse_ipv4("192.168.69.1"));
    EXPECT_EQ(p->dst(), *parse_ipv4("203.0.113.1"));
    EXPECT_EQ(p->payload().size(), 13u);
    EXPECT_FALSE(p->payload_truncated());
}

TEST(Ipv4Packet, RejectsEveryBufferShorterThanTwentyBytes) {
    auto b = ip_of(test::kUdp4);
    for (size_t n = 0; n < 20; ++n) {
        auto p = Ipv4Packet::check(Bytes(b).first(n));
        ASSERT_FALSE(p.ok());
        EXPECT_EQ(p.error().reason, Reason::Truncated);
        EXPECT_EQ(p.error().layer, Layer::Ip);
    }
}

TEST(Ipv4Packet, AcceptsAShortCaptureAndSaysThePayloadIsTruncated) {
    auto b = ip_of(test::kUdp4);
    for (size_t n = 20; n < b.size(); ++n) {
        auto p = Ipv4Packet::check(Bytes(b).first(n));
        ASSERT_TRUE(p.ok()) << n;
        EXPECT_EQ(p->payload().size(), n - 20);
        EXPECT_TRUE(p->payload_truncated());
        EXPECT_EQ(p->payload_len(), 13u);
    }
}

TEST(Ipv4Packet, IgnoresEthernetPaddingAfterTheTotalLength) {
    auto b = ip_of(test::kUdp4);
    b.resize(b.size() + 13, std::byte{0xee});
    auto p = Ipv4Packet::check(b);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->payload().size(), 13u);
}

TEST(Ipv4Packet, RejectsAVersionOtherThanFour) {
    auto b = ip_of(test::kUdp4);
    b[0] = std::byte{0x65};
    auto p = Ipv4Packet::check(b);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().reason, Reason::BadVersion);
    EXPECT_EQ(p.error().value, 6u);
}

TEST(Ipv4Packet, RejectsEveryHeaderLengthBelowFiveWords) {
    auto b = ip_of(test::kUdp4);
    for (uint8_t ihl = 0; ihl < 5; ++ihl) {
        b[0] = std::byte(0x40 | ihl);
        auto p = Ipv4Packet::check(b);
        ASSERT_FALSE(p.ok());
        EXPECT_EQ(p.error().reason, Reason::HeaderTooShort);
        EXPECT_EQ(p.error().value, ihl * 4u);
    }
}

TEST(Ipv4Packet, RejectsAHeaderLengthPastTheBuffer) {
    auto b = ip_of(test::kUdp4);
    b[0] = std::byte{0x4f};  // 60 bytes of header, 33 present
    auto p = Ipv4Packet::check(b);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().reason, Reason::Truncated);
    EXPECT_EQ(p.error().value, 60u);
    EXPECT_EQ(p.error().limit, 33u);
}

TEST(Ipv4Packet, RejectsATotalLengthShorterThanTheHeader) {
    auto b = ip_of(test::kUdp4);
    for (uint16_t total = 0; total < 20; ++total) {
        b[2] = std::byte{0};
        b[3] = std::byte(total);
        auto p = Ipv4Packet::check(b);
        ASSERT_FALSE(p.ok());
        EXPECT_EQ(p.error().reason, Reason::TotalLengthTooShort);
        EXPECT_EQ(p.error().offset, Ipv4Packet::kTotalLen);
    }
}

// A header with 4 option bytes: IHL 6.
std::vector<std::byte> with_options(std::string_view opts) {
    auto b = hex("46000018 00000000 40110000 0a000001 0a000002");
    auto o = hex(opts);
    b.insert(b.end(), o.begin(), o.end());
    return b;
}

TEST(Ipv4Packet, WalksNopEndAndRouterAlertOptions) {
    auto b = with_options("94040000");  // RFC 2113 router alert
    auto p = Ipv4Packet::check(b);
    ASSERT_TRUE(p.ok());
    Ipv4OptionIter it(p->options());
    Ipv4Option o;
    ASSERT_TRUE(it.next(o));
    EXPECT_EQ(o.type, 0x94);
    EXPECT_EQ(o.data.size(), 4u);
    EXPECT_FALSE(it.next(o));

    auto nops = with_options("01010100");
    ASSERT_TRUE(Ipv4Packet::check(nops).ok());
}

TEST(Ipv4Packet, RejectsOptionLengthsBelowTwoOrPastTheHeader) {
    for (auto opts : {"94000000", "94010000", "94050000", "01010194"}) {
        auto b = with_options(opts);
        auto p = Ipv4Packet::check(b);
        ASSERT_FALSE(p.ok()) << opts;
        EXPECT_EQ(p.error().reason, Reason::BadOptionLength) << opts;
    }
}

TEST(Ipv4Packet, ReadsFragmentOffsetAndMoreFragments) {
    auto b = ip_of(test::kUdp4);
    b[6] = std::byte{0x20};  // MF, offset 0x00b9 = 185 units = 1480 bytes
    b[7] = std::byte{0xb9};
    auto p = Ipv4Packet::check(b);
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(p->more_frags());
    EXPECT_FALSE(p->dont_frag());
    EXPECT_EQ(p->frag_offset(), 185);
    EXPECT_TRUE(p->is_fragment());
    EXPECT_FALSE(p->checksum_ok());
}

TEST(Ipv4Repr, RoundTripsWithOptionsAndComputesTheChecksum) {
    Ipv4Repr r;
    r.src = *parse_ipv4("192.0.2.1");
    r.dst = *parse_ipv4("198.51.100.7");
    r.proto = 253;
    r.ttl = 3;
    r.ident = 0xbeef;
    r.dscp = 46;
    r.ecn = 1;
    r.more_frags = true;
    r.frag_offset = 0x1abc;
    r.payload_len = 5;
    r.options_len = 4;
    r.options = {0x94, 0x04, 0x00, 0x00};
    std::vector<std::byte> out(r.buffer_len());
    r.emit(out);
    auto p = Ipv4Packet::check(out);
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(p->checksum_ok());
    EXPECT_EQ(Ipv4Repr::parse(*p), r);
}

TEST(Ipv4Repr, EmitsTheHeaderScapyBuilt) {
    auto b = ip_of(test::kUdp4);
    auto p = Ipv4Packet::check(b);
    ASSERT_TRUE(p.ok());
    std::vector<std::byte> out(20);
    Ipv4Repr::parse(*p).emit(out);
    EXPECT_EQ(out, std::vector<std::byte>(b.begin(), b.begin() + 20));
}

}  // namespace
}  // namespace tapd::wire
