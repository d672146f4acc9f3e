// Tests for TCP segments (RFC 9293 and its options) and UDP datagrams (RFC 768).
#include <gtest/gtest.h>

#include "samples.hpp"
#include "wire/ipv4.hpp"
#include "wire/ipv6.hpp"
#include "wire/tcp.hpp"
#include "wire/udp.hpp"

namespace tapd::wire {
namespace {

using test::hex;

std::vector<std::byte> tail(std::string_view frame, size_t from) {
    auto b = hex(frame);
    return {b.begin() + static_cast<long>(from), b.end()};
}

// A TCP header with data offset 5 + opts/4 words and the given options.
std::vector<std::byte> tcp_with(std::string_view opts) {
    auto o = hex(opts);
    auto b = hex("0001 0002 00000000 00000000 5002 ffff 0000 0000");
    b[12] = std::byte((5 + o.size() / 4) << 4);
    b.insert(b.end(), o.begin(), o.end());
    return b;
}

TEST(TcpSegment, ReadsPortsSequenceFlagsWindowAndOptions) {
    auto b = tail(test::kTcpSyn, 34);
    auto s = TcpSegment::check(b);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->src_port(), 43210);
    EXPECT_EQ(s->dst_port(), 80);
    EXPECT_EQ(s->seq(), 1000u);
    EXPECT_EQ(s->ack(), 0u);
    EXPECT_EQ(s->header_len(), 40u);
    EXPECT_EQ(s->flags(), tcp::kSyn);
    EXPECT_EQ(s->window(), 64240);
    auto o = TcpOptions::parse(s->options());
    EXPECT_EQ(o.mss, 1460);
    EXPECT_TRUE(o.sack_permitted);
    ASSERT_TRUE(o.timestamps);
    EXPECT_EQ(o.timestamps->first, 12345u);
    EXPECT_EQ(o.timestamps->second, 0u);
    EXPECT_EQ(o.window_scale, 7);
    EXPECT_EQ(o.sack_count, 0);
}

TEST(TcpSegment, ReadsSackBlocks) {
    auto b = tail(test::kTcp6Sack, 54);
    auto s = TcpSegment::check(b);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->flags(), tcp::kAck);
    auto o = TcpOptions::parse(s->options());
    ASSERT_EQ(o.sack_count, 2);
    EXPECT_EQ(o.sack[0], (SackBlock{100, 200}));
    EXPECT_EQ(o.sack[1], (SackBlock{300, 400}));
    EXPECT_EQ(s->payload().size(), 3u);
}

TEST(TcpSegment, VerifiesItsChecksumWithTheIpv4PseudoHeader) {
    auto frame = hex(test::kTcpSyn);
    auto ip = Ipv4Packet::check(Bytes(frame).subspan(14));
    ASSERT_TRUE(ip.ok());
    auto s = TcpSegment::check(ip->payload());
    ASSERT_TRUE(s.ok());
    auto pseudo = [&] {
        return checksum::pseudo_header(ip->src(), ip->dst(), ipproto::kTcp,
                                       static_cast<uint32_t>(ip->payload().size()));
    };
    EXPECT_TRUE(s->checksum_ok(pseudo()));
    frame[40] ^= std::byte{0x80};  // a sequence number bit
    EXPECT_FALSE(s->checksum_ok(pseudo()));
}

TEST(TcpSegment, RejectsEveryBufferShorterThanItsDataOffset) {
    auto b = tail(test::kTcpSyn, 34);
    for (size_t n = 0; n < 40; ++n) {
        auto s = TcpSegment::check(Bytes(b).first(n));
        ASSERT_FALSE(s.ok()) << n;
        EXPECT_EQ(s.error().reason, Reason::Truncated);
        EXPECT_EQ(s.error().value, n < 20 ? 20u : 40u);
    }
}

TEST(TcpSegment, RejectsEveryDataOffsetBelowFiveWords) {
    auto b = tail(test::kTcpSyn, 34);
    for (uint8_t doff = 0; doff < 5; ++doff) {
        b[12] = std::byte(doff << 4);
        auto s = TcpSegment::check(b);
        ASSERT_FALSE(s.ok());
        EXPECT_EQ(s.error().reason, Reason::HeaderTooShort);
        EXPECT_EQ(s.error().value, doff * 4u);
    }
}

