// Tests for decode(): layer walk, checksum verdicts, fragments, and truncation at every byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "samples.hpp"
#include "wire/decode.hpp"

namespace tapd::wire {
namespace {

using test::hex;

struct LayerEnd {
    uint32_t bit;
    size_t header_end;  // frame offset where this layer's header (as checked) ends
};

struct Sample {
    std::string_view name;
    std::string_view frame;
    std::vector<LayerEnd> layers;
    // Cuts at which the frame is nonetheless whole: NDP options end there.
    std::vector<size_t> whole_at = {};
};

const std::vector<Sample>& samples() {
    static const std::vector<Sample> s = {
        {"udp4", test::kUdp4, {{kHasEth, 14}, {kHasIpv4, 34}, {kHasUdp, 42}}},
        {"tcp_syn", test::kTcpSyn, {{kHasEth, 14}, {kHasIpv4, 34}, {kHasTcp, 74}}},
        {"arp", test::kArpRequest, {{kHasEth, 14}, {kHasArp, 42}}},
        {"icmp", test::kIcmpEcho, {{kHasEth, 14}, {kHasIpv4, 34}, {kHasIcmp, 42}}},
        // NDP options are checked with the message, so the whole message is its "header".
        {"icmp6_ns", test::kIcmp6Ns, {{kHasEth, 14}, {kHasIpv6, 54}, {kHasIcmpv6, 86}}, {78}},
        // The IPv6 layer stays; the extension headers (to 70) must be whole for UDP.
        {"udp6_frag", test::kUdp6FragHbh, {{kHasEth, 14}, {kHasIpv6, 54}, {kHasUdp, 78}}},
        {"qinq", test::kQinQ, {{kHasEth, 14}, {kHasVlan, 18}, {kHasIpv4, 42}, {kHasUdp, 50}}},
        {"tcp6_sack", test::kTcp6Sack, {{kHasEth, 14}, {kHasIpv6, 54}, {kHasTcp, 94}}},
    };
    return s;
}

TEST(Decode, DecodesEverySampleWithoutErrorAndWithGoodChecksums) {
    for (const auto& s : samples()) {
        auto b = hex(s.frame);
        Decoded d;
        decode(b, d);
        EXPECT_FALSE(d.has_error) << s.name;
        for (auto l : s.layers) EXPECT_TRUE(d.has(l.bit)) << s.name << " " << l.bit;
        if (d.has(kHasIpv4)) {
            EXPECT_EQ(d.ip_checksum, ChecksumStatus::Good) << s.name;
        }
        if (d.has(kHasTcp) || d.has(kHasIcmp) || d.has(kHasIcmpv6)) {
            EXPECT_EQ(d.l4_checksum, ChecksumStatus::Good) << s.name;
        }
    }
}

TEST(Decode, KeepsTheLayersBeforeATruncationAndReportsTheCutLayerAtEveryByte) {
    for (const auto& s : samples()) {
        auto full = hex(s.frame);
        size_t last_end = s.layers.back().header_end;
        for (size_t n = 0; n < full.size(); ++n) {
            // An exactly sized heap copy, so an out-of-bounds read trips ASan.
            auto copy = std::make_unique<std::byte[]>(n ? n : 1);
            std::copy(full.begin(), full.begin() + static_cast<long>(n), copy.get());
            Decoded d;
            decode(Bytes(copy.get(), n), d, {}, full.size());  // cut by a snaplen of n
            bool whole = std::ranges::find(s.whole_at, n) != s.whole_at.end();
            for (auto l : s.layers)
                EXPECT_EQ(d.has(l.bit), whole || n >= l.header_end) << s.name << " cut at " << n;
            EXPECT_EQ(d.has_error, !whole && n < last_end) << s.name << " cut at " << n;
            if (d.has_error) {
                EXPECT_EQ(d.error.reason, Reason::Truncated) << s.name << " cut at " << n;
                EXPECT_LE(d.error.offset, n) << s.name;
            }
        }
    }
}

TEST(Decode, MarksTheUpperChecksumUnverifiedWhenASnaplenCutThePayload) {
    auto b = hex(test::kTcp6Sack);
    Decoded d;
    decode(Bytes(b).first(b.size() - 1), d, {}, b.size());
    ASSERT_TRUE(d.has(kHasTcp));
    EXPECT_FALSE(d.has_error);
    EXPECT_EQ(d.l4_checksum, ChecksumStatus::Unverified);
}

TEST(Decode, CallsAnIpLengthPastTheEndOfAWholeFrameMalformedButDecodesOn) {
    auto b = hex(test::kTcp6Sack);
    Decoded d;
    decode(Bytes(b).first(b.size() - 1), d);
    ASSERT_TRUE(d.has_error);
    EXPECT_EQ(d.error.layer, Layer::Ipv6);
    EXPECT_EQ(d.error.reason, Reason::LengthExceedsEnclosing);
    EXPECT_EQ(d.error.offset, 14u + Ipv6Packet::kPayloadLen);
    EXPECT_EQ(d.error.value, 43u);
    EXPECT_EQ(d.error.limit, 42u);
    ASSERT_TRUE(d.has(kHasTcp));
    EXPECT_EQ(d.l4_declared_len(), 42u);
    EXPECT_EQ(d.l4_checksum, ChecksumStatus::Bad);  // over the bytes present, as tshark does
}

TEST(Decode, UsesTheRoutingHeadersFinalDestinationInThePseudoHeader) {
    // RFC 8200 8.1: 2001:db8::1 -> 2001:db8::2 via a type 0 routing header with one segment
    // left whose address is the final destination 2001:db8::9; the UDP checksum was computed
    // against 2001:db8::9.
    auto b =
        hex("020000000002 020000000001 86dd 60000000 0021 2b 40"
            "20010db8000000000000000000000001 20010db8000000000000000000000002"
            "1102000100000000 20010db8000000000000000000000009"
            "0005000600090000 61");
    Decoded d;
    decode(b, d);
    ASSERT_TRUE(d.has(kHasUdp)) << to_string(d.error.layer);
    auto src = *parse_ipv6("2001:db8::1"), fin = *parse_ipv6("2001:db8::9");
    uint64_t ph = checksum::pseudo_header(src, fin, ipproto::kUdp, 9);
    uint16_t sum = checksum::finish(checksum::accumulate(d.udp.bytes(), ph));
    b[b.size() - 3] = std::byte(sum >> 8);
    b[b.size() - 2] = std::byte(sum & 0xff);
    decode(b, d);
    EXPECT_EQ(d.ipv6_chain.final_dst_offset, 8);
    EXPECT_EQ(d.l4_checksum, ChecksumStatus::Good);
}

TEST(Decode, FindsABadIpv4HeaderChecksumAndABadUdpChecksum) {
    auto b = hex(test::kUdp4);
    b[25] ^= std::byte{1};  // IP checksum
    b[41] ^= std::byte{1};  // UDP checksum
    Decoded d;
    decode(b, d);
    EXPECT_EQ(d.ip_checksum, ChecksumStatus::Bad);
    EXPECT_EQ(d.l4_checksum, ChecksumStatus::Bad);
}

TEST(Decode, CallsAZeroUdpChecksumNotPresentOverIpv4AndIllegalOverIpv6) {
    auto v4 = hex(test::kUdp4);
    v4[40] = v4[41] = std::byte{0};
    Decoded d;
    decode(v4, d);
    EXPECT_EQ(d.l4_checksum, ChecksumStatus::NotPresent);
    auto v6 = hex(test::kUdp6FragHbh);
    v6[76] = v6[77] = std::byte{0};
    decode(v6, d);
    EXPECT_EQ(d.l4_checksum, ChecksumStatus::Illegal);
}

TEST(Decode, SkipsChecksumsWhenAskedTo) {
    auto b = hex(test::kUdp4);
    Decoded d;
    decode(b, d, DecodeFlags{.verify_checksums = false});
    EXPECT_EQ(d.ip_checksum, ChecksumStatus::Unverified);
    EXPECT_EQ(d.l4_checksum, ChecksumStatus::Unverified);
}

TEST(Decode, DecodesTheFirstIpv4FragmentsHeaderButLeavesItsChecksumUnverified) {
    auto b = hex(test::kUdp4);
    b[20] = std::byte{0x20};  // MF, offset 0 (the IP checksum is now wrong, which is fine)
    Decoded d;
    decode(b, d);
    EXPECT_TRUE(d.fragment);
    ASSERT_TRUE(d.has(kHasUdp));
    EXPECT_EQ(d.l4_checksum, ChecksumStatus::Unverified);
    EXPECT_EQ(d.ip_checksum, ChecksumStatus::Bad);
}

TEST(Decode, DoesNotLookForAnUpperHeaderInLaterIpv4Fragments) {
    auto b = hex(test::kUdp4);
    b[21] = std::byte{0x01};  // offset 8 bytes
    Decoded d;
    decode(b, d);
    EXPECT_TRUE(d.fragment);
    EXPECT_TRUE(d.has(kHasIpv4));
    EXPECT_FALSE(d.has(kHasUdp));
    EXPECT_EQ(d.l4_proto, ipproto::kUdp);
    EXPECT_FALSE(d.has_error);
}

TEST(Decode, ReportsAnImpossibleLengthWithItsFrameOffset) {
    auto b = hex(test::kTcpSyn);
    b[46] = std::byte{0x30};  // TCP data offset 3 words
    Decoded d;
    decode(b, d);
    ASSERT_TRUE(d.has_error);
    EXPECT_EQ(d.error.layer, Layer::Tcp);
    EXPECT_EQ(d.error.reason, Reason::HeaderTooShort);
    EXPECT_EQ(d.error.offset, 46u);
    EXPECT_EQ(d.error.value, 12u);
    EXPECT_TRUE(d.has(kHasEth | kHasIpv4));
    EXPECT_FALSE(d.has(kHasTcp));
    char text[128];
    format_error(d.error, text, sizeof text);
    EXPECT_STREQ(text, "tcp: header length 12 below minimum 20 (offset 46)");
}

TEST(Decode, ReportsAUdpLengthPastTheIpPayloadButKeepsTheUdpHeader) {
    auto b = hex(test::kUdp4);
    b[39] = std::byte{50};
    Decoded d;
    decode(b, d);
    ASSERT_TRUE(d.has_error);
    EXPECT_EQ(d.error.reason, Reason::LengthExceedsEnclosing);
    EXPECT_EQ(d.error.offset, 38u);
    EXPECT_TRUE(d.has(kHasUdp));
    EXPECT_EQ(d.l4_checksum, ChecksumStatus::Unverified);
}

TEST(Decode, ReusesOneDecodedForFramesOfDifferentShapes) {
    Decoded d;
    auto a = hex(test::kUdp6FragHbh);
    decode(a, d);
    ASSERT_EQ(d.ipv6_chain.count, 2);
    auto b = hex(test::kArpRequest);
    decode(b, d);
    EXPECT_EQ(d.layers, kHasEth | kHasArp);
    EXPECT_FALSE(d.fragment);
    EXPECT_EQ(d.ipv6_chain.count, 0);
}

TEST(Decode, LeavesUnknownEtherTypesUndecoded) {
    auto b = hex("020000000002 020000000001 88cc 0102030405");
    Decoded d;
    decode(b, d);
    EXPECT_EQ(d.layers, kHasEth);
    EXPECT_EQ(d.ethertype, 0x88cc);
    EXPECT_FALSE(d.has_error);
}

}  // namespace
}  // namespace tapd::wire
