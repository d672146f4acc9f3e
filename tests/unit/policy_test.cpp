// Tests for daemon/policy: the policy in force (set, load, reload: a call keeps the policy it
// took), check_create and the checks of capture and raw-socket counts.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "expect.hpp"
#include "policy.hpp"
#include "policy_in_force.hpp"

namespace tapd {
namespace {

namespace fs = std::filesystem;

::testing::AssertionResult Refused(const Status& st, ErrorKind kind, std::string_view text) {
    if (st.ok()) return ::testing::AssertionFailure() << "was allowed";
    if (st.error().kind != kind)
        return ::testing::AssertionFailure() << "wrong error kind: " << st.error().message;
    if (st.error().message.find(text) == std::string::npos)
        return ::testing::AssertionFailure()
               << "message \"" << st.error().message << "\" does not hold \"" << text << "\"";
    return ::testing::AssertionSuccess();
}

CreateOptions with_address(const char* text) {
    CreateOptions o;
    o.addresses.push_back(addr(text));
    return o;
}

CreateOptions with_route(const char* text) {
    CreateOptions o;
    o.routes.push_back(net(text));
    return o;
}

// A user's grant as a classic policy file would give it: four taps, private ranges, all flags.
Grant user_grant() {
    Grant g;
    g.max_taps = 4;
    g.name_prefixes = {"tap"};
    for (const char* p : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/64"})
        g.prefixes.push_back(net(p));
    g.masquerade = g.persistent = g.owner_access = true;
    return g;
}

constexpr uid_t kUser = 1000;

// A PolicyInForce of its own for each test, and a directory for its files.
class PolicyInForceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string templ = (fs::temp_directory_path() / "tapd-policy-XXXXXX").string();
        ASSERT_NE(::mkdtemp(templ.data()), nullptr);
        dir_ = templ;
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    std::string write(const std::string& name, const std::string& text) {
        std::string path = dir_ + "/" + name;
        std::ofstream(path, std::ios::binary) << text;
        ::chmod(path.c_str(), 0644);
        return path;
    }
    Grant grant_for(uid_t uid) const {
        Caller c(uid, 0, "");
        return in_force_.get()->grant_for(c);
    }

    PolicyInForce in_force_;
    std::string dir_;
};

constexpr const char* kOneUserPolicy = R"({"version": 1, "rules": [
  {"users": [1000], "max_taps": 2, "prefixes": ["192.168.69.0/24"], "masquerade": true}]})";

// grant_for and the policy in force

TEST_F(PolicyInForceTest, StartsWithTheDefaultThatGrantsOnlyRoot) {
    EXPECT_FALSE(in_force_.get()->from_file);
    EXPECT_TRUE(in_force_.get()->rules.empty());
    EXPECT_TRUE(grant_for(0).unlimited);
    for (uid_t uid : {uid_t{1}, kUser, uid_t{65534}, static_cast<uid_t>(-1)}) {
        auto g = grant_for(uid);
        EXPECT_FALSE(g.unlimited) << uid;
        EXPECT_EQ(g.max_taps, 0u) << uid;
        EXPECT_TRUE(g.prefixes.empty()) << uid;
        EXPECT_FALSE(g.masquerade || g.persistent || g.owner_access) << uid;
    }
}

TEST_F(PolicyInForceTest, DefaultGrantRefusesEveryCreateByAUser) {
    EXPECT_TRUE(Refused(Policy::check_create(grant_for(kUser), {}, 0), ErrorKind::QuotaExceeded,
                        "grants you no taps"));
    EXPECT_TRUE(Policy::check_create(grant_for(0), with_address("203.0.113.1/24"), 0).ok());
}

TEST_F(PolicyInForceTest, LoadsAFileAndGrantsFromIt) {
    auto path = write("policy.json", kOneUserPolicy);
    auto st = in_force_.load_at_start(path);
    ASSERT_TRUE(st.ok()) << st.error().message;
    EXPECT_TRUE(in_force_.get()->from_file);
    EXPECT_EQ(in_force_.get()->source, path);
    auto g = grant_for(kUser);
    EXPECT_FALSE(g.unlimited);
    EXPECT_EQ(g.max_taps, 2u);
    ASSERT_EQ(g.prefixes.size(), 1u);
    EXPECT_EQ(g.prefixes[0], net("192.168.69.0/24"));
    EXPECT_TRUE(g.masquerade);
    EXPECT_FALSE(g.persistent);
    EXPECT_EQ(grant_for(kUser + 1).max_taps, 0u);
    EXPECT_TRUE(grant_for(0).unlimited);
}

