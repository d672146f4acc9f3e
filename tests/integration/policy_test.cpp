// The privilege boundary, attacked: names, prefixes, other users' taps through every mutating
// method, policy matching by user and group, policy-file errors at start and on reload.
#include <signal.h>

#include <filesystem>

#include "harness.hpp"

namespace tapd::test {
namespace {

class Boundary : public TapdTest {
  protected:
    // busctl as UID: any method, any signature.
    CommandResult call(uid_t uid, const std::vector<std::string>& args) {
        return env_->busctl(uid, args);
    }
    void expect_refused(const CommandResult& r, const std::string& want) {
        EXPECT_NE(r.status, 0) << r.describe();
        EXPECT_NE(r.err.find(want), std::string::npos)
            << "want '" << want << "' in " << r.describe();
    }
};

TEST_F(Boundary, BadNamesAreRefusedBeforeAnyPolicyMatch) {
    ASSERT_EQ(
        env_->in_ns({"ip", "link", "add", "tapuplink", "type", "veth", "peer", "name", "peer0"})
            .status,
        0);
    struct Case {
        std::string name, want;
    };
    for (const Case& c : std::vector<Case>{
             {"eth0", "PermissionDenied: tap name 'eth0'"},
             {"lo", "PermissionDenied: tap name 'lo'"},
             {"tapuplink", "Conflict: interface 'tapuplink' already exists"},
             {"tap0123456789abcdef",
              "InvalidArgument: interface name 'tap0123456789abcdef' is 19 bytes long"},
             {"tap0123456789abc",
              "InvalidArgument: interface name 'tap0123456789abc' is 16 bytes long"},
             {"../x", "InvalidArgument: interface name '../x' must start with a letter or digit"},
             {"tap%d", "InvalidArgument: interface name 'tap%d' may hold only"},
             {"tap'0", "may hold only"},
             {"tap 0", "may hold only"},
             {"tap\"0", "may hold only"},
             {"t\xc3\xa4p0", "InvalidArgument: interface name 't\\xc3\\xa4p0' may hold only"},
         }) {
        auto r = env_->tapctl({"create", c.name});
        expect_refused(r, c.want);
    }
    EXPECT_EQ(env_->ip_json({"-d", "link", "show", "type", "tun"}).size(), 0u);
}

TEST_F(Boundary, AddressesAndRoutesOutsideThePolicyOrOverAPrefixInUseAreRefused) {
    ASSERT_EQ(env_->in_ns({"ip", "link", "add", "uplink", "type", "veth", "peer", "name", "peer0"})
                  .status,
              0);
    ASSERT_EQ(env_->in_ns({"ip", "addr", "add", "192.168.1.2/24", "dev", "uplink"}).status, 0);
    ASSERT_EQ(env_->in_ns({"ip", "link", "set", "uplink", "up"}).status, 0);
    ASSERT_EQ(env_->in_ns({"ip", "route", "add", "10.20.0.0/16", "via", "192.168.1.1"}).status, 0);
    expect_refused(env_->tapctl({"create", "tap0", "--route", "0.0.0.0/0"}),
                   "PermissionDenied: route 0.0.0.0/0 is outside");
    expect_refused(env_->tapctl({"create", "tap0", "--route", "::/0"}),
                   "PermissionDenied: route ::/0");
    expect_refused(env_->tapctl({"create", "tap0", "--address", "203.0.113.5/24"}),
                   "PermissionDenied: address 203.0.113.5/24");
    expect_refused(env_->tapctl({"create", "tap0", "--address", "192.168.1.77/24"}),
                   "Conflict: 192.168.1.77/24 overlaps 192.168.1.2/24 on uplink");
    expect_refused(env_->tapctl({"create", "tap0", "--route", "192.168.0.0/16"}),
                   "Conflict: 192.168.0.0/16 overlaps 192.168.1.2/24 on uplink");
    expect_refused(env_->tapctl({"create", "tap0", "--route", "10.20.30.0/24"}),
                   "Conflict: 10.20.30.0/24 overlaps route 10.20.0.0/16 via uplink");
    // A neighbour's tap is in use too.
    ASSERT_EQ(env_->tapctl({"create", "tapn", "--address", "172.16.5.1/24"}, 65533).status, 0);
    expect_refused(env_->tapctl({"create", "tap0", "--address", "172.16.5.9/24"}),
                   "Conflict: 172.16.5.9/24 overlaps 172.16.5.1/24 on tapn");
    // Later additions are checked the same way.
    ASSERT_EQ(env_->tapctl({"create", "tap0", "--address", "192.168.69.100/24"}).status, 0);
    expect_refused(
        call(65534, {"/net/tapd1/tap/tap0", "net.tapd1.Tap", "AddRoute", "s", "0.0.0.0/0"}),
        "route 0.0.0.0/0 is outside");
    expect_refused(
        call(65534, {"/net/tapd1/tap/tap0", "net.tapd1.Tap", "AddAddress", "s", "172.16.5.3/24"}),
        "172.16.5.3/24 overlaps 172.16.5.1/24 on tapn");
    EXPECT_EQ(
        call(65534, {"/net/tapd1/tap/tap0", "net.tapd1.Tap", "AddRoute", "s", "fdaa::/64"}).status,
        0);
}

TEST_F(Boundary, EveryMethodOnAnotherUsersTapAnswersNotFound) {
    ASSERT_EQ(env_->tapctl({"create", "tapz", "--address", "192.168.69.1/24"}, 65533).status, 0);
    const std::string path = "/net/tapd1/tap/tapz", tap = "net.tapd1.Tap", m = "net.tapd1.Manager";
    const std::string want = "no tap 'tapz' of yours";
    expect_refused(call(65534, {"/net/tapd1", m, "OpenTap", "sa{sv}", "tapz", "0"}), want);
    expect_refused(call(65534, {"/net/tapd1", m, "OpenTapQueues", "sa{sv}", "tapz", "0"}), want);
    expect_refused(call(65534, {"/net/tapd1", m, "DeleteTap", "s", "tapz"}), want);
    expect_refused(call(65534, {path, tap, "AddAddress", "s", "192.168.70.1/24"}), want);
    expect_refused(call(65534, {path, tap, "RemoveAddress", "s", "192.168.69.1/24"}), want);
    expect_refused(call(65534, {path, tap, "AddRoute", "s", "fdaa::/64"}), want);
    expect_refused(call(65534, {path, tap, "RemoveRoute", "s", "fdaa::/64"}), want);
    expect_refused(call(65534, {path, tap, "SetMasquerade", "b", "true"}), want);
    expect_refused(call(65534, {path, tap, "Open", "a{sv}", "0"}), want);
    expect_refused(call(65534, {path, tap, "OpenQueues", "a{sv}", "0"}), want);
    expect_refused(call(65534, {path, tap, "Delete"}), want);
    auto cleanup = env_->tapctl({"cleanup"});
    EXPECT_EQ(cleanup.out, "nothing to delete\n") << cleanup.describe();
    // Untouched, and every refusal was logged with the caller and the outcome.
    auto shown = nlohmann::json::parse(env_->tapctl({"show", "tapz", "--json"}, 65533).out);
    EXPECT_EQ(shown["addresses"], nlohmann::json::array({"192.168.69.1/24"}));
    EXPECT_EQ(shown["masquerade"], false);
    EXPECT_NE(env_->tapd_log().find("method=Tap.SetMasquerade uid=65534"), std::string::npos);
    EXPECT_NE(env_->tapd_log().find("name=tapz enabled=1 result=net.tapd1.Error.NotFound"),
              std::string::npos)
        << env_->tapd_log();
    // The owner may do all of it.
    EXPECT_EQ(call(65533, {path, tap, "SetMasquerade", "b", "true"}).status, 0);
    EXPECT_EQ(env_->nft_set("masq4"), std::vector<std::string>{"192.168.69.0/24"});
    EXPECT_EQ(call(65533, {path, tap, "Delete"}).status, 0);
    EXPECT_EQ(env_->ip_forward(), 0);
}

TEST_F(Boundary, ReloadAndCleanupAllAreForRootOnly) {
    expect_refused(call(65534, {"/net/tapd1", "net.tapd1.Manager", "Reload"}),
                   "only root may reload the policy");
    expect_refused(env_->tapctl({"cleanup", "--all"}), "only root may delete every user's taps");
    EXPECT_EQ(call(0, {"/net/tapd1", "net.tapd1.Manager", "Reload"}).status, 0);
}

TEST_F(Boundary, UsersMatchByUidOrGroupAndUnmatchedUsersGetNothing) {
    env_->write_policy(R"({"version": 1, "rules": [
        {"users": [65534], "max_taps": 1, "prefixes": ["192.168.69.0/24"]},
        {"groups": ["tapd-testers"], "max_taps": 2, "name_prefix": "vm", "prefixes": ["fdaa::/64"],
         "masquerade": true}]})");
    ASSERT_EQ(call(0, {"/net/tapd1", "net.tapd1.Manager", "Reload"}).status, 0);
    // 65534: the first rule only: one tap, tap* names, no masquerade, not persistent.
    expect_refused(env_->tapctl({"create", "tap0"}),
                   "the policy does not allow you persistent taps");
    EXPECT_EQ(env_->tapctl({"exec", "tap0", "--address", "192.168.69.1/24", "--", "true"}).status,
              0);
    expect_refused(env_->tapctl({"exec", "tap0", "--address", "192.168.69.1/24", "--masquerade",
                                 "--", "true"}),
                   "the policy does not allow you masquerade");
    expect_refused(env_->tapctl({"exec", "vm0", "--", "true"}), "PermissionDenied: tap name 'vm0'");
    // 65533 is in group tapd-testers (gid 65530, supplementary): vm* names and masquerade.
    expect_refused(env_->tapctl({"exec", "tap0", "--", "true"}, 65533),
                   "PermissionDenied: tap name 'tap0'");
    EXPECT_EQ(env_->tapctl({"exec", "vm0", "--address", "fdaa::1/64", "--", "true"}, 65533).status,
              0);
    auto p = nlohmann::json::parse(env_->tapctl({"policy", "--json"}, 65533).out);
    EXPECT_EQ(p["max_taps"], 2);
    EXPECT_EQ(p["name_prefixes"], nlohmann::json::array({"vm"}));
    EXPECT_EQ(p["masquerade"], true);
    // A user no rule names may do nothing.
    env_->write_policy(R"({"version": 1, "rules": [{"users": [65534], "max_taps": 1}]})");
    ASSERT_EQ(call(0, {"/net/tapd1", "net.tapd1.Manager", "Reload"}).status, 0);
    auto r = env_->tapctl({"exec", "tap1", "--", "true"}, 65533);
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(r.err.find("PermissionDenied"), std::string::npos) << r.describe();
}

