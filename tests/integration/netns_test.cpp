// AttachNamespace and tapctl netns, as uid 65534: a user's own network namespace gets a veth
// pair with NAT; namespaces of the host, of root or of another user are refused (the class of
// lxc-user-nic's CVE-2017-5985); the link ends with its namespace, counts against the quota,
// and survives a restart of tapd only while its namespace lives.
#include <signal.h>

#include <fstream>
#include <iterator>
#include <thread>

#include "harness.hpp"
#include "netns_fixture.hpp"

namespace tapd::test {
namespace {

std::string file_text(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// The host's uplink to an "internet" namespace INET (203.0.113.1, default route of the host).
void add_internet(Env& env, const std::string& inet) {
    for (const auto& argv : std::vector<std::vector<std::string>>{
             {"ip", "-n", env.ns(), "link", "add", "uplink", "type", "veth", "peer", "name", "wan",
              "netns", inet},
             {"ip", "-n", env.ns(), "addr", "add", "203.0.113.2/24", "dev", "uplink"},
             {"ip", "-n", env.ns(), "link", "set", "uplink", "up"},
             {"ip", "-n", env.ns(), "route", "add", "default", "via", "203.0.113.1"},
             {"ip", "-n", inet, "addr", "add", "203.0.113.1/24", "dev", "wan"},
             {"ip", "-n", inet, "link", "set", "wan", "up"}}) {
        auto r = run(argv);
        ASSERT_EQ(r.status, 0) << r.describe();
    }
}

TEST(Netns, TheHostsOwnNamespaceIsRefused) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    env.start_tapd();
    // tapctl's own namespace: made by root (ip netns add), owned by the initial user namespace.
    auto r = env.tapctl({"netns", "attach", "/proc/self/ns/net", "--name", "tapn0"});
    EXPECT_NE(r.status, 0) << r.describe();
    EXPECT_NE(r.err.find("PermissionDenied:"), std::string::npos) << r.describe();
    EXPECT_NE(r.err.find("owned by tapd's own user namespace"), std::string::npos) << r.describe();
    EXPECT_TRUE(env.ip_json({"link", "show", "tapn0"}).empty());
}

// The namespace of a user namespace that OWNER made, opened by root and handed to uid 65534 as
// an inherited fd: what tapctl cannot open itself, a hostile client could still pass.
CommandResult attach_foreign(Env& env, uid_t owner) {
    pid_t other = spawn_namespace(env, owner);
    EXPECT_TRUE(eventually([&] { return unshared(env, other); }));
    auto r = env.in_ns({"sh", "-c",
                        "exec 3</proc/" + std::to_string(other) +
                            "/ns/net; exec setpriv --reuid=65534 --regid=65534 --clear-groups "
                            "env DBUS_SYSTEM_BUS_ADDRESS=" +
                            env.bus_address() + " " + tapctl_bin() +
                            " netns attach /proc/self/fd/3 --name tapn0"});
    kill_group(other);
    return r;
}

TEST(Netns, RootsUserNamespaceIsRefused) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    env.start_tapd();
    auto r = attach_foreign(env, 0);
    EXPECT_NE(r.status, 0) << r.describe();
    EXPECT_NE(r.err.find("PermissionDenied:"), std::string::npos) << r.describe();
    EXPECT_NE(r.err.find("belongs to uid 0, not to uid 65534"), std::string::npos) << r.describe();
    EXPECT_TRUE(env.ip_json({"link", "show", "tapn0"}).empty());
}

TEST(Netns, AnotherUsersNamespaceIsRefused) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    env.start_tapd();
    auto r = attach_foreign(env, 65533);
    EXPECT_NE(r.status, 0) << r.describe();
    EXPECT_NE(r.err.find("PermissionDenied:"), std::string::npos) << r.describe();
    EXPECT_NE(r.err.find("belongs to uid 65533, not to uid 65534"), std::string::npos)
        << r.describe();
    EXPECT_TRUE(env.ip_json({"link", "show", "tapn0"}).empty());
}

TEST(Netns, AFdThatIsNoNetworkNamespaceIsRefused) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    env.start_tapd();
    auto r = env.tapctl({"netns", "attach", "/proc/self/ns/uts", "--name", "tapn0"});
    EXPECT_NE(r.err.find("PermissionDenied:"), std::string::npos) << r.describe();
    EXPECT_NE(r.err.find("not a network namespace"), std::string::npos) << r.describe();
    auto f = env.tapctl({"netns", "attach", "/etc/hostname", "--name", "tapn0"});
    EXPECT_NE(f.err.find("PermissionDenied:"), std::string::npos) << f.describe();
}

