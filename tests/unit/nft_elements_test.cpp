// Tests for daemon/nft_elements' builder: the element key bytes and flags nft 1.0.6 would send.
#include <gtest/gtest.h>

#include <linux/netfilter/nf_tables.h>

#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "expect.hpp"
#include "nft_elements.hpp"

namespace tapd::nft {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes ifname16(const char* name) {
    Bytes b(16, 0);
    for (size_t i = 0; name[i]; ++i) b[i] = uint8_t(name[i]);
    return b;
}

TEST(NftElements, MasqueradeAddIsLeadingEndThenStartAndEnd) {
    auto b = masquerade_elements(true, {"tap0", {net("192.168.69.0/24"), net("10.1.0.0/16")}});
    ASSERT_TRUE(b.ops);
    const auto& ops = *b.ops;
    ASSERT_EQ(ops.size(), 3u);
    EXPECT_TRUE(ops[0].add);
    EXPECT_EQ(ops[0].set, "masq4");
    EXPECT_EQ(ops[0].what, "192.168.69.0/24");
    // The gap below the first interval, as nft puts it into an interval set.
    ASSERT_EQ(ops[0].elems.size(), 3u);
    EXPECT_EQ(ops[0].elems[0].key, (Bytes{0, 0, 0, 0}));
    EXPECT_EQ(ops[0].elems[0].flags, uint32_t(NFT_SET_ELEM_INTERVAL_END));
    EXPECT_EQ(ops[0].elems[1].key, (Bytes{192, 168, 69, 0}));
    EXPECT_EQ(ops[0].elems[1].flags, 0u);
    EXPECT_EQ(ops[0].elems[2].key, (Bytes{192, 168, 70, 0}));
    EXPECT_EQ(ops[0].elems[2].flags, uint32_t(NFT_SET_ELEM_INTERVAL_END));
    ASSERT_EQ(ops[1].elems.size(), 2u);
    EXPECT_EQ(ops[1].elems[0].key, (Bytes{10, 1, 0, 0}));
    EXPECT_EQ(ops[1].elems[1].key, (Bytes{10, 2, 0, 0}));
    EXPECT_EQ(ops[1].elems[1].flags, uint32_t(NFT_SET_ELEM_INTERVAL_END));
    EXPECT_EQ(ops[2].set, "taps");
    ASSERT_EQ(ops[2].elems.size(), 1u);
    EXPECT_EQ(ops[2].elems[0].key, ifname16("tap0"));
    EXPECT_EQ(ops[2].elems[0].flags, 0u);
    EXPECT_EQ(b.json(),
              masquerade_batch(true, {"tap0", {net("192.168.69.0/24"), net("10.1.0.0/16")}}));
}

TEST(NftElements, MasqueradeDeleteLeavesTheLeadingEnd) {
    auto b = masquerade_elements(false, {"tap0", {net("10.9.9.9/32")}});
    ASSERT_TRUE(b.ops);
    ASSERT_EQ(b.ops->size(), 2u);
    const auto& op = (*b.ops)[0];
    EXPECT_FALSE(op.add);
    ASSERT_EQ(op.elems.size(), 2u);
    EXPECT_EQ(op.elems[0].key, (Bytes{10, 9, 9, 9}));
    EXPECT_EQ(op.elems[1].key, (Bytes{10, 9, 9, 10}));
    EXPECT_FALSE((*b.ops)[1].add);
}

TEST(NftElements, PrefixesNftEncodesDifferentlyAreLeftToLibnftables) {
    EXPECT_FALSE(masquerade_elements(true, {"tap0", {net("0.0.0.0/8")}}).ops);
    EXPECT_FALSE(masquerade_elements(true, {"tap0", {net("255.255.255.0/24")}}).ops);
    EXPECT_TRUE(masquerade_elements(true, {"tap0", {net("255.255.254.0/24")}}).ops);
    EXPECT_FALSE(join_elements({masquerade_elements(true, {"tap0", {net("0.0.0.0/8")}}),
                                guard_elements(true)})
                     .ops);
}

TEST(NftElements, RawAllowIsMarkInHostOrderThenPaddedName) {
    auto b = raw_elements(true, {0x7a000005, "tap0"});
    ASSERT_TRUE(b.ops);
    ASSERT_EQ(b.ops->size(), 1u);
    const auto& op = (*b.ops)[0];
    EXPECT_EQ(op.set, "rawallow");
    ASSERT_EQ(op.elems.size(), 1u);
    Bytes key(4);
    uint32_t mark = 0x7a000005;
    std::memcpy(key.data(), &mark, 4);
    Bytes name = ifname16("tap0");
    key.insert(key.end(), name.begin(), name.end());
    EXPECT_EQ(op.elems[0].key, key);
    EXPECT_EQ(op.elems[0].key.size(), 20u);
}

TEST(NftElements, GuardIsOneByteIpv4JumpingToGuard4) {
    auto on = guard_elements(true);
    ASSERT_TRUE(on.ops);
    const auto& op = (*on.ops)[0];
    EXPECT_TRUE(op.add);
    EXPECT_EQ(op.set, "guardmode");
    EXPECT_EQ(op.elems[0].key, (Bytes{2}));
    EXPECT_EQ(op.elems[0].jump, "guard4");
    EXPECT_FALSE((*guard_elements(false).ops)[0].add);
}

TEST(NftElements, JoinKeepsOrderAndJson) {
    auto b = join_elements({masquerade_elements(true, {"tap1", {}}),
                            raw_elements(true, {7, "tap1"}), guard_elements(true)});
    ASSERT_TRUE(b.ops);
    ASSERT_EQ(b.ops->size(), 3u);
    EXPECT_EQ((*b.ops)[0].set, "taps");
    EXPECT_EQ((*b.ops)[1].set, "rawallow");
    EXPECT_EQ((*b.ops)[2].set, "guardmode");
    EXPECT_EQ(b.json(), join({masquerade_batch(true, {"tap1", {}}), raw_batch(true, {7, "tap1"}),
                              guard_batch(true)}));
}

TEST(NftElements, JoinMovesTheOtherBatchInAndDropsTheOpsUnlessBothHaveThem) {
    auto b = masquerade_elements(true, {"tap1", {net("10.9.9.8/30")}});
    b.join(raw_elements(true, {7, "tap1"}));
    b.join(guard_elements(true));
    auto copied = join_elements({masquerade_elements(true, {"tap1", {net("10.9.9.8/30")}}),
                                 raw_elements(true, {7, "tap1"}), guard_elements(true)});
    ASSERT_TRUE(b.ops);
    ASSERT_EQ(b.ops->size(), 4u);
    for (size_t i = 0; i < b.ops->size(); ++i) {
        EXPECT_EQ((*b.ops)[i].set, (*copied.ops)[i].set);
        ASSERT_EQ((*b.ops)[i].elems.size(), (*copied.ops)[i].elems.size());
        for (size_t e = 0; e < (*b.ops)[i].elems.size(); ++e)
            EXPECT_EQ((*b.ops)[i].elems[e].key, (*copied.ops)[i].elems[e].key);
    }
    EXPECT_EQ(b.json(), copied.json());
    b.join(masquerade_elements(true, {"tap2", {net("0.0.0.0/8")}}));
    EXPECT_FALSE(b.ops);
    EXPECT_EQ(b.json_parts.size(), 4u);
}

// table_elements: every set flushed, then the elements that one masquerade_elements,
// raw_elements and guard_elements per entry would add, a bounded number per message.
TEST(NftElements, TableElementsFlushEverySetThenAddEveryEntrysElements) {
    TableState state;
    state.entries.push_back({"tap0", {net("192.168.69.0/25")}});
    state.entries.push_back({"tap1", {net("192.168.69.128/25")}});
    state.raw.push_back({7, "tap0"});
    state.guard = true;
    auto ops = table_elements(state);
    ASSERT_TRUE(ops);
    ASSERT_GE(ops->size(), 4u);
    for (size_t i = 0; i < 4; ++i) {
        EXPECT_FALSE((*ops)[i].add);
        EXPECT_TRUE((*ops)[i].elems.empty()) << (*ops)[i].set;  // no elements: a flush
    }
    std::map<std::string, std::vector<Element>> got, want;
    for (size_t i = 4; i < ops->size(); ++i) {
        EXPECT_TRUE((*ops)[i].add);
        for (const auto& e : (*ops)[i].elems) got[(*ops)[i].set].push_back(e);
    }
    bool zero_end = false;
    for (const auto& e : state.entries) {
        auto batch = masquerade_elements(true, e);
        for (const auto& op : *batch.ops)
            for (const auto& el : op.elems) {
                // The interval end at 0.0.0.0 once, as nft leaves it.
                if (el.key == Bytes(4, 0) && std::exchange(zero_end, true)) continue;
                want[op.set].push_back(el);
            }
    }
    want["rawallow"] = (*raw_elements(true, {7, "tap0"}).ops)[0].elems;
    want["guardmode"] = (*guard_elements(true).ops)[0].elems;
    ASSERT_EQ(got.size(), want.size());
    for (const auto& [set, elems] : want) {
        ASSERT_EQ(got[set].size(), elems.size()) << set;
        for (size_t i = 0; i < elems.size(); ++i) {
            EXPECT_EQ(got[set][i].key, elems[i].key) << set << " " << i;
            EXPECT_EQ(got[set][i].flags, elems[i].flags) << set << " " << i;
            EXPECT_EQ(got[set][i].jump, elems[i].jump) << set << " " << i;
        }
    }
}

TEST(NftElements, TableElementsSplitManyTapsIntoBoundedMessages) {
    TableState state;
    for (int i = 0; i < 1000; ++i) state.entries.push_back({"t" + std::to_string(i), {}});
    auto ops = table_elements(state);
    ASSERT_TRUE(ops);
    size_t names = 0;
    for (const auto& op : *ops) {
        EXPECT_LE(op.elems.size(), 256u) << op.set;
        if (op.add && op.set == "taps") names += op.elems.size();
    }
    EXPECT_EQ(names, 1000u);
}

}  // namespace
}  // namespace tapd::nft
