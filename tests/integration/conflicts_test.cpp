// Integration tests of the conflict check: a tap's address or route may not overlap an address
// or route of another link, as the host has them at the moment of the call, whoever made them
// and however late (tapd's index of them follows the kernel's notifications). Real tapd,
// private bus, throwaway namespaces.
#include "harness.hpp"

namespace tapd::test {
namespace {

class Conflicts : public TapdTest {
  protected:
    // lan0 (a veth link, up) in the test's namespace.
    void add_lan() {
        ASSERT_EQ(env_->in_ns({"ip", "link", "add", "lan0", "type", "veth", "peer", "name", "lan1"})
                      .status,
                  0);
        ASSERT_EQ(env_->in_ns({"ip", "link", "set", "lan0", "up"}).status, 0);
    }
    void ns(const std::vector<std::string>& argv) {
        auto r = env_->in_ns(argv);
        ASSERT_EQ(r.status, 0) << r.describe();
    }
    void expect_refused(const CommandResult& r, const std::string& want) {
        EXPECT_EQ(r.status, 1) << r.describe();
        EXPECT_NE(r.err.find(want), std::string::npos)
            << "want '" << want << "' in " << r.describe();
    }
    void expect_ok(const CommandResult& r) { EXPECT_EQ(r.status, 0) << r.describe(); }
};

TEST_F(Conflicts, AddressOverlappingAnotherInterfaceIsAConflict) {
    ASSERT_EQ(
        env_->in_ns({"ip", "link", "add", "lan0", "type", "veth", "peer", "name", "lan1"}).status,
        0);
    ASSERT_EQ(env_->in_ns({"ip", "addr", "add", "192.168.69.1/24", "dev", "lan0"}).status, 0);
    auto r = env_->tapctl({"create", "tap0", "--address", "192.168.69.100/24"});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("Conflict: 192.168.69.100/24 overlaps 192.168.69.1/24 on lan0"),
              std::string::npos)
        << r.describe();
    EXPECT_TRUE(env_->ip_json({"link", "show", "tap0"}).empty());
}

TEST_F(Conflicts, Ipv6AddressOrRouteOverlappingAnotherInterfaceIsAConflict) {
    ASSERT_EQ(
        env_->in_ns({"ip", "link", "add", "lan0", "type", "veth", "peer", "name", "lan1"}).status,
        0);
    ASSERT_EQ(env_->in_ns({"ip", "link", "set", "lan0", "up"}).status, 0);
    ASSERT_EQ(env_->in_ns({"ip", "-6", "addr", "add", "fdaa::1/64", "dev", "lan0", "nodad"}).status,
              0);
    ASSERT_EQ(env_->in_ns({"ip", "-6", "route", "add", "fdbb::/48", "dev", "lan0"}).status, 0);
    auto a = env_->tapctl({"create", "tap0", "--address", "fdaa::100/64"});
    EXPECT_EQ(a.status, 1);
    EXPECT_NE(a.err.find("Conflict: fdaa::100/64 overlaps fdaa::1/64 on lan0"), std::string::npos)
        << a.describe();
    auto r = env_->tapctl({"create", "tap0", "--route", "fdbb:0:0:1::/64"});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("Conflict: fdbb:0:0:1::/64 overlaps route fdbb::/48 via lan0"),
              std::string::npos)
        << r.describe();
    EXPECT_TRUE(env_->ip_json({"link", "show", "tap0"}).empty());
    // Link-local addresses are per link: lan0's own fe80:: address is no conflict.
    auto ll = env_->tapctl({"create", "tap0", "--address", "fe80::100/64"});
    EXPECT_EQ(ll.status, 0) << ll.describe();
}