TEST(Netns, RunReachesTheInternetThroughNatAndIpv6ReachesThePeer) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    std::string inet = env.add_ns("inet");
    add_internet(env, inet);
    env.start_tapd();
    // An echo on the "internet" (IPv4, through NAT) and one on the host (IPv6, routed; bound to
    // :: since fdaa::1 exists only once the namespace is attached).
    CommandResult server, server6;
    std::thread echo([&] {
        server = env.in_ns({example_bin("udp_echo"), "203.0.113.1", "7777", "1"}, inet);
    });
    std::thread echo6([&] { server6 = env.in_ns({example_bin("udp_echo"), "::", "7778"}); });
    EXPECT_TRUE(eventually([&] {
        return !env.in_ns({"ss", "-Hlun", "sport = :7777"}, inet).out.empty();
    })) << "udp_echo never bound 203.0.113.1:7777";
    EXPECT_TRUE(eventually([&] {
        return !env.in_ns({"ss", "-Hlun", "sport = :7778"}).out.empty();
    })) << "udp_echo never bound [::]:7778";
    // bash's /dev/udp connects a UDP socket; dd reads the answer in one read (a datagram).
    std::string log = env.dir() + "/netns_run.log";
    pid_t run_pid = env.spawn_as_user(
        65534,
        {tapctl_bin(), "netns", "run", "--name", "tapn0", "--gateway", "192.168.69.1/24",
         "--address", "192.168.69.2/24", "--gateway", "fdaa::1/64", "--address", "fdaa::2/64",
         "--masquerade", "--", "bash", "-c",
         "exec 3<>/dev/udp/203.0.113.1/7777; echo ping >&3; "
         "echo \"echo: $(dd bs=512 count=1 status=none <&3)\"; "
         "exec 4<>/dev/udp/fdaa::1/7778; echo ping6 >&4; "
         "echo \"echo6: $(dd bs=512 count=1 status=none <&4)\"; exec sleep 600"},
        log);
    echo.join();
    echo6.join();
    EXPECT_TRUE(eventually([&] {
        return file_text(log).find("echo6: ping6") != std::string::npos;
    })) << file_text(log)
        << server.describe() << server6.describe() << env.tapd_log();
    EXPECT_NE(file_text(log).find("echo: ping"), std::string::npos) << file_text(log);
    EXPECT_EQ(server.status, 0) << server.describe();
    // Masqueraded: the server saw the host's uplink address.
    EXPECT_NE(server.out.find("from 203.0.113.2:"), std::string::npos) << server.describe();
    EXPECT_EQ(env.nft_set("masq4"), std::vector<std::string>{"192.168.69.0/24"});
    // IPv6 is routed, not translated: the host side saw the peer's own address.
    EXPECT_NE(server6.out.find("from fdaa::2:"), std::string::npos) << server6.describe();
    auto list = nlohmann::json::parse(env.tapctl({"list", "--json"}).out);
    EXPECT_EQ(list.size(), 1u) << list.dump();
    // The run ends with its program: the link and its NAT go.
    kill_group(run_pid);
    EXPECT_TRUE(eventually([&] { return env.ip_json({"link", "show", "tapn0"}).empty(); }, 30));
    EXPECT_TRUE(eventually([&] { return env.nft_set("masq4").empty(); }, 30));
    EXPECT_EQ(env.ip_forward(), 0);
}

TEST(Netns, TheLinkGoesWhenTheNamespacesLastProcessExits) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    env.start_tapd();
    pid_t holder = spawn_namespace(env, 65534);
    ASSERT_TRUE(eventually([&] { return unshared(env, holder); }));
    auto r = env.tapctl({"netns", "attach", std::to_string(holder), "--name", "tapn0", "--gateway",
                         "192.168.69.1/24", "--address", "192.168.69.2/24", "--masquerade"});
    ASSERT_EQ(r.status, 0) << r.describe() << env.tapd_log();
    // Persistent: tapctl has gone, the link stays with its namespace.
    EXPECT_EQ(env.ip_json({"link", "show", "tapn0"}).size(), 1u);
    auto inside = env.in_ns(
        {"nsenter", "-t", std::to_string(holder), "-n", "ip", "-j", "addr", "show", "eth0"});
    EXPECT_NE(inside.out.find("192.168.69.2"), std::string::npos) << inside.describe();
    EXPECT_EQ(env.nft_set("masq4"), std::vector<std::string>{"192.168.69.0/24"});
    kill_group(holder);
    EXPECT_TRUE(eventually(
        [&] {
            return nlohmann::json::parse(env.tapctl({"list", "--json"}).out).empty() &&
                   env.nft_set("masq4").empty();
        },
        30))
        << env.tapd_log();
    EXPECT_EQ(env.ip_forward(), 0);
    EXPECT_NE(env.tapd_log().find("namespace link gone: tap=tapn0"), std::string::npos);
}

