// sets_hold: whether the sets a start dumped hold exactly what table_elements() would leave.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "expect.hpp"
#include "nft_set_dump.hpp"

namespace tapd::nft {
namespace {

using Held = std::vector<std::pair<std::string, std::vector<Element>>>;

TableState two_taps() {
    TableState state;
    state.entries.push_back({"tap0", {net("192.168.69.0/25")}});
    state.entries.push_back({"tap1", {net("192.168.69.128/25")}});
    state.raw.push_back({7, "tap0"});
    state.guard = true;
    return state;
}

// What the kernel holds after table_elements(STATE): each set's added elements, in reverse order
// (a dump's order is the set backend's, not the order of the adds).
Held held_after(const std::vector<ElementOp>& ops) {
    Held held;
    for (const auto& op : ops)
        if (!op.add) held.push_back({op.set, {}});
    for (const auto& op : ops)
        for (auto& [set, elems] : held)
            if (op.add && set == op.set)
                elems.insert(elems.end(), op.elems.begin(), op.elems.end());
    for (auto& [set, elems] : held) std::reverse(elems.begin(), elems.end());
    return held;
}

TEST(SetsHold, TheSameElementsInAnotherOrderAreKept) {
    auto ops = table_elements(two_taps());
    ASSERT_TRUE(ops);
    EXPECT_TRUE(sets_hold(*ops, held_after(*ops)));
}

TEST(SetsHold, AnElementTooManyOrTooFewIsNot) {
    auto ops = table_elements(two_taps());
    ASSERT_TRUE(ops);
    Held extra = held_after(*ops);
    Element stale;
    stale.key = {192, 168, 69, 64};
    extra[0].second.push_back(stale);  // masq4
    EXPECT_FALSE(sets_hold(*ops, extra));
    Held missing = held_after(*ops);
    for (auto& [set, elems] : missing)
        if (set == "taps") elems.pop_back();
    EXPECT_FALSE(sets_hold(*ops, missing));
}

TEST(SetsHold, AnotherFlagOrVerdictIsNot) {
    auto ops = table_elements(two_taps());
    ASSERT_TRUE(ops);
    Held flags = held_after(*ops);
    for (auto& [set, elems] : flags)
        if (set == "masq4") elems.front().flags ^= 1u;  // NFT_SET_ELEM_INTERVAL_END
    EXPECT_FALSE(sets_hold(*ops, flags));
    Held jump = held_after(*ops);
    for (auto& [set, elems] : jump)
        if (set == "guardmode") elems.front().jump = "elsewhere";
    EXPECT_FALSE(sets_hold(*ops, jump));
}

TEST(SetsHold, ASetThatWasNotListedIsNot) {
    auto ops = table_elements(two_taps());
    ASSERT_TRUE(ops);
    Held held = held_after(*ops);
    held.pop_back();
    EXPECT_FALSE(sets_hold(*ops, held));
}

TEST(SetsHold, NoTapsAndEmptySetsAreKept) {
    auto ops = table_elements(TableState{});
    ASSERT_TRUE(ops);
    EXPECT_TRUE(sets_hold(*ops, held_after(*ops)));
}

}  // namespace
}  // namespace tapd::nft
