// Taps: the records and the indexes add() and remove() keep with them.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "taps.hpp"

namespace tapd {
namespace {

TapRecord record(const std::string& name, int ifindex, uid_t owner) {
    TapRecord r;
    r.name = name;
    r.ifindex = ifindex;
    r.owner = owner;
    r.persistent = true;
    return r;
}

TEST(Taps, IndexesFollowAddAndRemove) {
    Taps taps;
    taps.add(record("tap0", 10, 1000));
    taps.add(record("tap1", 11, 1000));
    taps.add(record("tap2", 12, 2000));
    EXPECT_EQ(taps.owned_by(1000), 2u);
    EXPECT_EQ(taps.names_of(1000), (std::vector<std::string>{"tap0", "tap1"}));
    EXPECT_EQ(taps.names_of(2000), (std::vector<std::string>{"tap2"}));
    EXPECT_TRUE(taps.names_of(3000).empty());
    ASSERT_NE(taps.find_by_ifindex(11), nullptr);
    EXPECT_EQ(taps.find_by_ifindex(11)->name, "tap1");
    taps.remove("tap0");
    EXPECT_EQ(taps.names_of(1000), (std::vector<std::string>{"tap1"}));
    EXPECT_EQ(taps.find_by_ifindex(10), nullptr);
    taps.remove("tap1");
    EXPECT_EQ(taps.owned_by(1000), 0u);
    taps.remove("never-there");
    EXPECT_EQ(taps.size(), 1u);
}

TEST(Taps, AddingANameAgainReplacesItsRecordAndItsIndexes) {
    Taps taps;
    taps.add(record("tap0", 10, 1000));
    taps.add(record("tap0", 20, 2000));
    EXPECT_EQ(taps.size(), 1u);
    EXPECT_TRUE(taps.names_of(1000).empty());
    EXPECT_EQ(taps.names_of(2000), (std::vector<std::string>{"tap0"}));
    EXPECT_EQ(taps.find_by_ifindex(10), nullptr);
    ASSERT_NE(taps.find_by_ifindex(20), nullptr);
}

// The indexes are hash tables: what lists taps (listings, state.json, cleanup) sorts them.
TEST(Taps, ListingsComeSortedByName) {
    Taps taps;
    std::vector<std::string> names;
    for (int i = 199; i >= 0; --i) {
        std::string name = "tap" + std::to_string(i);
        TapRecord r = record(name, 100 + i, 1000);
        r.persistent = false;
        r.lease = ":1.7";
        taps.add(r);
        names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    EXPECT_EQ(taps.names_of(1000), names);
    EXPECT_EQ(taps.leases().taps_of(":1.7"), names);
    std::vector<std::string> sorted;
    for (const TapRecord* r : taps.sorted()) sorted.push_back(r->name);
    EXPECT_EQ(sorted, names);
}

TEST(Taps, LeasesOfEphemeralTapsAreHeldAndReleased) {
    Taps taps;
    TapRecord r = record("tap0", 10, 1000);
    r.persistent = false;
    r.lease = ":1.7";
    taps.add(r);
    EXPECT_TRUE(taps.leases().holds(":1.7"));
    taps.remove("tap0");
    EXPECT_FALSE(taps.leases().holds(":1.7"));
}

}  // namespace
}  // namespace tapd
