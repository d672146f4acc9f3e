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
    EXPECT_EQ(o.kind, 0x94);
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

// A header whose IHL and total length cover opts (a multiple of 4 bytes) and nothing else.
std::vector<std::byte> header_with(std::string_view opts) {
    auto o = hex(opts);
    auto b = hex("40000000 00000000 40110000 0a000001 0a000002");
    b[0] = std::byte(0x40 | (20 + o.size()) / 4);
    b[3] = std::byte(20 + o.size());
    b.insert(b.end(), o.begin(), o.end());
    return b;
}

TEST(Ipv4Packet, RejectsOptionsOtherThanTheOneLengthTheirTypeHas) {
    // (options, length byte): router alert (RFC 2113) 3 and 6, stream id 2, MTU probe and reply
    // (RFC 1063) 3 and 5, Quick-Start (RFC 4782) 6, traceroute (RFC 1393) 10.
    const std::pair<const char*, uint32_t> bad[] = {
        {"94030000", 4},
        {"9406000000000000", 4},
        {"88020000", 4},
        {"0b030000", 4},
        {"0c050000 00000000", 4},
        {"19060000 00000000", 8},
        {"520a0000 00000000 00000000", 12},
    };
    for (auto [opts, need] : bad) {
        auto b = header_with(opts);
        auto p = Ipv4Packet::check(b);
        ASSERT_FALSE(p.ok()) << opts;
        EXPECT_EQ(p.error().reason, Reason::WrongOptionLength) << opts;
        EXPECT_EQ(p.error().offset, 21u) << opts;
        EXPECT_EQ(p.error().value, get8(b, 21)) << opts;
        EXPECT_EQ(p.error().limit, need) << opts;
    }
}

TEST(Ipv4Packet, RejectsOptionsBelowTheMinimumOfTheirType) {
    // Record route, loose and strict source route, security and extended security need a
    // pointer or class byte (3); timestamp a pointer and flags (4); CIPSO a 4-byte DOI (6).
    const std::pair<const char*, uint32_t> bad[] = {
        {"07020000", 3}, {"83020000", 3}, {"89020000", 3},          {"82020000", 3},
        {"85020000", 3}, {"44030000", 4}, {"86050000 00000000", 6},
    };
    for (auto [opts, need] : bad) {
        auto b = header_with(opts);
        auto p = Ipv4Packet::check(b);
        ASSERT_FALSE(p.ok()) << opts;
        EXPECT_EQ(p.error().reason, Reason::OptionTooShort) << opts;
        EXPECT_EQ(p.error().limit, need) << opts;
    }
}

TEST(Ipv4Packet, AcceptsOptionsOfTheLengthsTheirTypesHave) {
    for (auto opts : {"94040000",                    // router alert
                      "07070400 00000000",           // record route, one slot, then EOL
                      "44040500",                    // timestamp, no room yet
                      "86060000 00010000",           // CIPSO without tags
                      "860c0000 00010104 00050702",  // CIPSO: bitmap tag, free-form tag
                      "860c0000 00010206 00050001",  // CIPSO: one enumerated category
                      "9e020101",                    // an unknown type, then NOPs
                      "00940300"}) {                 // anything after the end of the list
        auto b = header_with(opts);
        EXPECT_TRUE(Ipv4Packet::check(b).ok()) << opts;
    }
}

TEST(Ipv4Packet, RejectsCipsoTagsThatRunPastTheOptionOrLackTheirFields) {
    // (options, offset of the bad tag's length byte in the header)
    const std::pair<const char*, uint32_t> bad[] = {
        {"86070000 00010100", 27},                    // a tag type with no length byte
        {"86080000 00010700", 27},                    // a tag length below 2
        {"86080000 00010703", 27},                    // a tag past the option
        {"86090000 00010103 00000000", 27},           // a bitmap tag without its sensitivity level
        {"860b0000 00010205 000500ff", 27},           // half an enumerated category
        {"860c0000 00010702 05050000 00000000", 29},  // half a ranged category, after a tag
    };
    for (auto [opts, at] : bad) {
        auto b = header_with(opts);
        auto p = Ipv4Packet::check(b);
        ASSERT_FALSE(p.ok()) << opts;
        EXPECT_EQ(p.error().reason, Reason::BadOptionLength) << opts;
        EXPECT_EQ(p.error().offset, at) << opts;
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
