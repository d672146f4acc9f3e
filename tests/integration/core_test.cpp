// Integration tests of the core: the classic setup in one call, what the kernel holds, delete,
// all-or-nothing creates, the bus policy. Real tapd, private bus, throwaway namespaces.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "harness.hpp"

namespace tapd::test {
namespace {

const std::vector<std::string> kClassic = {
    "create",       "tap0",      "--address",    "192.168.69.100/24", "--address",
    "fe80::100/64", "--address", "fdaa::100/64", "--route",           "fe80::/64",
    "--route",      "fdaa::/64", "--masquerade", "--owner-access"};

std::vector<std::string> addresses_of(Env& env, const std::string& dev) {
    std::vector<std::string> out;
    for (const auto& link : env.ip_json({"addr", "show", "dev", dev}))
        for (const auto& a : link["addr_info"])
            out.push_back(a["local"].get<std::string>() + "/" +
                          std::to_string(a["prefixlen"].get<int>()));
    return out;
}

// Routes of tapd's protocol (177) through DEV, as "DST".
std::vector<std::string> tapd_routes(Env& env, const std::string& family) {
    std::vector<std::string> out;
    for (const auto& r : env.ip_json({family, "route", "show", "proto", "177"}))
        out.push_back(r["dst"].get<std::string>() + " dev " + r.value("dev", "?"));
    std::sort(out.begin(), out.end());
    return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

class Core : public TapdTest {};

TEST_F(Core, OneCallAsUnprivilegedUserCreatesTheClassicSetup) {
    ASSERT_EQ(env_->ip_forward(), 0);
    auto r = env_->tapctl(kClassic);
    ASSERT_EQ(r.status, 0) << r.describe();

    auto link = env_->ip_json({"-d", "link", "show", "tap0"});
    ASSERT_EQ(link.size(), 1u);
    auto flags = link[0]["flags"];
    EXPECT_TRUE(std::find(flags.begin(), flags.end(), "UP") != flags.end()) << link.dump();
    auto info = link[0]["linkinfo"]["info_data"];
    EXPECT_EQ(info["type"], "tap");
    EXPECT_EQ(info["pi"], false);
    EXPECT_EQ(info["persist"], true);
    EXPECT_EQ(info["user"], "nobody");  // --owner-access: TUNSETOWNER to the caller, uid 65534
    EXPECT_EQ(link[0]["ifalias"], "tapd owner=65534 persistent=1");

    auto addrs = addresses_of(*env_, "tap0");
    for (const char* want : {"192.168.69.100/24", "fe80::100/64", "fdaa::100/64"})
        EXPECT_TRUE(contains(addrs, want)) << want << " missing in " << link.dump();
    EXPECT_EQ(tapd_routes(*env_, "-6"),
              (std::vector<std::string>{"fdaa::/64 dev tap0", "fe80::/64 dev tap0"}));
    EXPECT_EQ(env_->nft_set("masq4"), (std::vector<std::string>{"192.168.69.0/24"}));
    EXPECT_EQ(env_->nft_set("taps"), (std::vector<std::string>{"tap0"}));
    EXPECT_EQ(env_->nft_rule_count("postrouting"), 1u);
    EXPECT_EQ(env_->ip_forward(), 1);
    // tapd turned forwarding on, so the guard limits forwarding to its taps.
    EXPECT_TRUE(env_->nft_guard_on());

    auto shown = env_->tapctl({"show", "tap0", "--json"});
    ASSERT_EQ(shown.status, 0) << shown.describe();
    auto j = nlohmann::json::parse(shown.out);
    EXPECT_EQ(j["owner_uid"], 65534);
    EXPECT_EQ(j["masquerade"], true);
    EXPECT_EQ(j["persistent"], true);
    EXPECT_EQ(j["index"], link[0]["ifindex"]);
    EXPECT_EQ(j["mac"], link[0]["address"]);
    EXPECT_EQ(j["mtu"], link[0]["mtu"]);
    EXPECT_EQ(j["addresses"].size(), 3u);
}

TEST_F(Core, RequestedMtuAndMacAreWhatTheKernelAndTheTapObjectShow) {
    auto r = env_->tapctl({"create", "tap0", "--mtu", "1400", "--mac", "02:AA:bb:00:00:01"});
    ASSERT_EQ(r.status, 0) << r.describe();
    auto link = env_->ip_json({"link", "show", "tap0"});
    ASSERT_EQ(link.size(), 1u);
    EXPECT_EQ(link[0]["mtu"], 1400);
    EXPECT_EQ(link[0]["address"], "02:aa:bb:00:00:01");
    auto j = nlohmann::json::parse(env_->tapctl({"show", "tap0", "--json"}).out);
    EXPECT_EQ(j["mtu"], 1400);
    EXPECT_EQ(j["mac"], "02:aa:bb:00:00:01");
}

// A persistent tap has no carrier from its creation on, as once tapd's fd is closed: the kernel
// starts IPv6 on it (a link-local address) when a program attaches, as on a tap made with
// `ip tuntap add`. (The carrier of tapd's own fd during the create made the kernel start IPv6
// and walk every IPv6 route of the host twice per create: at 1,000 taps, half a create.)
TEST_F(Core, APersistentTapGetsCarrierAndIpv6WhenAProgramAttaches) {
    ASSERT_EQ(env_->tapctl({"create", "tap0", "--address", "192.168.69.1/30"}).status, 0);
    auto link_local = [&] {
        return env_->ip_json({"-6", "addr", "show", "dev", "tap0"}).dump().find("fe80") !=
               std::string::npos;
    };
    EXPECT_FALSE(link_local()) << env_->ip_json({"-6", "addr", "show", "dev", "tap0"});
    pid_t holder = env_->spawn_as_user(65534, {tapctl_bin(), "exec", "tap0", "--", "sleep", "60"});
    ASSERT_GT(holder, 0);
    EXPECT_TRUE(env_->wait_carrier("tap0")) << "the holder never opened tap0";
    EXPECT_TRUE(eventually(link_local)) << env_->ip_json({"-6", "addr", "show", "dev", "tap0"});
    kill_group(holder);
}

// A tap gets its alias and persistence while it is down. The kernel announces each change of an
// up link (RTM_NEWLINK) and, for a link without carrier, walks every IPv6 route of the host with
// it: 0.5-0.8 ms each at 1,000 taps. Before its first address the tap is announced up once, as
// it comes up (the carrier's going, which the kernel reports later, may add one).
TEST_F(Core, ATapIsAnnouncedUpOnceBeforeItsFirstAddress) {
    std::string log = env_->dir() + "/monitor.log";
    pid_t monitor = env_->spawn_as_user(0, {"ip", "-o", "monitor", "link", "address"}, log);
    ASSERT_GT(monitor, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // subscribed
    auto r = env_->tapctl({"create", "tap0", "--address", "192.168.69.100/24", "--address",
                           "fdaa::100/64", "--masquerade", "--owner-access"});
    ASSERT_EQ(r.status, 0) << r.describe();
    auto text = [&] {
        std::ifstream in(log);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    bool addressed = eventually([&] { return text().find(" tap0    inet") != std::string::npos; });
    kill_group(monitor);
    ASSERT_TRUE(addressed) << text();
    int up = 0;
    std::istringstream lines(text());
    for (std::string line; std::getline(lines, line);) {
        if (line.find(" tap0    inet") != std::string::npos) break;
        size_t open = line.find(": tap0: <");
        if (open == std::string::npos || line.rfind("Deleted", 0) == 0) continue;
        std::string flags = line.substr(open + 9, line.find('>', open) - open - 9);
        if (("," + flags + ",").find(",UP,") != std::string::npos) ++up;
    }
    EXPECT_GE(up, 1) << text();
    EXPECT_LE(up, 2) << text();
}

TEST_F(Core, DeleteRemovesEveryTraceAndRestoresForwarding) {
    ASSERT_EQ(env_->tapctl(kClassic).status, 0);
    auto r = env_->tapctl({"delete", "tap0"});
    ASSERT_EQ(r.status, 0) << r.describe();
    EXPECT_TRUE(env_->ip_json({"link", "show", "tap0"}).empty());
    EXPECT_TRUE(tapd_routes(*env_, "-4").empty());
    EXPECT_TRUE(tapd_routes(*env_, "-6").empty());
    EXPECT_TRUE(env_->nft_set("masq4").empty());
    EXPECT_TRUE(env_->nft_set("taps").empty());
    EXPECT_FALSE(env_->nft_guard_on());
    EXPECT_EQ(env_->ip_forward(), 0);
    EXPECT_EQ(env_->tapctl({"list"}).out, "no taps\n");
}

// DeleteTap answers once the kernel has unregistered the link, while the kernel still frees it:
// by then the link, its addresses and its routes are gone for everyone, and the same name and
// prefixes can be taken again at once (here while the earlier links are still being freed).
TEST_F(Core, DeletedTapIsGoneWhenDeleteReturnsAndItsNameIsFreeAtOnce) {
    for (int i = 0; i < 4; ++i) {
        auto created = env_->tapctl(kClassic);
        ASSERT_EQ(created.status, 0) << "round " << i << ": " << created.describe();
        auto deleted = env_->tapctl({"delete", "tap0"});
        ASSERT_EQ(deleted.status, 0) << "round " << i << ": " << deleted.describe();
        EXPECT_TRUE(env_->ip_json({"link", "show", "tap0"}).empty()) << "round " << i;
        EXPECT_TRUE(env_->ip_json({"addr", "show", "to", "192.168.69.100"}).empty());
        EXPECT_TRUE(tapd_routes(*env_, "-6").empty()) << "round " << i;
    }
    EXPECT_EQ(env_->stop_tapd(), 0) << env_->tapd_log();
    EXPECT_EQ(env_->tapd_log().find("error"), std::string::npos) << env_->tapd_log();
}

TEST_F(Core, ForwardingThatWasOnStaysOnAndGetsNoGuard) {
    env_->set_ip_forward(1);
    ASSERT_EQ(env_->tapctl(kClassic).status, 0);
    EXPECT_FALSE(env_->nft_guard_on());
    ASSERT_EQ(env_->tapctl({"delete", "tap0"}).status, 0);
    EXPECT_EQ(env_->ip_forward(), 1);
}

TEST_F(Core, SecondMasqueradingTapKeepsForwardingUntilTheLastGoes) {
    ASSERT_EQ(env_->tapctl(kClassic).status, 0);
    auto r = env_->tapctl({"create", "tap1", "--address", "192.168.70.1/24", "--masquerade"});
    ASSERT_EQ(r.status, 0) << r.describe();
    auto set = env_->nft_set("masq4");
    std::sort(set.begin(), set.end());
    EXPECT_EQ(set, (std::vector<std::string>{"192.168.69.0/24", "192.168.70.0/24"}));
    ASSERT_EQ(env_->tapctl({"delete", "tap0"}).status, 0);
    EXPECT_EQ(env_->ip_forward(), 1);
    EXPECT_EQ(env_->nft_set("masq4"), (std::vector<std::string>{"192.168.70.0/24"}));
    ASSERT_EQ(env_->tapctl({"delete", "tap1"}).status, 0);
    EXPECT_EQ(env_->ip_forward(), 0);
}

TEST_F(Core, ListShowsOnlyTheCallersOwnTapsAndListAllIsForRoot) {
    ASSERT_EQ(env_->tapctl({"create", "tap0", "--address", "192.168.69.100/24"}).status, 0);
    ASSERT_EQ(env_->tapctl({"create", "tap1"}, 65533).status, 0);
    auto mine = nlohmann::json::parse(env_->tapctl({"list", "--json"}).out);
    ASSERT_EQ(mine.size(), 1u);
    EXPECT_EQ(mine[0]["name"], "tap0");
    auto all = nlohmann::json::parse(env_->tapctl({"list", "--all", "--json"}, 0).out);
    EXPECT_EQ(all.size(), 2u);
    auto refused = env_->tapctl({"list", "--all"});
    EXPECT_EQ(refused.status, 1);
    EXPECT_NE(refused.err.find("PermissionDenied: only root may list every user's taps"),
              std::string::npos)
        << refused.describe();
    // Another user's tap cannot be deleted, and answers like a missing one.
    auto r = env_->tapctl({"delete", "tap1"});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("NotFound: no tap 'tap1' of yours"), std::string::npos) << r.describe();
    EXPECT_EQ(env_->ip_json({"link", "show", "tap1"}).size(), 1u);
}

TEST_F(Core, CleanupDeletesTheCallersTapsAndRootCanDeleteAll) {
    ASSERT_EQ(env_->tapctl({"create", "tap0"}).status, 0);
    ASSERT_EQ(
        env_->tapctl({"create", "tap1", "--address", "192.168.69.100/24", "--masquerade"}).status,
        0);
    ASSERT_EQ(env_->tapctl({"create", "tap2"}, 65533).status, 0);
    auto r = env_->tapctl({"cleanup"});
    ASSERT_EQ(r.status, 0) << r.describe();
    EXPECT_EQ(r.out, "deleted tap0\ndeleted tap1\n");
    EXPECT_EQ(env_->ip_forward(), 0);
    EXPECT_EQ(env_->ip_json({"link", "show", "tap2"}).size(), 1u);
    EXPECT_EQ(env_->tapctl({"cleanup", "--all"}).status, 1);
    auto root = env_->tapctl({"cleanup", "--all"}, 0);
    EXPECT_EQ(root.out, "deleted tap2\n") << root.describe();
    EXPECT_TRUE(env_->ip_json({"link", "show", "tap2"}).empty());
}

TEST_F(Core, TheOwnerAddsAndRemovesAddressesAndRoutesOnTheTapObject) {
    ASSERT_EQ(
        env_->tapctl({"create", "tap0", "--address", "192.168.69.100/24", "--masquerade"}).status,
        0);
    auto call = [&](const std::string& method, const std::string& arg) {
        return env_->busctl(65534, {"/net/tapd1/tap/tap0", "net.tapd1.Tap", method, "s", arg});
    };
    ASSERT_EQ(call("AddAddress", "fdaa::100/64").status, 0);
    ASSERT_EQ(call("AddRoute", "fdaa:0:0:1::/64").status, 0);
    EXPECT_TRUE(contains(addresses_of(*env_, "tap0"), "fdaa::100/64"));
    EXPECT_EQ(tapd_routes(*env_, "-6"), std::vector<std::string>{"fdaa:0:0:1::/64 dev tap0"});
    auto again = call("AddRoute", "fdaa:0:0:1::/64");
    EXPECT_NE(again.err.find("tap 'tap0' already has route fdaa:0:0:1::/64"), std::string::npos)
        << again.describe();
    // IPv4 addresses are what masquerade applies to: fixed while it is on.
    auto v4 = call("AddAddress", "192.168.70.1/24");
    EXPECT_NE(v4.err.find("turn masquerade off before adding IPv4 address 192.168.70.1/24"),
              std::string::npos)
        << v4.describe();
    ASSERT_EQ(call("RemoveRoute", "fdaa:0:0:1::/64").status, 0);
    ASSERT_EQ(call("RemoveAddress", "fdaa::100/64").status, 0);
    EXPECT_TRUE(tapd_routes(*env_, "-6").empty());
    EXPECT_FALSE(contains(addresses_of(*env_, "tap0"), "fdaa::100/64"));
    auto gone = call("RemoveAddress", "fdaa::100/64");
    EXPECT_NE(gone.err.find("tap 'tap0' has no address fdaa::100/64"), std::string::npos)
        << gone.describe();
    auto shown = nlohmann::json::parse(env_->tapctl({"show", "tap0", "--json"}).out);
    EXPECT_EQ(shown["addresses"], nlohmann::json::array({"192.168.69.100/24"}));
    EXPECT_EQ(shown["routes"], nlohmann::json::array());
}

TEST_F(Core, AnAddressAndARouteOfOnePrefixMakeOneRouteOnTheTapObjectToo) {
    // As at CreateTap: an address added to a tap that routes its prefix brings no second route.
    ASSERT_EQ(env_->tapctl({"create", "tap0", "--route", "fdaa::/64"}).status, 0);
    auto call = [&](const std::string& method, const std::string& arg) {
        return env_->busctl(65534, {"/net/tapd1/tap/tap0", "net.tapd1.Tap", method, "s", arg});
    };
    auto added = call("AddAddress", "fdaa::100/64");
    ASSERT_EQ(added.status, 0) << added.describe();
    auto routes = env_->ip_json({"-6", "route", "show", "fdaa::/64"});
    ASSERT_EQ(routes.size(), 1u) << routes.dump();
    EXPECT_EQ(routes[0].value("protocol", ""), "177") << routes.dump();
    // The other way round, the kernel's prefix route is there already: refused by name.
    ASSERT_EQ(call("AddAddress", "192.168.69.100/24").status, 0);
    auto route = call("AddRoute", "192.168.69.0/24");
    EXPECT_NE(route.err.find("error-name=net.tapd1.Error.Conflict"), std::string::npos)
        << route.describe();
    EXPECT_NE(route.err.find("route 192.168.69.0/24 is already there as the prefix route of "
                             "address 192.168.69.100/24 on 'tap0'"),
              std::string::npos)
        << route.describe();
    EXPECT_EQ(env_->ip_json({"route", "show", "192.168.69.0/24"}).size(), 1u);
}

TEST_F(Core, ErrorsNameTheBadValue) {
    struct Case {
        std::vector<std::string> args;
        std::string want;
    };
    std::vector<Case> cases = {
        {{"create", "tap0", "--address", "192.168.69.300/24"},
         "InvalidArgument: option 'addresses': invalid IP address '192.168.69.300'"},
        {{"create", "tap0", "--route", "fdaa::1/64"},
         "has host bits set (did you mean fdaa::/64?)"},
        {{"create", "eth0"}, "PermissionDenied: tap name 'eth0' must start with 'tap'"},
        {{"create", "tap%d"}, "InvalidArgument: interface name 'tap%d' may hold only"},
        {{"create", "tap0123456789abc"}, "is 16 bytes long (at most 15)"},
        {{"create", "tap0", "--masquerade"}, "masquerade needs an IPv4 address"},
        {{"create", "tap0", "--mtu", "40"}, "mtu 40 is out of range"},
        {{"create", "tap0", "--mac", "01:00:00:00:00:01"}, "is a multicast address"},
        {{"create", "tap0", "--address", "8.8.8.8/32"},
         "PermissionDenied: address 8.8.8.8/32 is outside the prefixes you may use"},
        {{"delete", "tap7"}, "NotFound: no tap 'tap7' of yours"},
    };
    for (const auto& c : cases) {
        auto r = env_->tapctl(c.args);
        EXPECT_EQ(r.status, 1) << c.args[1] << ": " << r.describe();
        EXPECT_NE(r.err.find(c.want), std::string::npos)
            << "want '" << c.want << "' in " << r.describe();
    }
    EXPECT_TRUE(env_->ip_json({"link", "show", "tap0"}).empty());
}

TEST_F(Core, ExistingInterfaceNameIsAConflictAndIsLeftAlone) {
    ASSERT_EQ(
        env_->in_ns({"ip", "link", "add", "tapx", "type", "veth", "peer", "name", "tapy"}).status,
        0);
    auto r = env_->tapctl({"create", "tapx"});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("Conflict: interface 'tapx' already exists"), std::string::npos)
        << r.describe();
    EXPECT_EQ(env_->ip_json({"link", "show", "tapx"}).size(), 1u);
}

TEST(CoreBus, UnprivilegedProcessCannotOwnTheBusName) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    auto r =
        env.as_user(65534, {"dbus-send", "--system", "--print-reply", "--dest=org.freedesktop.DBus",
                            "/org/freedesktop/DBus", "org.freedesktop.DBus.RequestName",
                            "string:net.tapd1", "uint32:0"});
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("AccessDenied"), std::string::npos) << r.describe();
    // Root may (the policy's one owner).
    auto root =
        env.as_user(0, {"dbus-send", "--system", "--print-reply", "--dest=org.freedesktop.DBus",
                        "/org/freedesktop/DBus", "org.freedesktop.DBus.RequestName",
                        "string:net.tapd1", "uint32:0"});
    EXPECT_EQ(root.status, 0) << root.describe();
}

// A create that fails at any step leaves nothing: no link, no routes, no NAT, forwarding as it was.
class FailedCreate : public ::testing::TestWithParam<const char*> {};

TEST_P(FailedCreate, LeavesNothingBehind) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    env.start_tapd({std::string("TAPD_FAIL_AT=") + GetParam()});
    auto r = env.tapctl(kClassic);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find(std::string("Failed: injected failure at step '") + GetParam() + "'"),
              std::string::npos)
        << r.describe();
    EXPECT_TRUE(env.ip_json({"link", "show", "tap0"}).empty());
    EXPECT_TRUE(tapd_routes(env, "-6").empty());
    EXPECT_TRUE(env.nft_set("masq4").empty());
    EXPECT_TRUE(env.nft_set("taps").empty());
    EXPECT_FALSE(env.nft_guard_on());
    EXPECT_EQ(env.ip_forward(), 0);
    // Nor a record (a failure after the state was written takes the tap out again).
    EXPECT_EQ(recorded_taps(env), std::set<std::string>{});
    // And tapd still serves: the same create now works.
    env.stop_tapd();
    env.start_tapd();
    auto again = env.tapctl(kClassic);
    EXPECT_EQ(again.status, 0) << again.describe();
    EXPECT_EQ(recorded_taps(env), std::set<std::string>{"tap0"});
}