TEST(TcpSegment, RejectsOptionsWithImpossibleLengths) {
    constexpr Reason kFixed = Reason::WrongOptionLength, kBad = Reason::BadOptionLength;
    const std::pair<const char*, Reason> bad[] = {
        {"02030000", kFixed},                  // MSS must be 4 long
        {"02050000 00000000", kFixed},         // (not 5 either)
        {"03040000", kFixed},                  // window scale must be 3
        {"04030000", kFixed},                  // SACK-permitted must be 2
        {"080a0000", kBad},                    // timestamps run past the header
        {"05090000 00000000 00000000", kBad},  // SACK of 9 is not 2 + 8n
        {"05020000", kBad},                    // SACK with no blocks
        {"fe000000", kBad},                    // any option shorter than 2
        {"fe010000", kBad},
        {"010101fe", kBad},                    // kind with no room for its length
        {"01010204 05b4fe09 00000000", kBad},  // a good option, then one past the header
    };
    for (auto [opts, reason] : bad) {
        auto b = tcp_with(opts);
        auto s = TcpSegment::check(b);
        ASSERT_FALSE(s.ok()) << opts;
        EXPECT_EQ(s.error().reason, reason) << opts;
        EXPECT_GE(s.error().offset, 20u) << opts;
    }
}

TEST(TcpSegment, StopsReadingOptionsAtEndOfOptionList) {
    auto b = tcp_with("00ffffff");  // garbage after EOL is padding, not options
    auto s = TcpSegment::check(b);
    ASSERT_TRUE(s.ok());
    TcpOptionIter it(s->options());
    TcpOption o;
    EXPECT_FALSE(it.next(o));
}

TEST(TcpRepr, RoundTripsEveryOptionAndThePayload) {
    auto data = hex("0102030405");
    TcpRepr r;
    r.src_port = 1;
    r.dst_port = 65535;
    r.seq = 0xfffffff0;
    r.ack = 7;
    r.flags = tcp::kSyn | tcp::kAck | tcp::kEce | tcp::kNs;
    r.window = 1234;
    r.urgent = 9;
    r.options.mss = 1400;
    r.options.window_scale = 14;
    r.options.timestamps = std::pair{1u, 2u};
    r.options.sack_count = 1;
    r.options.sack[0] = {10, 20};
    r.payload = data;
    std::vector<std::byte> out(r.buffer_len());
    auto src = *parse_ipv4("10.0.0.1"), dst = *parse_ipv4("10.0.0.2");
    uint32_t len = static_cast<uint32_t>(out.size());
    r.emit(out, checksum::pseudo_header(src, dst, ipproto::kTcp, len));
    auto s = TcpSegment::check(out);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->header_len() % 4, 0u);
    EXPECT_TRUE(s->checksum_ok(checksum::pseudo_header(src, dst, ipproto::kTcp, len)));
    EXPECT_EQ(TcpRepr::parse(*s), r);
}

// Every option with two SACK blocks is 44 bytes NOP-padded: more than a header holds (40). The
// options go out packed instead, and come back the same (found by fuzz_decode: the data offset
// wrapped to 0).
TEST(TcpRepr, PacksOptionsThatDoNotFitPaddedAndRoundTripsThem) {
    TcpRepr r;
    r.flags = tcp::kAck;
    r.options.mss = 1460;
    r.options.window_scale = 7;
    r.options.sack_permitted = true;
    r.options.timestamps = std::pair{5u, 6u};
    r.options.sack_count = 2;
    r.options.sack[0] = {100, 200};
    r.options.sack[1] = {300, 400};
    EXPECT_EQ(r.options.buffer_len(), 40u);  // 4 + 3 + 2 + 10 + 18 = 37, then End bytes
    std::vector<std::byte> out(r.buffer_len());
    r.emit(out, 0);
    auto s = TcpSegment::check(out);
    ASSERT_TRUE(s.ok()) << to_string(s.error().reason);
    EXPECT_EQ(s->header_len(), 60u);
    EXPECT_EQ(TcpRepr::parse(*s), r);
}