TEST_F(PolicyInForceTest, KeepsTheOldPolicyWhenALoadFails) {
    ASSERT_TRUE(in_force_.load_at_start(write("good.json", kOneUserPolicy)).ok());
    auto bad = write("bad.json", "{\"version\": 1, \"rules\": [,]}");
    auto st = in_force_.load_at_start(bad);
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().message.find(bad + ":"), std::string::npos) << st.error().message;
    EXPECT_EQ(in_force_.get()->source, dir_ + "/good.json");
    EXPECT_EQ(grant_for(kUser).max_taps, 2u);
}

TEST_F(PolicyInForceTest, AMissingFileAtStartMeansOnlyRoot) {
    ASSERT_TRUE(in_force_.load_at_start(write("good.json", kOneUserPolicy)).ok());
    ASSERT_TRUE(in_force_.load_at_start(dir_ + "/absent.json").ok());
    EXPECT_FALSE(in_force_.get()->from_file);
    EXPECT_EQ(grant_for(kUser).max_taps, 0u);
}

TEST_F(PolicyInForceTest, SetReplacesThePolicyWhole) {
    auto p = Policy::parse(R"({"version": 1, "rules": [
        {"users": [1000], "max_taps": 3, "persistent": true}]})",
                           "test");
    ASSERT_TRUE(p.ok()) << p.error().message;
    in_force_.set(p.value());
    EXPECT_EQ(in_force_.get()->source, "test");
    EXPECT_EQ(grant_for(kUser).max_taps, 3u);
    EXPECT_TRUE(grant_for(kUser).persistent);
    in_force_.set(Policy::root_only());
    EXPECT_EQ(grant_for(kUser).max_taps, 0u);
}

TEST_F(PolicyInForceTest, AFailedReloadKeepsTheSameObject) {
    auto path = write("policy.json", kOneUserPolicy);
    ASSERT_TRUE(in_force_.load_at_start(path).ok());
    auto before = in_force_.get();
    write("policy.json", "{\"version\": 2, \"rules\": []}");
    auto st = in_force_.reload(path);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().message,
              path + ":1:13: version: unsupported version 2 (this tapd reads version 1)");
    EXPECT_EQ(in_force_.get(), before);
    ASSERT_EQ(::unlink(path.c_str()), 0);
    st = in_force_.reload(path);
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().message.find("only at start does a missing policy file mean root only"),
              std::string::npos)
        << st.error().message;
    EXPECT_EQ(in_force_.get(), before);
}

TEST_F(PolicyInForceTest, APolicyTakenBeforeAReloadStaysWholeAndValid) {
    auto path = write("policy.json", kOneUserPolicy);
    ASSERT_TRUE(in_force_.load_at_start(path).ok());
    std::shared_ptr<const Policy> taken = in_force_.get();
    const Rule* first = &taken->rules.at(0);
    write("policy.json", R"({"version": 1, "limits": {"captures": 1}, "rules": [
        {"users": [1000], "max_taps": 7}, {"users": [1001], "max_taps": 1}]})");
    ASSERT_TRUE(in_force_.reload(path).ok());
    EXPECT_NE(in_force_.get(), taken);
    EXPECT_EQ(in_force_.get()->rules.size(), 2u);
    EXPECT_EQ(grant_for(kUser).max_taps, 7u);
    // The call that took the old policy still sees all of it, and only it.
    ASSERT_EQ(taken->rules.size(), 1u);
    EXPECT_EQ(&taken->rules.at(0), first);
    EXPECT_EQ(taken->rules[0].max_taps, 2u);
    EXPECT_EQ(taken->limits.captures, kDefaultCaptureLimit);
    EXPECT_EQ(taken->grant_for(kUser, {}).max_taps, 2u);
    EXPECT_TRUE(taken->grant_for(kUser, {}).masquerade);
}

// check_create: quota

TEST(CheckCreate, AllowsUnderTheQuota) {
    auto g = user_grant();
    for (size_t owned = 0; owned < 4; ++owned)
        EXPECT_TRUE(Policy::check_create(g, {}, owned).ok()) << owned;
}

TEST(CheckCreate, RefusesAtTheQuota) {
    auto g = user_grant();
    EXPECT_TRUE(Refused(Policy::check_create(g, {}, 4), ErrorKind::QuotaExceeded, "4 taps"));
    EXPECT_TRUE(Refused(Policy::check_create(g, {}, 4), ErrorKind::QuotaExceeded, "at most 4"));
    EXPECT_TRUE(Refused(Policy::check_create(g, {}, 9), ErrorKind::QuotaExceeded, "9 taps"));
}

TEST(CheckCreate, SaysSoWhenThePolicyGrantsNoTaps) {
    auto g = user_grant();
    g.max_taps = 0;
    EXPECT_TRUE(
        Refused(Policy::check_create(g, {}, 0), ErrorKind::QuotaExceeded, "grants you no taps"));
}