INSTANTIATE_TEST_SUITE_P(EveryStep, FailedCreate,
                         ::testing::Values("tap", "address", "route", "masquerade", "state",
                                           "forwarding"));

TEST(CoreState, UnwritableStateFileFailsTheCreateCleanly) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    env.start_tapd();
    // A directory where the state journal goes: the append fails with EISDIR.
    std::filesystem::create_directories(env.state_dir() + "/state.journal");
    auto r = env.tapctl(kClassic);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("Failed: writing state: open " + env.state_dir() +
                         "/state.journal: Is a directory"),
              std::string::npos)
        << r.describe();
    EXPECT_TRUE(env.ip_json({"link", "show", "tap0"}).empty());
    EXPECT_TRUE(env.nft_set("masq4").empty());
    EXPECT_EQ(env.ip_forward(), 0);
}

}  // namespace
}  // namespace tapd::test

namespace tapd::test {
namespace {

TEST(Tapctl, UsageErrorsExitTwoAndNeedNoBus) {
    const std::string nowhere = "unix:path=/nonexistent/tapd-test-bus";
    struct Case {
        std::vector<std::string> args;
        std::string want;
    };
    for (const Case& c : std::vector<Case>{
             {{"list", "--bogus"}, "list: unknown option '--bogus'"},
             {{"exec", "tap0", "--fd", "1", "--", "true"}, "exec: --fd must not be 0, 1 or 2"},
             {{"exec", "tap0"}, "exec: missing '-- PROGRAM [ARGS...]'"},
             {{"create"}, "create needs a tap NAME"},
             {{"frobnicate"}, "unknown command 'frobnicate'"},
         }) {
        std::vector<std::string> argv = {tapctl_bin(), "--bus-address", nowhere};
        argv.insert(argv.end(), c.args.begin(), c.args.end());
        auto r = run(argv);
        EXPECT_EQ(r.status, 2) << r.describe();
        EXPECT_NE(r.err.find(c.want), std::string::npos) << r.describe();
    }
    // A well-formed command does reach for the bus, and says that it cannot.
    auto r = run({tapctl_bin(), "--bus-address", nowhere, "list"});
    EXPECT_EQ(r.status, 1) << r.describe();
}

}  // namespace
}  // namespace tapd::test
