// Tests for Ethernet II frames and 802.1Q/802.1ad VLAN tags, from byte arrays.
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "samples.hpp"
#include "wire/decode.hpp"
#include "wire/ethernet.hpp"
#include "wire/vlan.hpp"

namespace tapd::wire {
namespace {

using test::hex;

TEST(EthernetFrame, ReadsAddressesAndEtherType) {
    auto b = hex(test::kArpRequest);
    auto f = EthernetFrame::check(b);
    ASSERT_TRUE(f.ok());
    EXPECT_TRUE(f->dst().is_broadcast());
    EXPECT_EQ(f->src(), (MacAddress{{2, 0, 0, 0, 0, 1}}));
    EXPECT_EQ(f->ethertype(), ethertype::kArp);
    EXPECT_EQ(f->payload().size(), b.size() - 14);
}

TEST(EthernetFrame, RejectsEveryBufferShorterThanItsHeader) {
    auto b = hex(test::kArpRequest);
    for (size_t n = 0; n < EthernetFrame::kHeaderLen; ++n) {
        auto f = EthernetFrame::check(Bytes(b).first(n));
        ASSERT_FALSE(f.ok()) << n;
        EXPECT_EQ(f.error().reason, Reason::Truncated);
        EXPECT_EQ(f.error().value, 14u);
        EXPECT_EQ(f.error().limit, n);
    }
}

TEST(EthernetRepr, EmitsWhatItParses) {
    EthernetRepr r{{{1, 2, 3, 4, 5, 6}}, {{7, 8, 9, 10, 11, 12}}, 0x86dd};
    std::vector<std::byte> out(EthernetRepr::header_len());
    r.emit(out);
    auto f = EthernetFrame::check(out);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(EthernetRepr::parse(*f), r);
    EXPECT_EQ(out, hex("010203040506 0708090a0b0c 86dd"));
}

TEST(VlanTag, ReadsPriorityDropEligibleAndVlanId) {
    auto b = hex("b0c8 0800");
    auto t = VlanTag::check(b);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->pcp(), 5);
    EXPECT_TRUE(t->dei());
    EXPECT_EQ(t->vid(), 200);
    EXPECT_EQ(t->ethertype(), ethertype::kIpv4);
}

TEST(VlanTag, RejectsATagShorterThanFourBytes) {
    auto b = hex("b0c808");
    auto t = VlanTag::check(b);
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.error().layer, Layer::Vlan);
    EXPECT_EQ(t.error().reason, Reason::Truncated);
}

TEST(Decode, WalksStackedQinQTagsOuterFirst) {
    auto b = hex(test::kQinQ);
    Decoded d;
    decode(b, d);
    ASSERT_FALSE(d.has_error);
    ASSERT_EQ(d.vlan_count, 2);
    EXPECT_EQ(d.vlan_tpids[0], ethertype::kQinQ);
    EXPECT_EQ(d.vlans[0].vid(), 100);
    EXPECT_EQ(d.vlan_tpids[1], ethertype::kVlan);
    EXPECT_EQ(d.vlans[1].vid(), 200);
    EXPECT_EQ(d.vlans[1].pcp(), 5);
    EXPECT_EQ(d.ethertype, ethertype::kIpv4);
    EXPECT_TRUE(d.has(kHasIpv4 | kHasUdp));
}

TEST(Decode, RejectsMoreVlanTagsThanItTracks) {
    // Five 802.1Q tags, then IPv4.
    auto b = hex("020000000002 020000000001 8100");
    for (int i = 0; i < 4; ++i) {
        auto tag = hex("0001 8100");
        b.insert(b.end(), tag.begin(), tag.end());
    }
    auto last = hex("0001 0800");
    b.insert(b.end(), last.begin(), last.end());
    Decoded d;
    decode(b, d);
    ASSERT_TRUE(d.has_error);
    EXPECT_EQ(d.error.layer, Layer::Vlan);
    EXPECT_EQ(d.error.reason, Reason::TooManyHeaders);
    EXPECT_EQ(d.error.offset, 14u + 4 * 4);
    EXPECT_EQ(d.vlan_count, 4);
    EXPECT_TRUE(d.has(kHasEth | kHasVlan));
}

TEST(Decode, StopsAtATruncatedVlanTagAndKeepsTheTagsBeforeIt) {
    // (frame, whole tags before the cut one, frame offset of the cut tag)
    const std::tuple<std::string, uint8_t, uint32_t> frames[] = {
        {"8100", 0, 14},
        {"8100 00", 0, 14},
        {"8100 0005", 0, 14},
        {"8100 000508", 0, 14},
        {"88a8 0064 8100 a0c8", 1, 18},
        {"9100 0005 8100 00", 1, 18},
    };
    for (const auto& [rest, whole, at] : frames) {
        auto b = hex("020000000002 020000000001 " + rest);
        Decoded d;
        decode(b, d);
        ASSERT_TRUE(d.has_error) << rest;
        EXPECT_EQ(d.error.layer, Layer::Vlan) << rest;
        EXPECT_EQ(d.error.reason, Reason::Truncated) << rest;
        EXPECT_EQ(d.error.offset, at) << rest;
        EXPECT_EQ(d.vlan_count, whole) << rest;
        EXPECT_EQ(d.layers, kHasEth | (whole ? uint32_t{kHasVlan} : 0u)) << rest;
        // Nothing after the cut tag: no EtherType, no network layer.
        EXPECT_EQ(d.ethertype, 0) << rest;
    }
}

}  // namespace
}  // namespace tapd::wire