TEST_F(Boundary, RawSocketsAndCaptureNeedTheirSwitches) {
    env_->write_policy(R"({"version": 1, "rules": [
        {"users": [65534], "max_taps": 2, "persistent": true, "prefixes": ["192.168.69.0/24"]}]})");
    ASSERT_EQ(call(0, {"/net/tapd1", "net.tapd1.Manager", "Reload"}).status, 0);
    ASSERT_EQ(env_->tapctl({"create", "tap0", "--address", "192.168.69.1/24"}).status, 0);
    const std::string m = "net.tapd1.Manager";
    expect_refused(call(65534, {"/net/tapd1", m, "OpenRawSocket", "sii", "tap0", "2", "1"}),
                   "the policy does not allow you raw sockets");
    expect_refused(call(65534, {"/net/tapd1", m, "OpenCapture", "sa{sv}", "tap0", "0"}),
                   "the policy does not allow you capture");
    EXPECT_NE(env_->tapd_log().find("method=OpenCapture uid=65534"), std::string::npos);
    EXPECT_NE(env_->tapd_log().find("result=net.tapd1.Error.PermissionDenied"), std::string::npos);
    // The switches on: both are handed out (busctl prints the fd it received).
    env_->write_policy(R"({"version": 1, "rules": [
        {"users": [65534], "max_taps": 2, "persistent": true, "prefixes": ["192.168.69.0/24"],
         "raw_sockets": true, "capture": true}]})");
    ASSERT_EQ(call(0, {"/net/tapd1", m, "Reload"}).status, 0);
    auto raw = call(65534, {"/net/tapd1", m, "OpenRawSocket", "sii", "tap0", "2", "1"});
    EXPECT_EQ(raw.status, 0) << raw.describe();
    auto cap = call(65534, {"/net/tapd1", m, "OpenCapture", "sa{sv}", "tap0", "0"});
    EXPECT_EQ(cap.status, 0) << cap.describe();
}

