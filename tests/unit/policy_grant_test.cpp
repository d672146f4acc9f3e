// Tests for daemon/policy/policy.cpp and policy_checks.cpp: the grant a policy gives (root, the
// union of the matching rules), and the name and prefix checks against a grant.
#include "policy.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "expect.hpp"
#include "policy_text.hpp"

namespace tapd {
namespace {

// ---- Grants ----

constexpr uid_t kUser = 1001;
constexpr gid_t kGroup = 2001;

TEST(PolicyGrant, GivesRootEverythingWhateverThePolicy) {
    for (const auto& p : {Policy::root_only(), parsed(R"({"version": 1, "rules": []})")}) {
        auto g = p->grant_for(0, {0});
        EXPECT_TRUE(g.unlimited);
        EXPECT_TRUE(g.masquerade && g.persistent && g.owner_access && g.raw_sockets && g.capture);
        EXPECT_EQ(g.max_captures, std::numeric_limits<size_t>::max());
        EXPECT_EQ(g.max_raw_sockets, std::numeric_limits<size_t>::max());
        EXPECT_TRUE(Policy::check_name(g, "eth9").ok());
        EXPECT_TRUE(Policy::check_prefix(g, net("0.0.0.0/0"), "route").ok());
        EXPECT_TRUE(Policy::check_prefix(g, net("::/0"), "route").ok());
    }
}

TEST(PolicyGrant, DefaultPolicyAllowsNothingToOtherUsers) {
    auto p = Policy::root_only();
    EXPECT_FALSE(p->from_file);
    auto g = p->grant_for(kUser, {kGroup});
    EXPECT_FALSE(g.unlimited);
    EXPECT_EQ(g.max_taps, 0u);
    EXPECT_TRUE(g.name_prefixes.empty());
    EXPECT_TRUE(g.prefixes.empty());
    EXPECT_FALSE(g.masquerade || g.persistent || g.owner_access || g.raw_sockets || g.capture);
    EXPECT_EQ(g.max_captures, 0u);
    EXPECT_EQ(g.max_raw_sockets, 0u);
    EXPECT_TRUE(g.matched_rules.empty());
}

TEST(PolicyGrant, AllowsNothingWhenNoRuleMatches) {
    auto p = parsed(with_rule(R"("users": [1002], "groups": [2002], "max_taps": 4,
                                 "prefixes": ["10.0.0.0/8"], "masquerade": true)"));
    auto g = p->grant_for(kUser, {kGroup});
    EXPECT_EQ(g.max_taps, 0u);
    EXPECT_TRUE(g.prefixes.empty());
    EXPECT_FALSE(g.masquerade);
    EXPECT_TRUE(g.matched_rules.empty());
    auto name = Policy::check_name(g, "tap0");
    ASSERT_FALSE(name.ok());
    EXPECT_EQ(name.error().kind, ErrorKind::PermissionDenied);
    EXPECT_FALSE(Policy::check_prefix(g, addr("10.0.0.1/24"), "address").ok());
}

TEST(PolicyGrant, MatchesByUid) {
    auto p = parsed(with_rule(R"("users": [1001], "max_taps": 2, "masquerade": true)"));
    auto g = p->grant_for(kUser, {});
    EXPECT_EQ(g.max_taps, 2u);
    EXPECT_TRUE(g.masquerade);
    EXPECT_EQ(g.name_prefixes, std::vector<std::string>{"tap"});
    EXPECT_EQ(g.matched_rules, std::vector<size_t>{0});
}

TEST(PolicyGrant, MatchesByAnyOfTheCallersGroups) {
    auto p = parsed(with_rule(R"("groups": ["nogroup"], "max_taps": 3, "capture": true)"));
    auto g = p->grant_for(kUser, {kGroup, 65534});
    EXPECT_EQ(g.max_taps, 3u);
    EXPECT_TRUE(g.capture);
    EXPECT_EQ(p->grant_for(kUser, {kGroup}).max_taps, 0u);
}

TEST(PolicyGrant, CombinesMatchingRulesAsTheirUnion) {
    auto p = parsed(R"({"version": 1, "rules": [
        {"users": [1001], "max_taps": 2, "name_prefix": "tap",
         "prefixes": ["192.168.69.0/24"], "masquerade": true, "persistent": false},
        {"users": [1002], "max_taps": 64, "raw_sockets": true},
        {"groups": [2001], "max_taps": 4, "name_prefix": "vm",
         "prefixes": ["fdaa::/64", "192.168.69.0/24"], "persistent": true, "capture": true}]})");
    auto g = p->grant_for(kUser, {kGroup});
    EXPECT_FALSE(g.unlimited);
    EXPECT_EQ(g.matched_rules, (std::vector<size_t>{0, 2}));
    EXPECT_EQ(g.max_taps, 4u);
    EXPECT_EQ(g.name_prefixes, (std::vector<std::string>{"tap", "vm"}));
    EXPECT_EQ(g.prefixes, (std::vector<Prefix>{net("192.168.69.0/24"), net("fdaa::/64")}));
    EXPECT_TRUE(g.masquerade);
    EXPECT_TRUE(g.persistent);
    EXPECT_TRUE(g.capture);
    EXPECT_FALSE(g.raw_sockets);  // only the rule for 1002 grants it
    EXPECT_FALSE(g.owner_access);
    EXPECT_TRUE(Policy::check_name(g, "tap0").ok());
    EXPECT_TRUE(Policy::check_name(g, "vm-build").ok());
    EXPECT_TRUE(Policy::check_prefix(g, addr("fdaa::2/64"), "address").ok());
}

TEST(PolicyGrant, TakesTheLargestCountAmongTheRulesThatGrantItsPermission) {
    auto p = parsed(R"({"version": 1, "rules": [
        {"users": [1001], "capture": true, "max_captures": 1, "raw_sockets": true},
        {"users": [1001], "max_captures": 50, "max_raw_sockets": 50},
        {"groups": [2001], "capture": true, "max_captures": 2}]})");
    auto g = p->grant_for(kUser, {kGroup});
    EXPECT_EQ(g.max_captures, 2u);      // the second rule grants no capture: its 50 adds nothing
    EXPECT_EQ(g.max_raw_sockets, 16u);  // the first rule's default
    auto one = p->grant_for(kUser, {});
    EXPECT_EQ(one.max_captures, 1u);
}