TEST(Netns, AttachmentsCountAgainstMaxTaps) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    env.start_tapd();
    for (int i = 0; i < 4; ++i) {
        auto c = env.tapctl({"create", "tap" + std::to_string(i)});
        ASSERT_EQ(c.status, 0) << c.describe();
    }
    pid_t holder = spawn_namespace(env, 65534);
    ASSERT_TRUE(eventually([&] { return unshared(env, holder); }));
    auto r = env.tapctl({"netns", "attach", std::to_string(holder), "--name", "tapn0"});
    kill_group(holder);
    EXPECT_NE(r.err.find("QuotaExceeded:"), std::string::npos) << r.describe();
    EXPECT_TRUE(env.ip_json({"link", "show", "tapn0"}).empty());
}

TEST(Netns, ARestartKeepsALiveAttachmentAndForgetsADeadOne) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    env.start_tapd();
    pid_t live = spawn_namespace(env, 65534);
    pid_t dead = spawn_namespace(env, 65534);
    ASSERT_TRUE(eventually([&] { return unshared(env, live) && unshared(env, dead); }));
    for (auto [pid, name, gateway, address] :
         {std::tuple{live, "tapn0", "192.168.69.1/25", "192.168.69.2/25"},
          std::tuple{dead, "tapn1", "192.168.69.129/25", "192.168.69.130/25"}}) {
        auto r = env.tapctl({"netns", "attach", std::to_string(pid), "--name", name, "--gateway",
                             gateway, "--address", address, "--masquerade"});
        ASSERT_EQ(r.status, 0) << r.describe() << env.tapd_log();
    }
    EXPECT_EQ(env.stop_tapd(SIGKILL), 128 + SIGKILL);
    kill_group(dead);
    EXPECT_TRUE(eventually([&] { return env.ip_json({"link", "show", "tapn1"}).empty(); }, 30));
    env.start_tapd();
    auto list = nlohmann::json::parse(env.tapctl({"list", "--json"}).out);
    ASSERT_EQ(list.size(), 1u) << list.dump() << env.tapd_log();
    EXPECT_EQ(list[0]["name"], "tapn0");
    EXPECT_EQ(env.nft_set("masq4"), std::vector<std::string>{"192.168.69.0/25"});
    // The adopted link still ends with its namespace.
    kill_group(live);
    EXPECT_TRUE(eventually(
        [&] {
            return nlohmann::json::parse(env.tapctl({"list", "--json"}).out).empty();
        },
        30))
        << env.tapd_log();
    EXPECT_TRUE(env.nft_set("masq4").empty());
}

// The Kind property tells a namespace's link from a tap: on the bus, in --json and in the text
// of list and show.
TEST(Netns, KindTellsANamespacesLinkFromATap) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    env.start_tapd();
    ASSERT_EQ(env.tapctl({"create", "tap0", "--address", "192.168.69.129/25"}).status, 0);
    pid_t holder = spawn_namespace(env, 65534);
    ASSERT_TRUE(eventually([&] { return unshared(env, holder); }));
    auto r = env.tapctl({"netns", "attach", std::to_string(holder), "--name", "tapn0", "--gateway",
                         "192.168.69.1/25", "--address", "192.168.69.2/25"});
    ASSERT_EQ(r.status, 0) << r.describe() << env.tapd_log();
    auto list = nlohmann::json::parse(env.tapctl({"list", "--json"}).out);
    ASSERT_EQ(list.size(), 2u) << list.dump();
    for (const auto& t : list)
        EXPECT_EQ(t["kind"], t["name"] == "tapn0" ? "veth" : "tap") << list.dump();
    auto show = nlohmann::json::parse(env.tapctl({"show", "tapn0", "--json"}).out);
    EXPECT_EQ(show["kind"], "veth") << show.dump();
    auto text = env.tapctl({"list"}).out;
    EXPECT_NE(text.find(" KIND "), std::string::npos) << text;
    EXPECT_NE(text.find(" veth persistent "), std::string::npos) << text;
    EXPECT_NE(text.find(" tap  persistent "), std::string::npos) << text;
    EXPECT_EQ(env.tapctl({"show", "tapn0"}).out.rfind("tapn0: veth index ", 0), 0u);
    EXPECT_EQ(env.tapctl({"show", "tap0"}).out.rfind("tap0: tap index ", 0), 0u);
    auto kind = env.as_user(65534, {"busctl", "--system", "get-property", "net.tapd1",
                                    "/net/tapd1/tap/tapn0", "net.tapd1.Tap", "Kind"});
    EXPECT_EQ(kind.out, "s \"veth\"\n") << kind.describe();
    kill_group(holder);
}

