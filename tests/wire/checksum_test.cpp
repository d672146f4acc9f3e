// Tests for the Internet checksum (RFC 1071) and the pseudo-header sums.
#include <gtest/gtest.h>

#include "samples.hpp"
#include "wire/checksum.hpp"

namespace tapd::wire {
namespace {

using test::hex;

TEST(Checksum, MatchesTheRfc1071Example) {
    // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
    auto b = hex("0001f203f4f5f6f7");
    EXPECT_EQ(checksum::fold(checksum::accumulate(b)), 0xddf2);
}

TEST(Checksum, PadsAnOddTrailingByteWithZero) {
    EXPECT_EQ(checksum::fold(checksum::accumulate(hex("0001f203f4"))),
              checksum::fold(checksum::accumulate(hex("0001f203f400"))));
}

TEST(Checksum, AgreesWithAWordByWordSumForEveryLengthAndAlignment) {
    std::vector<std::byte> buf(300);
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = std::byte((i * 131 + 7) & 0xff);
    for (size_t start = 0; start < 8; ++start) {
        for (size_t len = 0; start + len <= buf.size(); len += 13) {
            uint32_t ref = 0;
            for (size_t i = 0; i < len; i += 2) {
                uint32_t hi = static_cast<uint8_t>(buf[start + i]);
                uint32_t lo = i + 1 < len ? static_cast<uint8_t>(buf[start + i + 1]) : 0;
                ref += hi << 8 | lo;
            }
            while (ref >> 16) ref = (ref & 0xffff) + (ref >> 16);
            ASSERT_EQ(checksum::fold(checksum::accumulate(Bytes(buf).subspan(start, len))), ref)
                << start << " " << len;
        }
    }
}

TEST(Checksum, VerifiesARealIpv4HeaderAndNoticesOneFlippedBit) {
    auto b = hex(test::kUdp4);
    Bytes ip = Bytes(b).subspan(14, 20);
    EXPECT_TRUE(checksum::verifies(checksum::accumulate(ip)));
    b[14 + 8] ^= std::byte{1};
    EXPECT_FALSE(checksum::verifies(checksum::accumulate(Bytes(b).subspan(14, 20))));
}

TEST(Checksum, Ipv6PseudoHeaderCoversTheUpperLayerLength) {
    auto a = *parse_ipv6("2001:db8::1");
    auto b = *parse_ipv6("2001:db8::2");
    EXPECT_NE(checksum::fold(checksum::pseudo_header(a, b, 17, 8)),
              checksum::fold(checksum::pseudo_header(a, b, 17, 9)));
    EXPECT_EQ(checksum::fold(checksum::pseudo_header(a, b, 17, 0x10008)),
              checksum::fold(checksum::pseudo_header(a, b, 17, 0x0009)));
}

}  // namespace
}  // namespace tapd::wire