// ---- check_name ----

Grant names(std::vector<std::string> prefixes) {
    Grant g;
    g.max_taps = 4;
    g.name_prefixes = std::move(prefixes);
    return g;
}

TEST(PolicyCheckName, AcceptsANameWithAGrantedPrefix) {
    EXPECT_TRUE(Policy::check_name(names({"tap"}), "tap0").ok());
    EXPECT_TRUE(Policy::check_name(names({"tap"}), "tap").ok());
    EXPECT_TRUE(Policy::check_name(names({"vm", "tap"}), "tap-a.b_c").ok());
}

TEST(PolicyCheckName, RefusesANameWithoutAGrantedPrefix) {
    for (const char* name : {"eth0", "xtap0", "ta", "TAP0"}) {
        auto st = Policy::check_name(names({"tap", "vm"}), name);
        ASSERT_FALSE(st.ok()) << name;
        EXPECT_EQ(st.error().kind, ErrorKind::PermissionDenied) << name;
        EXPECT_NE(st.error().message.find("must start with one of 'tap', 'vm'"), std::string::npos)
            << st.error().message;
    }
}

TEST(PolicyCheckName, ValidatesTheWholeNameBeforeMatchingThePrefix) {
    // qemu-bridge-helper (CVE-2019-13164) matched its ACL on a name the kernel then truncated:
    // a 16+ byte name that starts with a granted prefix must be refused, not cut to 15 bytes.
    for (const char* name : {"tap0123456789abc", "tap0123456789abcdef", "tap0/../eth0", "tap%d",
                             "tap0\n", "tap 0", "tap0\xc3\xbc"}) {
        auto st = Policy::check_name(names({"tap"}), name);
        ASSERT_FALSE(st.ok()) << name;
        EXPECT_EQ(st.error().kind, ErrorKind::InvalidArgument) << name;
    }
    EXPECT_EQ(Policy::check_name(names({"."}), "../x").error().kind, ErrorKind::InvalidArgument);
}

