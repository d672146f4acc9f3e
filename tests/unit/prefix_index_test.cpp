// Tests for daemon/kernel/prefix_index: the overlap query (what contains the prefix asked, what
// equals it, what lies inside it), holders per link, the link excepted, removal of one of two.
#include "prefix_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace tapd {
namespace {

Prefix net(const char* text) {
    auto p = parse_interface_address(text);
    EXPECT_TRUE(p.ok()) << text;
    return p.value();
}

PrefixHolder on(int ifindex, const char* address) {
    return PrefixHolder::address_of(ifindex, net(address), {});
}

// "NETWORK on IFINDEX" of the first overlap of W outside EXCEPT among HELD, or "" for none.
std::string overlap(const PrefixIndex& index, const char* w, int except = 0,
                    Held held = Held::Address) {
    auto o = index.find_overlap(net(w), except, held);
    if (!o) return "";
    return o->network.str() + " on " + std::to_string(o->holder.ifindex);
}

TEST(CountsForConflicts, LeavesOutDefaultRoutesAndIpv6LinkLocal) {
    EXPECT_FALSE(counts_for_conflicts(net("0.0.0.0/0")));
    EXPECT_FALSE(counts_for_conflicts(net("::/0")));
    EXPECT_FALSE(counts_for_conflicts(net("fe80::1/64")));
    EXPECT_TRUE(counts_for_conflicts(net("169.254.1.1/16")));  // IPv4 link-local does count
    EXPECT_TRUE(counts_for_conflicts(net("fdaa::1/64")));
    EXPECT_TRUE(counts_for_conflicts(net("192.168.69.1/32")));
}

TEST(PrefixIndex, FindsWhatContainsEqualsOrLiesInsideThePrefixAsked) {
    PrefixIndex index;
    index.add(net("192.168.69.1/24"), on(5, "192.168.69.1/24"));
    EXPECT_EQ(overlap(index, "192.168.69.100/24"), "192.168.69.0/24 on 5");  // equal
    EXPECT_EQ(overlap(index, "192.168.69.64/26"), "192.168.69.0/24 on 5");   // inside it
    EXPECT_EQ(overlap(index, "192.168.69.7/32"), "192.168.69.0/24 on 5");
    EXPECT_EQ(overlap(index, "192.168.0.0/16"), "192.168.69.0/24 on 5");  // around it
    EXPECT_EQ(overlap(index, "128.0.0.0/1"), "192.168.69.0/24 on 5");
    EXPECT_EQ(overlap(index, "192.168.70.0/24"), "");  // beside it
    EXPECT_EQ(overlap(index, "192.168.68.0/24"), "");
    EXPECT_EQ(overlap(index, "192.168.70.0/23"), "");
    EXPECT_EQ(overlap(index, "0.0.0.0/1"), "");
    EXPECT_EQ(overlap(index, "fdaa::/16"), "");  // another family
}

TEST(PrefixIndex, FindsIpv6AncestorsAtEveryLengthPresent) {
    PrefixIndex index;
    index.add(net("fdaa::/16"), on(3, "fdaa::/16"));
    index.add(net("fdaa:1:2::/48"), on(4, "fdaa:1:2::/48"));
    index.add(net("fdbb::1/128"), on(5, "fdbb::1/128"));
    EXPECT_EQ(overlap(index, "fdaa:1:2:3::/64"), "fdaa::/16 on 3");  // the shortest first
    EXPECT_EQ(overlap(index, "fdaa:1:2:3::/64", 3), "fdaa:1:2::/48 on 4");
    EXPECT_EQ(overlap(index, "fdaa:1:3::/48", 3), "");
    EXPECT_EQ(overlap(index, "fdbb::/64"), "fdbb::1/128 on 5");
    EXPECT_EQ(overlap(index, "fdbb::2/128"), "");
    EXPECT_EQ(overlap(index, "fdbb::1/127"), "fdbb::1/128 on 5");
}

TEST(PrefixIndex, ScansPastEntriesOfTheLinkExceptedInsideThePrefixAsked) {
    PrefixIndex index;
    index.add(net("10.1.0.0/24"), on(7, "10.1.0.0/24"));
    index.add(net("10.1.1.0/24"), on(7, "10.1.1.0/24"));
    index.add(net("10.1.2.0/24"), on(8, "10.1.2.0/24"));
    index.add(net("10.2.0.0/24"), on(9, "10.2.0.0/24"));
    EXPECT_EQ(overlap(index, "10.1.0.0/16", 7), "10.1.2.0/24 on 8");
    EXPECT_EQ(overlap(index, "10.1.0.0/23", 7), "");
    EXPECT_EQ(overlap(index, "10.0.0.0/8", 7), "10.1.2.0/24 on 8");
}

TEST(PrefixIndex, APrefixOfSeveralLinksConflictsUnlessOnlyTheLinkExceptedHoldsIt) {
    PrefixIndex index;
    index.add(net("192.168.69.1/24"), on(5, "192.168.69.1/24"));
    index.add(net("192.168.69.2/24"), on(6, "192.168.69.2/24"));
    EXPECT_EQ(overlap(index, "192.168.69.9/24", 5), "192.168.69.0/24 on 6");
    EXPECT_EQ(overlap(index, "192.168.69.9/24", 6), "192.168.69.0/24 on 5");
    auto o = index.find_overlap(net("192.168.69.9/24"), 5, Held::Address);
    ASSERT_TRUE(o);
    EXPECT_EQ(o->shown().str(), "192.168.69.2/24");  // the address with its host bits
    EXPECT_TRUE(index.remove(net("192.168.69.2/24"), on(6, "192.168.69.2/24")));
    EXPECT_EQ(overlap(index, "192.168.69.9/24", 5), "");
    EXPECT_EQ(overlap(index, "192.168.69.9/24"), "192.168.69.0/24 on 5");
}

TEST(PrefixIndex, RemovingOneOfTwoHoldersAlikeLeavesTheOther) {
    PrefixIndex index;
    index.add(net("10.0.0.0/8"), on(4, "10.0.0.0/8"));
    index.add(net("10.0.0.0/8"), on(4, "10.0.0.0/8"));
    EXPECT_EQ(index.count(Held::Address), 2u);
    EXPECT_TRUE(index.remove(net("10.0.0.0/8"), on(4, "10.0.0.0/8")));
    EXPECT_EQ(overlap(index, "10.1.0.0/16"), "10.0.0.0/8 on 4");
    EXPECT_TRUE(index.remove(net("10.0.0.0/8"), on(4, "10.0.0.0/8")));
    EXPECT_FALSE(index.remove(net("10.0.0.0/8"), on(4, "10.0.0.0/8")));
    EXPECT_EQ(overlap(index, "10.1.0.0/16"), "");
    EXPECT_EQ(index.count(Held::Address), 0u);
    EXPECT_FALSE(index.link_holds(4, AF_INET, Held::Address));
}

TEST(PrefixIndex, RemovesOnlyAnEqualHolder) {
    PrefixIndex index;
    index.add(net("192.168.69.1/24"), on(5, "192.168.69.1/24"));
    EXPECT_FALSE(index.remove(net("192.168.69.1/24"), on(6, "192.168.69.1/24")));
    EXPECT_FALSE(index.remove(net("192.168.69.2/24"), on(5, "192.168.69.2/24")));
    EXPECT_TRUE(index.contains(net("192.168.69.1/24"), on(5, "192.168.69.1/24")));
    EXPECT_FALSE(index.contains(net("192.168.69.1/24"), on(6, "192.168.69.1/24")));
    EXPECT_EQ(index.count(Held::Address), 1u);
}

TEST(PrefixIndex, ALengthNoLongerPresentIsNoLongerLookedAtButComesBack) {
    PrefixIndex index;
    index.add(net("10.0.0.0/8"), on(4, "10.0.0.0/8"));
    EXPECT_TRUE(index.remove(net("10.0.0.0/8"), on(4, "10.0.0.0/8")));
    EXPECT_EQ(overlap(index, "10.1.0.0/16"), "");
    index.add(net("10.0.0.0/8"), on(4, "10.0.0.0/8"));
    EXPECT_EQ(overlap(index, "10.1.0.0/16"), "10.0.0.0/8 on 4");
}

// What lies inside the prefix asked is looked for at each longer length present, and no longer
// once that length is gone.
TEST(PrefixIndex, LooksInsideThePrefixAskedAtEachLongerLengthPresent) {
    PrefixIndex index;
    index.add(net("10.1.2.5/30"), on(5, "10.1.2.5/30"));
    index.add(net("10.1.3.1/30"), on(7, "10.1.3.1/30"));
    EXPECT_EQ(overlap(index, "10.1.2.6/30"), "10.1.2.4/30 on 5");
    EXPECT_EQ(overlap(index, "10.1.2.6/30", 5), "");
    EXPECT_EQ(overlap(index, "10.1.2.0/24", 5), "");
    EXPECT_EQ(overlap(index, "10.1.0.0/16", 5), "10.1.3.0/30 on 7");
    index.add(net("10.1.2.6/32"), on(6, "10.1.2.6/32"));
    EXPECT_EQ(overlap(index, "10.1.2.4/30", 5), "10.1.2.6/32 on 6");
    EXPECT_EQ(overlap(index, "10.1.2.4/31", 5), "");
    EXPECT_EQ(overlap(index, "10.1.2.6/31", 5), "10.1.2.6/32 on 6");
    EXPECT_TRUE(index.remove(net("10.1.2.6/32"), on(6, "10.1.2.6/32")));
    EXPECT_EQ(overlap(index, "10.1.2.4/30", 5), "");
    EXPECT_EQ(overlap(index, "10.1.2.4/30"), "10.1.2.4/30 on 5");
}

// Moves keep the entries and the hash table's way to them.
TEST(PrefixIndex, AMovedIndexFindsAndRemovesWhatItHeld) {
    PrefixIndex first;
    first.add(net("fdaa:1::1/64"), on(3, "fdaa:1::1/64"));
    first.add(net("10.0.0.1/24"), on(3, "10.0.0.1/24"));
    PrefixIndex moved(std::move(first));
    EXPECT_EQ(overlap(moved, "fdaa:1::/48"), "fdaa:1::/64 on 3");
    EXPECT_TRUE(moved.contains(net("10.0.0.1/24"), on(3, "10.0.0.1/24")));
    PrefixIndex assigned;
    assigned = std::move(moved);
    EXPECT_TRUE(assigned.remove(net("fdaa:1::1/64"), on(3, "fdaa:1::1/64")));
    EXPECT_EQ(overlap(assigned, "fdaa:1::/48"), "");
    EXPECT_EQ(overlap(assigned, "10.0.0.9/24"), "10.0.0.0/24 on 3");
}

TEST(PrefixIndex, DropLinkTakesThatLinksHoldersOfOneFamilyOrAll) {
    PrefixIndex index;
    index.add(net("10.0.0.0/8"), on(4, "10.0.0.0/8"));
    index.add(net("10.0.0.0/8"), on(4, "10.0.0.0/8"));
    index.add(net("10.0.0.0/8"), on(5, "10.0.0.0/8"));
    index.add(net("fdaa::/64"), on(4, "fdaa::/64"));
    index.drop_link(4, AF_INET);
    EXPECT_EQ(overlap(index, "10.1.0.0/16"), "10.0.0.0/8 on 5");
    EXPECT_EQ(overlap(index, "10.1.0.0/16", 5), "");
    EXPECT_TRUE(index.link_holds(4, AF_INET6, Held::Address));
    EXPECT_FALSE(index.link_holds(4, AF_INET, Held::Address));
    EXPECT_EQ(overlap(index, "fdaa::1/128"), "fdaa::/64 on 4");
    index.drop_link(4);
    EXPECT_EQ(overlap(index, "fdaa::1/128"), "");
    EXPECT_EQ(index.count(Held::Address), 1u);
    index.drop_link(99);  // nothing there
    EXPECT_EQ(index.count(Held::Address), 1u);
    index.clear();
    EXPECT_EQ(overlap(index, "10.1.0.0/16"), "");
}

TEST(PrefixIndex, AddressesAndRoutesShareKeysAndAreAskedForApart) {
    PrefixIndex index;
    index.add(net("192.168.69.1/30"), on(5, "192.168.69.1/30"));
    index.add(net("192.168.69.0/30"), PrefixHolder::route_via(5));  // its prefix route
    index.add(net("fdbb::/48"), PrefixHolder::route_via(6));
    EXPECT_EQ(index.count(Held::Address), 1u);
    EXPECT_EQ(index.count(Held::Route), 2u);
    EXPECT_EQ(overlap(index, "fdbb::/64"), "");
    EXPECT_EQ(overlap(index, "fdbb::/64", 0, Held::Route), "fdbb::/48 on 6");
    auto route = index.find_overlap(net("192.168.69.2/31"), 0, Held::Route);
    ASSERT_TRUE(route);
    EXPECT_EQ(route->shown().str(), "192.168.69.0/30");  // a route is named as it is
    EXPECT_FALSE(index.link_holds(6, AF_INET6, Held::Address));
    EXPECT_TRUE(index.link_holds(6, AF_INET6, Held::Route));
    index.drop_link(5, AF_INET, Held::Route);  // the address stays
    EXPECT_EQ(overlap(index, "192.168.69.2/31"), "192.168.69.0/30 on 5");
    EXPECT_EQ(overlap(index, "192.168.69.2/31", 0, Held::Route), "");
    index.add(net("192.168.69.0/30"), PrefixHolder::route_via(5));
    index.clear(Held::Route);
    EXPECT_EQ(index.count(Held::Route), 0u);
    EXPECT_EQ(overlap(index, "192.168.69.2/31"), "192.168.69.0/30 on 5");
    EXPECT_EQ(overlap(index, "fdbb::/64", 0, Held::Route), "");
    index.drop_link(5);
    EXPECT_EQ(index.count(Held::Address), 0u);
}

// Random adds, removals and link drops, each followed by every query of a small universe of
// prefixes, against a list searched in full: the index's map, its counts per length and its
// per-link lists must stay one another's mirror through keys that come, go and come back. The
// one-walk query of both kinds must answer as the two queries of one kind do.
TEST(PrefixIndex, AgreesWithAFullSearchThroughRandomChanges) {
    const char* universe[] = {"10.0.0.0/8",  "10.1.0.0/16", "10.1.2.0/24",     "10.1.2.4/30",
                              "10.1.2.5/32", "10.2.0.0/16", "192.168.69.0/24", "fdaa::/16",
                              "fdaa:1::/32", "fdaa:1::/64", "fdaa:1::5/128",   "fdbb::/64"};
    struct Held1 {
        Prefix network;
        PrefixHolder holder;
    };
    std::vector<Held1> model;
    PrefixIndex index;
    auto brute = [&](const Prefix& w, int except, Held held) -> bool {
        for (const auto& m : model)
            if (m.holder.ifindex != except && m.holder.held == held &&
                m.network.address.family == w.address.family &&
                (m.network.network().overlaps(w.network())))
                return true;
        return false;
    };
    uint32_t seed = 12345;
    auto next = [&](uint32_t n) {
        seed = seed * 1664525u + 1013904223u;
        return (seed >> 8) % n;
    };
    for (int step = 0; step < 3000; ++step) {
        Prefix p = net(universe[next(std::size(universe))]);
        int ifindex = 1 + static_cast<int>(next(4));
        Held held = next(2) ? Held::Address : Held::Route;
        PrefixHolder h = held == Held::Address ? PrefixHolder::address_of(ifindex, p, {})
                                               : PrefixHolder::route_via(ifindex);
        uint32_t what = next(10);
        if (what < 5) {
            index.add(p, h);
            model.push_back({p, h});
        } else if (what < 9) {
            auto it = std::find_if(model.begin(), model.end(), [&](const Held1& m) {
                return m.network.network() == p.network() && m.holder == h;
            });
            EXPECT_EQ(index.remove(p, h), it != model.end()) << step;
            if (it != model.end()) model.erase(it);
        } else {
            index.drop_link(ifindex);
            std::erase_if(model, [&](const Held1& m) { return m.holder.ifindex == ifindex; });
        }
        for (const char* q : universe)
            for (int except : {0, 1, 2})
                for (Held kind : {Held::Address, Held::Route}) {
                    Prefix w = net(q);
                    EXPECT_EQ(index.find_overlap(w, except, kind).has_value(),
                              brute(w, except, kind))
                        << "step " << step << " query " << q << " except " << except;
                }
        for (const char* q : universe)
            for (int except : {0, 1, 2}) {
                Prefix w = net(q);
                auto both = index.find_address_or_route(w, except);
                auto address = index.find_overlap(w, except, Held::Address);
                auto route = index.find_overlap(w, except, Held::Route);
                auto want = address ? address : route;
                ASSERT_EQ(both.has_value(), want.has_value()) << "step " << step << " query " << q;
                EXPECT_EQ(both.has_value(),
                          brute(w, except, Held::Address) || brute(w, except, Held::Route));
                if (!both) continue;
                EXPECT_EQ(both->network, want->network) << "step " << step << " query " << q;
                EXPECT_EQ(both->holder, want->holder) << "step " << step << " query " << q;
                EXPECT_EQ(both->holder.held == Held::Address, brute(w, except, Held::Address))
                    << "step " << step << " query " << q;
            }
        size_t addresses = std::count_if(model.begin(), model.end(), [](const Held1& m) {
            return m.holder.held == Held::Address;
        });
        ASSERT_EQ(index.count(Held::Address), addresses) << step;
        ASSERT_EQ(index.count(Held::Route), model.size() - addresses) << step;
        if (HasFailure()) return;
    }
}

}  // namespace
}  // namespace tapd