TEST(CheckCreate, ChecksTheQuotaBeforeThePrefixes) {
    auto g = user_grant();
    EXPECT_TRUE(Refused(Policy::check_create(g, with_address("8.8.8.8/24"), 4),
                        ErrorKind::QuotaExceeded, "at most 4"));
}

// check_create: prefixes

TEST(CheckCreate, AllowsAddressesInsideTheGrantedPrefixes) {
    auto g = user_grant();
    for (const char* a :
         {"192.168.69.100/24", "10.0.0.1/8", "10.200.3.4/30", "172.16.0.1/12", "172.31.255.1/24",
          "192.168.0.1/16", "fdaa::100/64", "fc00::1/7", "fe80::1/64", "fdaa::1/128"})
        EXPECT_TRUE(Policy::check_create(g, with_address(a), 0).ok()) << a;
}

TEST(CheckCreate, RefusesAddressesOutsideNamingThem) {
    auto g = user_grant();
    for (const char* a :
         {"8.8.8.8/24", "203.0.113.1/24", "172.32.0.1/24", "11.0.0.1/8", "2001:db8::1/64",
          "fe80:0:0:1::1/64", "::ffff:192.168.1.1/128", "127.0.0.1/8", "169.254.1.1/16"})
        EXPECT_TRUE(Refused(Policy::check_create(g, with_address(a), 0),
                            ErrorKind::PermissionDenied, std::string("address ") + a))
            << a;
}

TEST(CheckCreate, RefusesAddressWhoseSubnetReachesOutside) {
    // The kernel adds a prefix route for the whole subnet, so the subnet must lie inside.
    auto g = user_grant();
    for (const char* a : {"192.168.69.100/8", "10.0.0.1/7", "fe80::1/10", "fdaa::1/6"})
        EXPECT_TRUE(
            Refused(Policy::check_create(g, with_address(a), 0), ErrorKind::PermissionDenied, a))
            << a;
}

TEST(CheckCreate, AllowsRoutesInsideAndRefusesRoutesOutside) {
    auto g = user_grant();
    EXPECT_TRUE(Policy::check_create(g, with_route("10.1.0.0/16"), 0).ok());
    EXPECT_TRUE(Policy::check_create(g, with_route("fdbb::/48"), 0).ok());
    for (const char* r : {"0.0.0.0/0", "::/0", "8.8.8.8/32", "192.0.0.0/8"})
        EXPECT_TRUE(Refused(Policy::check_create(g, with_route(r), 0), ErrorKind::PermissionDenied,
                            std::string("route ") + r))
            << r;
}

TEST(CheckCreate, RefusesWhenAnyOneOfSeveralAddressesIsOutside) {
    CreateOptions o = with_address("192.168.69.100/24");
    o.addresses.push_back(addr("fdaa::100/64"));
    o.addresses.push_back(addr("198.51.100.7/24"));
    EXPECT_TRUE(Refused(Policy::check_create(user_grant(), o, 0), ErrorKind::PermissionDenied,
                        "198.51.100.7/24"));
}

TEST(CheckCreate, RefusesEveryAddressWhenTheGrantHasNoPrefixes) {
    auto g = user_grant();
    g.prefixes.clear();
    EXPECT_TRUE(Policy::check_create(g, {}, 0).ok());
    EXPECT_TRUE(Refused(Policy::check_create(g, with_address("192.168.69.100/24"), 0),
                        ErrorKind::PermissionDenied, "192.168.69.100/24"));
    EXPECT_TRUE(Refused(Policy::check_create(g, with_route("10.0.0.0/8"), 0),
                        ErrorKind::PermissionDenied, "10.0.0.0/8"));
}

// check_create: flags

TEST(CheckCreate, AllowsGrantedFlags) {
    CreateOptions o = with_address("192.168.69.100/24");
    o.masquerade = o.persistent = o.owner_access = true;
    EXPECT_TRUE(Policy::check_create(user_grant(), o, 0).ok());
}

TEST(CheckCreate, RefusesMasqueradeWhenNotGranted) {
    auto g = user_grant();
    g.masquerade = false;
    CreateOptions o = with_address("192.168.69.100/24");
    EXPECT_TRUE(Policy::check_create(g, o, 0).ok());
    o.masquerade = true;
    EXPECT_TRUE(Refused(Policy::check_create(g, o, 0), ErrorKind::PermissionDenied, "masquerade"));
}

TEST(CheckCreate, RefusesPersistenceWhenNotGranted) {
    auto g = user_grant();
    g.persistent = false;
    CreateOptions o;
    EXPECT_TRUE(Policy::check_create(g, o, 0).ok());
    o.persistent = true;
    EXPECT_TRUE(Refused(Policy::check_create(g, o, 0), ErrorKind::PermissionDenied, "persistent"));
}