TEST(PolicyCheckName, ValidatesNamesForRootToo) {
    Grant root = Policy::root_only()->grant_for(0, {});
    for (const char* name : {"../x", "", "eth0123456789abcd", "."})
        EXPECT_EQ(Policy::check_name(root, name).error().kind, ErrorKind::InvalidArgument) << name;
}

// ---- check_prefix ----

Grant prefixes(std::vector<std::string_view> texts) {
    Grant g;
    for (auto t : texts) g.prefixes.push_back(net(t));
    return g;
}

TEST(PolicyCheckPrefix, AcceptsAnAddressWhoseNetworkIsInsideAGrantedPrefix) {
    auto g = prefixes({"192.168.69.0/24", "fdaa::/64"});
    EXPECT_TRUE(Policy::check_prefix(g, addr("192.168.69.100/24"), "address").ok());
    EXPECT_TRUE(Policy::check_prefix(g, addr("192.168.69.130/25"), "address").ok());
    EXPECT_TRUE(Policy::check_prefix(g, net("192.168.69.7/32"), "route").ok());
    EXPECT_TRUE(Policy::check_prefix(g, net("192.168.69.0/24"), "route").ok());
    EXPECT_TRUE(Policy::check_prefix(g, addr("fdaa::1/64"), "address").ok());
    EXPECT_TRUE(Policy::check_prefix(g, net("fdaa:0:0:0:8000::/65"), "route").ok());
}

TEST(PolicyCheckPrefix, RefusesAnAddressWhoseNetworkIsLarger) {
    auto g = prefixes({"192.168.69.0/24"});
    for (const char* a : {"192.168.69.100/16", "192.168.69.1/23", "192.168.69.1/0"}) {
        auto st = Policy::check_prefix(g, addr(a), "address");
        ASSERT_FALSE(st.ok()) << a;
        EXPECT_EQ(st.error().kind, ErrorKind::PermissionDenied);
        EXPECT_NE(st.error().message.find("address " + std::string(a) + " is outside"),
                  std::string::npos)
            << st.error().message;
    }
    EXPECT_FALSE(Policy::check_prefix(g, net("192.168.0.0/16"), "route").ok());
}

TEST(PolicyCheckPrefix, RefusesAnAddressOutsideEveryGrantedPrefix) {
    auto g = prefixes({"192.168.69.0/24", "fdaa::/64"});
    EXPECT_FALSE(Policy::check_prefix(g, addr("192.168.70.1/24"), "address").ok());
    EXPECT_FALSE(Policy::check_prefix(g, addr("fdab::1/64"), "address").ok());
    EXPECT_FALSE(Policy::check_prefix(g, addr("::ffff:192.168.69.1/128"), "address").ok());
}

TEST(PolicyCheckPrefix, AllowsTheDefaultRouteOnlyWhenTheDefaultRouteIsGranted) {
    EXPECT_FALSE(
        Policy::check_prefix(prefixes({"192.168.69.0/24", "10.0.0.0/8"}), net("0.0.0.0/0"), "route")
            .ok());
    EXPECT_FALSE(Policy::check_prefix(prefixes({"fdaa::/64"}), net("::/0"), "route").ok());
    EXPECT_FALSE(Policy::check_prefix(prefixes({"0.0.0.0/0"}), net("::/0"), "route").ok());
    auto without = prefixes({"0.0.0.0/0"});
    auto st = Policy::check_prefix(without, net("0.0.0.0/0"), "route");
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().kind, ErrorKind::PermissionDenied);
    EXPECT_NE(st.error().message.find("\"default_route\""), std::string::npos)
        << st.error().message;
    EXPECT_TRUE(Policy::check_prefix(without, net("0.0.0.0/1"), "route").ok());
    auto with = without;
    with.default_route = true;
    EXPECT_TRUE(Policy::check_prefix(with, net("0.0.0.0/0"), "route").ok());
    EXPECT_TRUE(Policy::check_prefix(with, addr("192.168.69.1/0"), "address").ok());
}

TEST(PolicyCheckPrefix, RootMayAddDefaultRoutes) {
    Grant root = Policy::root_only()->grant_for(0, {});
    EXPECT_TRUE(Policy::check_prefix(root, net("0.0.0.0/0"), "route").ok());
    EXPECT_TRUE(Policy::check_prefix(root, net("::/0"), "route").ok());
}

}  // namespace
}  // namespace tapd