TEST_F(Boundary, TwoMatchingRulesCombineAsTheirUnion) {
    env_->write_policy(R"({"version": 1, "rules": [
        {"users": [65534], "max_taps": 1, "prefixes": ["192.168.69.0/24"]},
        {"users": ["nobody"], "max_taps": 3, "name_prefix": "vm", "prefixes": ["fdaa::/64"], "persistent": true}]})");
    ASSERT_EQ(call(0, {"/net/tapd1", "net.tapd1.Manager", "Reload"}).status, 0);
    EXPECT_EQ(
        env_->tapctl({"create", "tap0", "--address", "192.168.69.1/24", "--address", "fdaa::1/64"})
            .status,
        0);
    EXPECT_EQ(env_->tapctl({"create", "vm0"}).status, 0);
    EXPECT_EQ(env_->tapctl({"create", "vm1"}).status, 0);
    expect_refused(env_->tapctl({"create", "vm2"}),
                   "QuotaExceeded: you already have 3 taps (at most 3)");
}

TEST_F(Boundary, ABadPolicyOnReloadIsRefusedAndTheOldOneStays) {
    env_->write_policy(R"({"version": 1, "rules": [{"users": [65534], "max_taps": "4"}]})");
    auto r = call(0, {"/net/tapd1", "net.tapd1.Manager", "Reload"});
    expect_refused(r, env_->policy_path() + ":1:");
    EXPECT_NE(r.err.find("max_taps"), std::string::npos) << r.describe();
    // Still the test policy: persistent taps allowed.
    EXPECT_EQ(env_->tapctl({"create", "tap0"}).status, 0);
    // SIGHUP: the same, logged.
    env_->write_policy("{ \"version\": 1, \"rules\": [ ");
    ASSERT_GT(env_->tapd_pid(), 0);
    ASSERT_EQ(kill(env_->tapd_pid(), SIGHUP), 0);
    EXPECT_TRUE(eventually([&] { return env_->tapd_log().find("SIGHUP") != std::string::npos; }))
        << env_->tapd_log();
    EXPECT_NE(env_->tapd_log().find(
                  "SIGHUP: policy not reloaded, the old one stays: " + env_->policy_path() + ":1:"),
              std::string::npos)
        << env_->tapd_log();
    EXPECT_EQ(env_->tapctl({"create", "tap1"}).status, 0);
}

