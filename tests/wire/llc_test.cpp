// Tests for IEEE 802.3 framing (a length where the EtherType goes) and 802.2 LLC headers, from
// byte arrays, with the fields tshark 4.0 reports for the same bytes.
#include <gtest/gtest.h>

#include <string>

#include "print/json.hpp"
#include "print/summary.hpp"
#include "samples.hpp"
#include "wire/decode.hpp"
#include "wire/llc.hpp"

namespace tapd::wire {
namespace {

using namespace tapd::print;
using test::hex;

constexpr std::string_view kAddrs = "0180c2000000 020000000001";

// A frame from kAddrs (or dst_src), the 16-bit field after them, and the rest.
std::vector<std::byte> frame(std::string_view field_and_rest, std::string_view dst_src = kAddrs) {
    return hex(std::string(dst_src) + std::string(field_and_rest));
}

std::string json_of(const Decoded& d) {
    std::string s;
    {
        TextBuffer out(&s);
        write_json(out, d, FrameMeta{});
    }
    return s;
}

bool has_key(const std::string& json, std::string_view key) {
    return json.find("\"" + std::string(key) + "\":") != std::string::npos;
}

TEST(LlcHeader, ReadsTheSapsAndAOneByteUnnumberedControl) {
    auto b = hex("424203 0000");
    auto h = LlcHeader::check(b);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->dsap(), 0x42);
    EXPECT_EQ(h->ssap(), 0x42);
    EXPECT_EQ(h->control_len(), 1u);
    EXPECT_EQ(h->control(), 0x03);
    EXPECT_FALSE(h->is_snap());
    EXPECT_EQ(h->header_len(), 3u);
    EXPECT_EQ(h->payload().size(), 2u);
}

TEST(LlcHeader, ReadsATwoByteInformationControlLittleEndianAsWiresharkDoes) {
    // I-format (low bit 0) and S-format (low bits 01) controls are two bytes (IEEE 802.2 5.2).
    auto i = hex("f0f0 0001");
    auto h = LlcHeader::check(i);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->control_len(), 2u);
    EXPECT_EQ(h->control(), 0x0100);
    auto s = hex("f0f0 0105");
    ASSERT_TRUE(LlcHeader::check(s).ok());
    EXPECT_EQ(LlcHeader::check(s)->control(), 0x0501);
}

TEST(LlcHeader, ReadsTheSnapHeaderAfterTheControl) {
    auto b = hex("aaaa03 00000c 2000 ff");
    auto h = LlcHeader::check(b);
    ASSERT_TRUE(h.ok());
    EXPECT_TRUE(h->is_snap());
    EXPECT_EQ(h->header_len(), 8u);
    EXPECT_EQ(h->snap_oui(), 0x00000cu);
    EXPECT_EQ(h->snap_pid(), 0x2000);
    EXPECT_EQ(h->payload().size(), 1u);
}

TEST(LlcHeader, RejectsEveryBufferShorterThanItsHeader) {
    for (auto text : {"424203", "f0f00001", "aaaa0300000c2000", "aaaa000100000c2000"}) {
        auto full = hex(text);
        ASSERT_TRUE(LlcHeader::check(full).ok()) << text;
        for (size_t n = 0; n < full.size(); ++n) {
            auto h = LlcHeader::check(Bytes(full).first(n));
            ASSERT_FALSE(h.ok()) << text << " cut at " << n;
            EXPECT_EQ(h.error().layer, Layer::Llc);
            EXPECT_EQ(h.error().reason, Reason::Truncated);
            EXPECT_EQ(h.error().limit, n);
        }
    }
}

TEST(Decode, TakesALengthInTheTypeFieldAsAn8023FrameWithLlc) {
    auto b = hex(test::kStp);
    Decoded d;
    decode(b, d);
    ASSERT_FALSE(d.has_error);
    EXPECT_TRUE(d.has(kHasEth | kHasIeee8023 | kHasLlc));
    EXPECT_FALSE(d.has(kHasIpv4));
    EXPECT_EQ(d.ethertype, 38);
    EXPECT_EQ(d.llc.dsap(), 0x42);
    EXPECT_EQ(d.llc.control(), 0x03);
    // The length covers LLC and the BPDU, not the padding to 60 bytes.
    EXPECT_EQ(d.llc.payload().size(), 35u);
    // tshark: eth.len 38, llc.dsap 0x42, llc.ssap 0x42, llc.control 0x0003, and no eth.type.
    auto j = json_of(d);
    EXPECT_NE(j.find(R"("eth.len":38,"llc.dsap":66,"llc.ssap":66,"llc.control":3)"),
              std::string::npos)
        << j;
    EXPECT_FALSE(has_key(j, "eth.type")) << j;
}

TEST(Decode, ReportsAn8023LengthAfterAn8021QTagAsTheTagsLength) {
    auto b = frame("8100 0005 0026 424203" + std::string(70, '0'));
    Decoded d;
    decode(b, d);
    ASSERT_FALSE(d.has_error);
    EXPECT_TRUE(d.has(kHasVlan | kHasIeee8023 | kHasLlc));
    auto j = json_of(d);
    EXPECT_NE(j.find(R"("eth.type":33024,"vlan.id":[5],"vlan.len":38,"llc.dsap":66)"),
              std::string::npos)
        << j;
    EXPECT_FALSE(has_key(j, "eth.len")) << j;
}