// attach --ephemeral: the link is a lease on tapctl's bus connection. A stop signal deletes it
// and tapctl exits 0; a SIGKILL ends the lease with the connection. The namespace lives on, and
// --peer-name names the link inside it.
TEST(Netns, AnEphemeralAttachEndsWithTapctlAndThePeerHasItsName) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    env.start_tapd();
    pid_t holder = spawn_namespace(env, 65534);
    ASSERT_TRUE(eventually([&] { return unshared(env, holder); }));
    for (int sig : {SIGTERM, SIGKILL}) {
        std::string log = env.dir() + "/attach" + std::to_string(sig) + ".log";
        pid_t tapctl =
            env.spawn_as_user(65534,
                              {tapctl_bin(), "netns", "attach", std::to_string(holder),
                               "--ephemeral", "--name", "tapn0", "--peer-name", "up0", "--gateway",
                               "192.168.69.1/24", "--address", "192.168.69.2/24", "--masquerade"},
                              log);
        ASSERT_TRUE(eventually([&] {
            return file_text(log).find("attached tapn0; it lives until this command stops") !=
                   std::string::npos;
        })) << file_text(log)
            << env.tapd_log();
        auto list = nlohmann::json::parse(env.tapctl({"list", "--json"}).out);
        ASSERT_EQ(list.size(), 1u) << list.dump();
        EXPECT_EQ(list[0]["persistent"], false);
        auto inside = env.in_ns(
            {"nsenter", "-t", std::to_string(holder), "-n", "ip", "-j", "addr", "show", "up0"});
        EXPECT_NE(inside.out.find("192.168.69.2"), std::string::npos) << inside.describe();
        ::kill(tapctl, sig);
        int status = wait_exit(tapctl);
        if (sig == SIGTERM) EXPECT_EQ(status, 0) << file_text(log);
        EXPECT_TRUE(eventually(
            [&] {
                return env.ip_json({"link", "show", "tapn0"}).empty();
            },
            30))
            << env.tapd_log();
        EXPECT_TRUE(eventually([&] { return env.nft_set("masq4").empty(); }, 30));
        EXPECT_TRUE(nlohmann::json::parse(env.tapctl({"list", "--json"}).out).empty());
        EXPECT_EQ(env.ip_forward(), 0);
    }
    EXPECT_EQ(::kill(holder, 0), 0) << "the namespace outlives its link";
    kill_group(holder);
}

TEST(Netns, RunRefusesLifetimeOptions) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;  // no tapd: a usage error needs no bus
    for (const char* opt : {"--ephemeral", "--persistent"}) {
        auto r = env.tapctl({"netns", "run", opt, "--", "true"});
        EXPECT_EQ(r.status, 2) << r.describe();
        EXPECT_NE(r.err.find("netns run: the link lives as long as PROGRAM's namespace, or this "
                             "tapctl; --ephemeral and --persistent are for 'netns attach'"),
                  std::string::npos)
            << r.describe();
    }
}

TEST(Netns, RunAndAttachHaveTheirHelp) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    for (const char* verb : {"run", "attach"}) {
        auto r = env.tapctl({"netns", verb, "--help"});
        EXPECT_EQ(r.status, 0) << r.describe();
        for (const char* want : {"Usage: tapctl netns run", "netns attach PID|PATH", "--peer-name",
                                 "--ephemeral", "--gateway", "Example:"})
            EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
    }
}

}  // namespace
}  // namespace tapd::test