TEST(CheckCreate, RefusesOwnerAccessWhenNotGranted) {
    auto g = user_grant();
    g.owner_access = false;
    CreateOptions o;
    EXPECT_TRUE(Policy::check_create(g, o, 0).ok());
    o.owner_access = true;
    EXPECT_TRUE(
        Refused(Policy::check_create(g, o, 0), ErrorKind::PermissionDenied, "owner_access"));
}

TEST(CheckCreate, LeavesVnetHdrAndMultiQueueToEveryone) {
    auto g = user_grant();
    g.masquerade = g.persistent = g.owner_access = false;
    CreateOptions o;
    o.vnet_hdr = o.multi_queue = true;
    EXPECT_TRUE(Policy::check_create(g, o, 0).ok());
}

TEST(CheckCreate, IgnoresEveryLimitForAnUnlimitedGrant) {
    Grant g;  // no prefixes, no flags, quota 0
    g.unlimited = true;
    CreateOptions o = with_address("203.0.113.1/24");
    o.routes.push_back(net("0.0.0.0/0"));
    o.masquerade = o.persistent = o.owner_access = true;
    EXPECT_TRUE(Policy::check_create(g, o, 99).ok());
}

// ---- check_capture_quota, check_raw_socket_quota ----

Grant counting_grant() {
    Grant g;
    g.capture = g.raw_sockets = true;
    g.max_captures = 2;
    g.max_raw_sockets = 3;
    return g;
}

Limits small_limits() {
    Limits l;
    l.captures = 5;
    l.raw_sockets = 7;
    return l;
}

TEST(CheckCounts, AllowBelowBothLimits) {
    EXPECT_TRUE(Policy::check_capture_quota(counting_grant(), small_limits(), 1, 4).ok());
    EXPECT_TRUE(Policy::check_raw_socket_quota(counting_grant(), small_limits(), 2, 6).ok());
}

TEST(CheckCounts, RefuseAtTheUsersLimitNamingItsKey) {
    EXPECT_TRUE(Refused(Policy::check_capture_quota(counting_grant(), small_limits(), 2, 2),
                        ErrorKind::QuotaExceeded,
                        "you already have 2 captures (at most 2, policy key \"max_captures\")"));
    EXPECT_TRUE(
        Refused(Policy::check_raw_socket_quota(counting_grant(), small_limits(), 3, 3),
                ErrorKind::QuotaExceeded,
                "you already hold 3 raw sockets (at most 3, policy key \"max_raw_sockets\")"));
}

TEST(CheckCounts, RefuseAtTapdsLimitNamingItsKey) {
    EXPECT_TRUE(Refused(Policy::check_capture_quota(counting_grant(), small_limits(), 0, 5),
                        ErrorKind::QuotaExceeded,
                        "tapd already runs 5 captures (at most 5, policy key "
                        "\"limits.captures\")"));
    EXPECT_TRUE(Refused(Policy::check_raw_socket_quota(counting_grant(), small_limits(), 1, 9),
                        ErrorKind::QuotaExceeded,
                        "9 raw sockets from tapd are open (at most 7, policy key "
                        "\"limits.raw_sockets\")"));
}

TEST(CheckCounts, SayWhenTheUsersLimitIsZero) {
    auto g = counting_grant();
    g.max_captures = 0;
    EXPECT_TRUE(Refused(Policy::check_capture_quota(g, small_limits(), 0, 0),
                        ErrorKind::QuotaExceeded,
                        "the policy grants you no captures (policy key \"max_captures\" is 0)"));
}

TEST(CheckCounts, AgainstThePolicysOwnLimits) {
    auto p = Policy::parse(R"({"version": 1, "limits": {"captures": 5, "raw_sockets": 7},
                              "rules": []})",
                           "policy.json");
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_TRUE(p.value()->check_capture_quota(counting_grant(), 1, 4).ok());
    EXPECT_TRUE(Refused(p.value()->check_capture_quota(counting_grant(), 0, 5),
                        ErrorKind::QuotaExceeded, "(at most 5, policy key \"limits.captures\")"));
    EXPECT_TRUE(p.value()->check_raw_socket_quota(counting_grant(), 2, 6).ok());
    EXPECT_TRUE(Refused(p.value()->check_raw_socket_quota(counting_grant(), 1, 7),
                        ErrorKind::QuotaExceeded,
                        "(at most 7, policy key \"limits.raw_sockets\")"));
}

TEST(CheckCounts, NeverRefuseRoot) {
    Grant g;
    g.unlimited = true;
    EXPECT_TRUE(Policy::check_capture_quota(g, small_limits(), 100, 100).ok());
    EXPECT_TRUE(Policy::check_raw_socket_quota(g, small_limits(), 100, 100).ok());
}

}  // namespace
}  // namespace tapd