// Addresses that are never a tap's, for root too: each would make the host answer for, or send
// to, what is not the tap's (issue 10, item 8).
TEST_F(Boundary, AddressesThatAreNeverATapsAreRefusedForEveryone) {
    for (const char* a : {"0.0.0.0/32", "0.0.0.0/8", "127.0.0.2/8", "224.0.0.1/4", "239.1.2.3/32",
                          "255.255.255.255/32", "::/128", "::1/128", "ff02::1/16"}) {
        auto r = env_->tapctl({"create", "tap0", "--address", a}, 0);
        expect_refused(r, "InvalidArgument: address ");
        EXPECT_NE(r.err.find("never the address of a tap"), std::string::npos) << r.describe();
    }
    ASSERT_EQ(env_->tapctl({"create", "tap0", "--address", "192.168.69.1/24"}, 0).status, 0);
    expect_refused(
        call(0, {"/net/tapd1/tap/tap0", "net.tapd1.Tap", "AddAddress", "s", "224.0.0.5/32"}),
        "never the address of a tap");
    EXPECT_EQ(env_->ip_json({"-d", "link", "show", "type", "tun"}).size(), 1u);
}

// A grant of 0.0.0.0/0 or ::/0 lets a user take every destination of the host's traffic
// through its tap; it needs "default_route": true, and so do default routes (issue 10, item 8).
TEST_F(Boundary, DefaultRoutesAndGrantsOfEverythingNeedDefaultRoute) {
    const char* broad = R"({"version": 1, "rules": [
      {"users": [65534], "max_taps": 2, "prefixes": ["192.168.69.0/24", "0.0.0.0/0"]}]})";
    env_->write_policy(broad);
    auto r = call(0, {"/net/tapd1", "net.tapd1.Manager", "Reload"});
    expect_refused(r, env_->policy_path() + ":2:");
    EXPECT_NE(r.err.find("covers every address"), std::string::npos) << r.describe();
    // The test policy stays: 0.0.0.0/0 is outside it.
    expect_refused(env_->tapctl({"create", "tap0", "--route", "0.0.0.0/0"}),
                   "PermissionDenied: route 0.0.0.0/0");
    env_->write_policy(R"({"version": 1, "rules": [
      {"users": [65534], "max_taps": 2, "prefixes": ["192.168.69.0/24", "0.0.0.0/0", "::/0"],
       "persistent": true, "default_route": true}]})");
    ASSERT_EQ(call(0, {"/net/tapd1", "net.tapd1.Manager", "Reload"}).status, 0);
    auto ok =
        env_->tapctl({"create", "tap0", "--address", "192.168.69.1/24", "--route", "0.0.0.0/0"});
    EXPECT_EQ(ok.status, 0) << ok.describe();
    EXPECT_EQ(env_->ip_json({"route", "show", "default", "dev", "tap0"}).size(), 1u);
    auto policy = env_->tapctl({"policy"});
    EXPECT_NE(policy.out.find("default_route"), std::string::npos) << policy.describe();
}

