// End to end through NAT: a client in an empty namespace, holding only the tap fd from tapd,
// reaches a UDP echo server on a simulated internet, which sees the masqueraded source.
#include <thread>

#include "harness.hpp"

namespace tapd::test {
namespace {

TEST(NatEndToEnd, ClientWithOnlyTheTapFdReachesTheInternetMasqueraded) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    std::string inet = env.add_ns("inet");
    std::string user = env.add_ns("user");
    auto ok = [&](const std::vector<std::string>& argv) {
        auto r = run(argv);
        ASSERT_EQ(r.status, 0) << r.describe();
    };
    ok({"ip", "-n", env.ns(), "link", "add", "uplink", "type", "veth", "peer", "name", "wan",
        "netns", inet});
    ok({"ip", "-n", env.ns(), "addr", "add", "203.0.113.2/24", "dev", "uplink"});
    ok({"ip", "-n", env.ns(), "link", "set", "uplink", "up"});
    ok({"ip", "-n", env.ns(), "route", "add", "default", "via", "203.0.113.1"});
    ok({"ip", "-n", inet, "addr", "add", "203.0.113.1/24", "dev", "wan"});
    ok({"ip", "-n", inet, "link", "set", "wan", "up"});
    env.start_tapd();

    auto created = env.tapctl({"create", "tap0", "--address", "192.168.69.100/24", "--address",
                               "fdaa::100/64", "--route", "fdaa::/64", "--masquerade"});
    ASSERT_EQ(created.status, 0) << created.describe();

    CommandResult server;
    std::thread echo([&] {
        server = env.in_ns({example_bin("udp_echo"), "203.0.113.1", "7777", "1"}, inet);
    });
    // The client sends its datagram once: wait until the server's socket is bound.
    EXPECT_TRUE(eventually([&] {
        return !env.in_ns({"ss", "-Hlun", "sport = :7777"}, inet).out.empty();
    })) << "udp_echo never bound 203.0.113.1:7777";
    auto client = env.as_user(65534,
                              {tapctl_bin(), "exec", "tap0", "--", example_bin("tap_udp_client"),
                               "192.168.69.1", "192.168.69.100", "203.0.113.1", "7777", "ping"},
                              user);
    echo.join();
    EXPECT_EQ(client.status, 0) << client.describe();
    EXPECT_NE(client.out.find("received UDP echo from 203.0.113.1:7777: 'ping'"), std::string::npos)
        << client.describe();
    EXPECT_EQ(server.status, 0) << server.describe();
    // The server saw the host's uplink address, not the tap side's 192.168.69.1.
    EXPECT_NE(server.out.find("from 203.0.113.2:"), std::string::npos) << server.describe();
    EXPECT_EQ(server.out.find("192.168.69.1"), std::string::npos) << server.describe();
}

}  // namespace
}  // namespace tapd::test