TEST_F(Conflicts, WhatOthersAddOrRemoveAfterTapdLookedCountsAtOnce) {
    ASSERT_NO_FATAL_FAILURE(add_lan());
    // A first check: from here on tapd answers from its index, kept by notifications.
    expect_ok(env_->tapctl({"create", "tap0", "--address", "192.168.69.1/30"}));
    ASSERT_NO_FATAL_FAILURE(ns({"ip", "addr", "add", "192.168.69.65/26", "dev", "lan0"}));
    expect_refused(env_->tapctl({"create", "tap1", "--address", "192.168.69.66/26"}),
                   "Conflict: 192.168.69.66/26 overlaps 192.168.69.65/26 on lan0");
    expect_refused(env_->tapctl({"addr", "add", "tap0", "192.168.69.70/32"}),
                   "Conflict: 192.168.69.70/32 overlaps 192.168.69.65/26 on lan0");
    ASSERT_NO_FATAL_FAILURE(ns({"ip", "-6", "addr", "add", "fdaa::1/64", "dev", "lan0", "nodad"}));
    expect_refused(env_->tapctl({"create", "tap1", "--address", "fdaa::2/64"}),
                   "Conflict: fdaa::2/64 overlaps fdaa::1/64 on lan0");
    ASSERT_NO_FATAL_FAILURE(ns({"ip", "route", "add", "192.168.69.128/25", "dev", "lan0"}));
    expect_refused(env_->tapctl({"create", "tap1", "--route", "192.168.69.192/26"}),
                   "Conflict: 192.168.69.192/26 overlaps route 192.168.69.128/25 via lan0");
    expect_refused(env_->tapctl({"route", "add", "tap0", "192.168.69.0/24"}),
                   "Conflict: 192.168.69.0/24 overlaps 192.168.69.65/26 on lan0");
    // Gone again: free again, as soon. (With lan0's last IPv4 address the kernel drops its
    // IPv4 route too, without a notification.)
    ASSERT_NO_FATAL_FAILURE(ns({"ip", "addr", "del", "192.168.69.65/26", "dev", "lan0"}));
    ASSERT_NO_FATAL_FAILURE(ns({"ip", "-6", "addr", "del", "fdaa::1/64", "dev", "lan0"}));
    expect_ok(env_->tapctl({"create", "tap1", "--address", "192.168.69.66/26", "--address",
                            "fdaa::2/64", "--route", "192.168.69.192/26"}));
}

TEST_F(Conflicts, ALinkThatGoesDownLosesItsRoutesAndOneThatGoesAllItHeld) {
    ASSERT_NO_FATAL_FAILURE(add_lan());
    expect_ok(env_->tapctl({"create", "tap0", "--address", "192.168.69.1/30"}));
    ASSERT_NO_FATAL_FAILURE(ns({"ip", "addr", "add", "192.168.69.65/26", "dev", "lan0"}));
    ASSERT_NO_FATAL_FAILURE(ns({"ip", "route", "add", "192.168.69.128/25", "dev", "lan0"}));
    // Down: the kernel drops lan0's IPv4 routes without a notification, and keeps its address.
    ASSERT_NO_FATAL_FAILURE(ns({"ip", "link", "set", "lan0", "down"}));
    expect_ok(env_->tapctl({"create", "tap1", "--route", "192.168.69.128/25"}));
    expect_refused(env_->tapctl({"create", "tap2", "--address", "192.168.69.66/26"}),
                   "Conflict: 192.168.69.66/26 overlaps 192.168.69.65/26 on lan0");
    ASSERT_NO_FATAL_FAILURE(ns({"ip", "link", "del", "lan0"}));
    expect_ok(env_->tapctl({"create", "tap2", "--address", "192.168.69.66/26"}));
}

TEST_F(Conflicts, ATapsPrefixesAreInUseUntilItIsDeleted) {
    expect_ok(env_->tapctl({"create", "tapa", "--address", "192.168.69.1/30", "--address",
                            "fdaa::1/64", "--route", "192.168.69.4/30"}));
    expect_refused(env_->tapctl({"create", "tapb", "--address", "192.168.69.2/30"}),
                   "Conflict: 192.168.69.2/30 overlaps 192.168.69.1/30 on tapa");
    expect_refused(env_->tapctl({"create", "tapb", "--route", "192.168.69.4/31"}),
                   "Conflict: 192.168.69.4/31 overlaps route 192.168.69.4/30 via tapa");
    expect_refused(env_->tapctl({"create", "tapb", "--address", "fdaa::2/64"}),
                   "Conflict: fdaa::2/64 overlaps fdaa::1/64 on tapa");
    // Its own prefixes are no conflict for the tap itself.
    expect_ok(env_->tapctl({"route", "add", "tapa", "192.168.69.0/29"}));
    expect_ok(env_->tapctl({"delete", "tapa"}));
    expect_ok(env_->tapctl({"create", "tapb", "--address", "192.168.69.2/30", "--address",
                            "fdaa::2/64", "--route", "192.168.69.4/30"}));
}

}  // namespace
}  // namespace tapd::test