TEST(PolicyAtStart, EachKindOfErrorStopsTapdNamingFileLineAndReason) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    struct Case {
        std::string text, want;
    };
    for (const Case& c : std::vector<Case>{
             {"{\n  \"version\": 1,\n  \"rules\": [ }\n", ":3:14: "},
             {R"({"version": 1, "rules": [], "extra": 1})", "extra"},
             {R"({"version": 1, "rules": [{"users": [65534], "prefixes": ["192.168.69.1/24"]}]})",
              "has host bits set (did you mean 192.168.69.0/24?)"},
             {R"({"version": 1, "rules": [{"users": [65534], "masquerade": "yes"}]})",
              "masquerade"},
             {R"({"version": 2, "rules": []})", "version"},
             {R"({"version": 1, "rules": [{"users": ["no-such-user-xyz"]}]})", "no-such-user-xyz"},
         }) {
        env.write_policy(c.text);
        auto r = env.run_tapd_to_exit();
        EXPECT_EQ(r.status, 1) << c.text << "\n" << r.describe();
        EXPECT_NE(r.err.find("error: policy: " + env.policy_path() + ":"), std::string::npos)
            << r.describe();
        EXPECT_NE(r.err.find(c.want), std::string::npos)
            << "want '" << c.want << "' in " << r.describe();
    }
}

TEST(PolicyAtStart, NoPolicyFileMeansOnlyRootMayActAndTapdSaysSo) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    std::filesystem::remove(env.policy_path());
    env.start_tapd();
    auto r = env.tapctl({"exec", "tap0", "--", "true"});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("PermissionDenied"), std::string::npos) << r.describe();
    EXPECT_EQ(env.tapctl({"create", "tap0"}, 0).status, 0);
}

}  // namespace
}  // namespace tapd::test