// Four SACK blocks beside timestamps cannot fit at all: the blocks that do not are left out.
TEST(TcpRepr, LeavesOutSackBlocksThatCannotFit) {
    TcpRepr r;
    r.options.mss = 1460;
    r.options.window_scale = 7;
    r.options.sack_permitted = true;
    r.options.timestamps = std::pair{5u, 6u};
    r.options.sack_count = 4;
    for (uint32_t i = 0; i < 4; ++i) r.options.sack[i] = {i * 10, i * 10 + 5};
    EXPECT_LE(r.options.buffer_len(), TcpOptions::kMaxLen);
    std::vector<std::byte> out(r.buffer_len());
    r.emit(out, 0);
    auto s = TcpSegment::check(out);
    ASSERT_TRUE(s.ok());
    auto back = TcpOptions::parse(s->options());
    EXPECT_EQ(back.sack_count, 2u);  // 40 - 19 bytes of the others leaves room for two
    EXPECT_EQ(back.sack[0], r.options.sack[0]);
    EXPECT_EQ(back.sack[1], r.options.sack[1]);
    EXPECT_EQ(back.timestamps, r.options.timestamps);
    EXPECT_EQ(back.mss, r.options.mss);
}

TEST(UdpDatagram, ReadsPortsLengthAndPayload) {
    auto b = tail(test::kUdp4, 34);
    auto u = UdpDatagram::check(b);
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->src_port(), 40000);
    EXPECT_EQ(u->dst_port(), 7777);
    EXPECT_EQ(u->length(), 13);
    EXPECT_EQ(u->payload().size(), 5u);
}

TEST(UdpDatagram, RejectsEveryLengthBelowItsHeader) {
    auto b = tail(test::kUdp4, 34);
    for (uint8_t len = 0; len < 8; ++len) {
        b[4] = std::byte{0};
        b[5] = std::byte{len};
        auto u = UdpDatagram::check(b);
        ASSERT_FALSE(u.ok());
        EXPECT_EQ(u.error().reason, Reason::TotalLengthTooShort);
        EXPECT_EQ(u.error().value, len);
    }
}

TEST(UdpDatagram, RejectsEveryBufferShorterThanEightBytes) {
    auto b = tail(test::kUdp4, 34);
    for (size_t n = 0; n < 8; ++n) EXPECT_FALSE(UdpDatagram::check(Bytes(b).first(n)).ok());
}

TEST(UdpDatagram, IgnoresBytesPastItsLengthField) {
    auto b = tail(test::kUdp4, 34);
    b.resize(b.size() + 4);
    auto u = UdpDatagram::check(b);
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->payload().size(), 5u);
}

TEST(UdpRepr, SendsAComputedZeroChecksumAsAllOnes) {
    // Find a payload whose checksum computes to 0, which RFC 768 transmits as 0xffff.
    auto src = *parse_ipv4("10.0.0.1"), dst = *parse_ipv4("10.0.0.2");
    std::vector<std::byte> data(2);
    for (unsigned v = 0; v < 0x10000; ++v) {
        data[0] = std::byte(v >> 8);
        data[1] = std::byte(v & 0xff);
        UdpRepr r{1, 2, data};
        std::vector<std::byte> out(r.buffer_len());
        uint64_t ph = checksum::pseudo_header(src, dst, ipproto::kUdp, 10);
        r.emit(out, ph);
        auto u = UdpDatagram::check(out);
        ASSERT_TRUE(u.ok());
        ASSERT_NE(u->checksum(), 0);
        ASSERT_TRUE(u->checksum_ok(ph));
        if (u->checksum() == 0xffff) return;
    }
    FAIL() << "no payload produced a zero checksum";
}

TEST(UdpRepr, EmitsTheDatagramScapyBuilt) {
    auto frame = hex(test::kUdp4);
    auto ip = Ipv4Packet::check(Bytes(frame).subspan(14));
    auto u = UdpDatagram::check(ip->payload());
    ASSERT_TRUE(u.ok());
    auto r = UdpRepr::parse(*u);
    std::vector<std::byte> out(r.buffer_len());
    r.emit(out, checksum::pseudo_header(ip->src(), ip->dst(), ipproto::kUdp, 13));
    EXPECT_TRUE(std::ranges::equal(out, ip->payload()));
}

}  // namespace
}  // namespace tapd::wire