TEST(Decode, CallsAn8023LengthPastTheFrameMalformedAndDecodesTheLlcPresent) {
    auto b = frame("05dc 424203 0000");  // 1500, 5 bytes follow
    Decoded d;
    decode(b, d);
    ASSERT_TRUE(d.has_error);
    EXPECT_EQ(d.error, (WireError{Layer::Eth, Reason::LengthExceedsEnclosing, 12, 1500, 5}));
    EXPECT_TRUE(d.has(kHasIeee8023 | kHasLlc));

    // Cut by a snaplen: the bytes on the wire hold the length.
    decode(b, d, {}, 14 + 1500);
    EXPECT_FALSE(d.has_error);
    EXPECT_TRUE(d.has(kHasIeee8023 | kHasLlc));
}

TEST(Decode, ReadsTheLlcHeaderOnlyFromTheBytesTheLengthDeclares) {
    // Length 2: a trailer follows, but LLC needs a third byte for its control.
    auto b = frame("0002 424203 000000");
    Decoded d;
    decode(b, d);
    ASSERT_TRUE(d.has_error);
    EXPECT_EQ(d.error, (WireError{Layer::Llc, Reason::Truncated, 14, 3, 2}));
    EXPECT_TRUE(d.has(kHasIeee8023));
    EXPECT_FALSE(d.has(kHasLlc));
    auto j = json_of(d);
    EXPECT_TRUE(has_key(j, "eth.len")) << j;
    EXPECT_FALSE(has_key(j, "llc.dsap")) << j;

    auto snap = frame("0006 aaaa03 000000 0800 4500");  // SNAP needs 8
    decode(snap, d);
    EXPECT_EQ(d.error, (WireError{Layer::Llc, Reason::Truncated, 14, 8, 6}));
}

TEST(Decode, TakesTypeValues1501To1535AsNeitherLengthNorType) {
    for (auto t : {"05dd", "05ff"}) {
        auto b = frame(std::string(t) + "424203 000000");
        Decoded d;
        decode(b, d);
        EXPECT_FALSE(d.has_error) << t;
        EXPECT_EQ(d.layers, kHasEth) << t;
        auto j = json_of(d);
        EXPECT_TRUE(has_key(j, "eth.invalid_lentype")) << j;
        EXPECT_FALSE(has_key(j, "eth.type")) << j;
        EXPECT_FALSE(has_key(j, "eth.len")) << j;
    }
    // After a tag, Wireshark takes the same values as an EtherType.
    auto tagged = frame("8100 0005 05dd 424203 000000");
    Decoded d;
    decode(tagged, d);
    EXPECT_EQ(d.layers, kHasEth | kHasVlan);
    EXPECT_FALSE(has_key(json_of(d), "vlan.len"));
}

TEST(Decode, TakesZeroAsAnEtherTypeUntaggedAndAsALengthAfterATag) {
    auto untagged = frame("0000 424203 000000");
    Decoded d;
    decode(untagged, d);
    EXPECT_FALSE(d.has_error);
    EXPECT_EQ(d.layers, kHasEth);
    EXPECT_TRUE(has_key(json_of(d), "eth.type"));

    auto tagged = frame("8100 0005 0000 424203 000000");
    decode(tagged, d);
    EXPECT_TRUE(d.has(kHasIeee8023));
    EXPECT_EQ(d.error, (WireError{Layer::Llc, Reason::Truncated, 18, 3, 0}));
}

TEST(Decode, TakesAnyValueAfterAn8021adSTagAsAnEtherType) {
    auto b = frame("88a8 0005 0026 424203" + std::string(70, '0'));
    Decoded d;
    decode(b, d);
    EXPECT_FALSE(d.has_error);
    EXPECT_EQ(d.layers, kHasEth | kHasVlan);
    EXPECT_EQ(d.ethertype, 0x26);
}

TEST(Decode, LeavesNovellRawIpxAndCiscoIslUndecoded) {
    Decoded d;
    auto ipx = frame("0026 ffff 0026" + std::string(68, '0'));
    decode(ipx, d);
    EXPECT_FALSE(d.has_error);
    EXPECT_EQ(d.layers, kHasEth | kHasIeee8023);
    // Wireshark reads IPX's first byte, which a length of 0 leaves out (0 is an 802.3 length
    // only after a tag).
    auto tagged_empty = frame("8100 0005 0000 ffff 0026" + std::string(68, '0'));
    decode(tagged_empty, d);
    EXPECT_EQ(d.error, (WireError{Layer::Vlan, Reason::Truncated, 18, 1, 0}));

    // 01:00:0c:00:00:xx is Cisco ISL: no 802.3 length or LLC fields (tshark shows ISL's).
    auto isl = frame("0030 aaaa03" + std::string(70, '0'), "01000c000000 020000000001");
    decode(isl, d);
    EXPECT_FALSE(d.has_error);
    EXPECT_EQ(d.layers, kHasEth);
    auto j = json_of(d);
    EXPECT_FALSE(has_key(j, "eth.len") || has_key(j, "eth.type") || has_key(j, "llc.dsap")) << j;
}

TEST(Summary, PrintsThe8023LengthAndTheLlcHeader) {
    auto b = hex(test::kStp);
    Decoded d;
    decode(b, d);
    std::string s;
    {
        TextBuffer out(&s);
        write_summary(out, d);
    }
    EXPECT_EQ(s, "802.3, length 38: LLC, dsap 0x42, ssap 0x42, ctrl 0x0003");
}

}  // namespace
}  // namespace tapd::wire
