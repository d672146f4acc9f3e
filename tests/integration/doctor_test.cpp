// tapctl doctor and tapd's findings: each check made to fail in a namespace, and the doctor's
// line read. The NAT world is nat_e2e_test's: an "internet" namespace behind the host's uplink.
#include <sstream>
#include <thread>

#include "harness.hpp"

namespace tapd::test {
namespace {

class Doctor : public ::testing::Test {
  protected:
    void SetUp() override {
        TAPD_REQUIRE_PRIVILEGES();
        env_ = std::make_unique<Env>();
        inet_ = env_->add_ns("inet");
        user_ = env_->add_ns("user");
        ok({"ip", "-n", env_->ns(), "link", "add", "uplink", "type", "veth", "peer", "name", "wan",
            "netns", inet_});
        ok({"ip", "-n", env_->ns(), "addr", "add", "203.0.113.2/24", "dev", "uplink"});
        ok({"ip", "-n", env_->ns(), "link", "set", "uplink", "up"});
        ok({"ip", "-n", env_->ns(), "route", "add", "default", "via", "203.0.113.1"});
        ok({"ip", "-n", inet_, "addr", "add", "203.0.113.1/24", "dev", "wan"});
        ok({"ip", "-n", inet_, "link", "set", "wan", "up"});
    }
    void ok(const std::vector<std::string>& argv) {
        auto r = run(argv);
        ASSERT_EQ(r.status, 0) << r.describe();
    }
    // A command in the host namespace, as root.
    void host(const std::vector<std::string>& argv) {
        auto r = env_->in_ns(argv);
        ASSERT_EQ(r.status, 0) << r.describe();
    }
    CommandResult create_masquerading() {
        return env_->tapctl({"create", "tap0", "--address", "192.168.69.100/24", "--masquerade"});
    }
    CommandResult doctor(const std::vector<std::string>& args = {"tap0"}) {
        std::vector<std::string> a = {"doctor"};
        a.insert(a.end(), args.begin(), args.end());
        return env_->tapctl(a);
    }
    // The doctor's line about CHECK (its text after the status), "" if there is none.
    static std::string line(const CommandResult& r, const std::string& check) {
        std::istringstream in(r.out);
        std::string l;
        while (std::getline(in, l))
            if (l.find("  " + check + ": ") != std::string::npos) return l;
        return "";
    }
    // One UDP datagram from a client holding only tap0's fd to the internet and back.
    bool nat_roundtrip(std::string* why) {
        CommandResult server;
        std::thread echo([&] {
            server = env_->in_ns({example_bin("udp_echo"), "203.0.113.1", "7777", "1"}, inet_);
        });
        bool bound = eventually([&] {
            return !env_->in_ns({"ss", "-Hlun", "sport = :7777"}, inet_).out.empty();
        });
        auto client =
            env_->as_user(65534,
                          {tapctl_bin(), "exec", "tap0", "--", example_bin("tap_udp_client"),
                           "192.168.69.1", "192.168.69.100", "203.0.113.1", "7777", "ping"},
                          user_);
        // A server that got nothing (the traffic was dropped) ends with a datagram of its own
        // namespace's; one that got the client's has ended already.
        env_->in_ns({"bash", "-c", "echo stop > /dev/udp/203.0.113.1/7777"}, inet_);
        echo.join();
        *why = client.describe() + server.describe();
        return bound && client.status == 0 &&
               server.out.find("from 203.0.113.2:40000: ping") != std::string::npos;
    }
    std::unique_ptr<Env> env_;
    std::string inet_, user_;
};

TEST_F(Doctor, AllIsOkOnAHostWhereNatWorks) {
    env_->start_tapd();
    auto created = create_masquerading();
    ASSERT_EQ(created.status, 0) << created.describe();
    EXPECT_EQ(created.err.find("warning"), std::string::npos) << created.describe();
    auto r = doctor();
    std::printf("%s", r.out.c_str());  // README "Troubleshooting"
    EXPECT_EQ(r.status, 0) << r.describe();
    EXPECT_EQ(r.out.find("fail "), std::string::npos) << r.describe();
    EXPECT_NE(line(r, "tapd").find("ok    tapd: tapd "), std::string::npos) << r.describe();
    EXPECT_NE(line(r, "policy").find("uid 65534: 1 of 4 taps"), std::string::npos) << r.out;
    EXPECT_NE(line(r, "tap0 addresses").find("ok    tap0 addresses: 192.168.69.100/24"),
              std::string::npos)
        << r.out;
    EXPECT_NE(line(r, "tap0 masquerade").find("ok"), std::string::npos) << r.out;
    EXPECT_NE(line(r, "forwarding").find("ok    forwarding: net.ipv4.ip_forward=1"),
              std::string::npos)
        << r.out;
    EXPECT_NE(line(r, "tap0 forward chains").find("ok"), std::string::npos) << r.out;
    EXPECT_NE(line(r, "uplink").find("default via 203.0.113.1 dev uplink"), std::string::npos)
        << r.out;
    auto j = doctor({"tap0", "--json"});
    auto parsed = nlohmann::json::parse(j.out, nullptr, false);
    ASSERT_TRUE(parsed.is_array()) << j.describe();
    EXPECT_EQ(parsed[0]["check"], "tapd");
    EXPECT_EQ(parsed[0]["status"], "ok");
    EXPECT_TRUE(parsed[0].contains("detail") && parsed[0].contains("fix"));
}

TEST_F(Doctor, ForeignForwardChainWithPolicyDropBreaksNatAndIsNamed) {
    host({"nft",
          "add table inet foreign; add chain inet foreign fwd_policy { type filter hook forward "
          "priority 0; policy drop; }"});
    env_->start_tapd();
    EXPECT_TRUE(eventually([&] {
        return env_->tapd_log().find(
                   "finding: table inet foreign chain fwd_policy (hook forward) drops a "
                   "masquerading tap's") != std::string::npos;
    })) << env_->tapd_log();
    auto created = create_masquerading();
    ASSERT_EQ(created.status, 0) << created.describe();
    const std::string finding =
        "table inet foreign chain fwd_policy (hook forward) drops tap0's outgoing and replies "
        "traffic: "
        "policy drop";
    EXPECT_NE(created.err.find("tapctl: warning: " + finding), std::string::npos)
        << created.describe();
    std::string why;
    EXPECT_FALSE(nat_roundtrip(&why)) << why;
    auto r = doctor();
    std::printf("%s", r.out.c_str());  // README "Troubleshooting"
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(
        line(r, "tap0 forward chain")
            .find("fail  tap0 forward chain: " + finding +
                  "; fix: nft insert rule inet foreign fwd_policy iifname tap0 accept; nft insert "
                  "rule inet foreign fwd_policy oifname tap0 ct state established,related accept"),
        std::string::npos)
        << r.out;
    // The fix it names, and NAT works; the finding goes (tapd saw the change).
    host({"nft", "insert rule inet foreign fwd_policy iifname tap0 accept"});
    host({"nft",
          "insert rule inet foreign fwd_policy oifname tap0 ct state established,related accept"});
    EXPECT_TRUE(eventually([&] { return doctor().status == 0; })) << doctor().out;
    EXPECT_TRUE(nat_roundtrip(&why)) << why;
}

TEST_F(Doctor, DockersForwardDropIsNamedWithTheDockerUserCommand) {
    // What Docker 20.10 (Debian 12's docker.io) writes with iptables-nft, docker0 without
    // containers.
    for (const char* rule :
         {"-N DOCKER", "-N DOCKER-ISOLATION-STAGE-1", "-N DOCKER-ISOLATION-STAGE-2",
          "-N DOCKER-USER", "-P FORWARD DROP", "-A FORWARD -j DOCKER-USER",
          "-A FORWARD -j DOCKER-ISOLATION-STAGE-1",
          "-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
          "-A FORWARD -o docker0 -j DOCKER", "-A FORWARD -i docker0 ! -o docker0 -j ACCEPT",
          "-A FORWARD -i docker0 -o docker0 -j ACCEPT",
          "-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2",
          "-A DOCKER-ISOLATION-STAGE-1 -j RETURN", "-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP",
          "-A DOCKER-ISOLATION-STAGE-2 -j RETURN", "-A DOCKER-USER -j RETURN"}) {
        std::vector<std::string> argv = {"iptables-nft"};
        std::istringstream words(rule);
        for (std::string w; words >> w;) argv.push_back(w);
        host(argv);
    }
    env_->start_tapd();
    auto created = create_masquerading();
    ASSERT_EQ(created.status, 0) << created.describe();
    std::string why;
    EXPECT_FALSE(nat_roundtrip(&why)) << why;
    auto r = doctor();
    std::printf("%s", r.out.c_str());  // README "Troubleshooting"
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(line(r, "tap0 forward chain")
                  .find("fail  tap0 forward chain: table ip filter chain FORWARD (hook forward) "
                        "drops tap0's outgoing and replies traffic: policy drop; fix: iptables -I "
                        "DOCKER-USER -i tap0 -j ACCEPT; iptables -I DOCKER-USER -o tap0 -m "
                        "conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"),
              std::string::npos)
        << r.out;
    host({"iptables-nft", "-I", "DOCKER-USER", "-i", "tap0", "-j", "ACCEPT"});
    host({"iptables-nft", "-I", "DOCKER-USER", "-o", "tap0", "-m", "conntrack", "--ctstate",
          "RELATED,ESTABLISHED", "-j", "ACCEPT"});
    // The outgoing traffic passes for sure; the replies' conntrack match is iptables' own (xt),
    // which tapd cannot read: a warning, not a failure.
    EXPECT_TRUE(eventually([&] { return doctor().status == 0; })) << doctor().out;
    r = doctor();
    EXPECT_NE(line(r, "tap0 forward chain")
                  .find("warn  tap0 forward chain: table ip filter chain FORWARD (hook forward) "
                        "may drop tap0's replies traffic"),
              std::string::npos)
        << r.out;
    EXPECT_TRUE(nat_roundtrip(&why)) << why;
}

TEST_F(Doctor, UfwLikeForwardDropIsNamedWithUfwsCommand) {
    // ufw's default: FORWARD policy DROP, its chains jumped first (ufw-before-forward accepts
    // established traffic), no route rule for the tap.
    for (const char* rule :
         {"-N ufw-before-forward", "-N ufw-user-forward", "-P FORWARD DROP",
          "-A FORWARD -j ufw-before-forward",
          "-A ufw-before-forward -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
          "-A ufw-before-forward -j ufw-user-forward"}) {
        std::vector<std::string> argv = {"iptables-nft"};
        std::istringstream words(rule);
        for (std::string w; words >> w;) argv.push_back(w);
        host(argv);
    }
    env_->start_tapd();
    ASSERT_EQ(create_masquerading().status, 0);
    // ufw accepts established traffic with iptables' own conntrack match (xt), which tapd cannot
    // read: what is dropped is a "may".
    auto r = doctor();
    std::string why;
    EXPECT_FALSE(nat_roundtrip(&why)) << why;
    EXPECT_NE(line(r, "tap0 forward chain")
                  .find("warn  tap0 forward chain: table ip filter chain FORWARD (hook forward) "
                        "may drop tap0's outgoing and replies traffic: policy drop; fix: ufw "
                        "route allow in on tap0 out on uplink"),
              std::string::npos)
        << r.out;
}

TEST_F(Doctor, StrictRpFilterOnTheTapIsAWarning) {
    env_->start_tapd();
    ASSERT_EQ(create_masquerading().status, 0);
    host({"sysctl", "-qw", "net.ipv4.conf.tap0.rp_filter=1"});
    auto r = doctor();
    EXPECT_NE(line(r, "tap0 rp_filter")
                  .find("warn  tap0 rp_filter: strict (1, the larger of net.ipv4.conf.all and "
                        ".tap0)"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("fix: sysctl -w net.ipv4.conf.all.rp_filter=2 "
                         "net.ipv4.conf.tap0.rp_filter=2"),
              std::string::npos)
        << r.out;
    EXPECT_NE(env_->tapd_log().find("finding: rp_filter is strict (1) on tap0"), std::string::npos)
        << env_->tapd_log();
}

TEST_F(Doctor, IpForwardTurnedOffBySomeoneElseFails) {
    env_->start_tapd();
    ASSERT_EQ(create_masquerading().status, 0);
    env_->set_ip_forward(0);
    auto r = doctor();
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(line(r, "forwarding")
                  .find("fail  forwarding: net.ipv4.ip_forward=0: the host does not forward"),
              std::string::npos)
        << r.out;
    EXPECT_NE(line(r, "forwarding (tapd)")
                  .find("fail  forwarding (tapd): net.ipv4.ip_forward is 0 while taps "
                        "masquerade: someone turned forwarding off; fix: sysctl -w "
                        "net.ipv4.ip_forward=1"),
              std::string::npos)
        << r.out;
    std::string why;
    EXPECT_FALSE(nat_roundtrip(&why)) << why;
}

TEST_F(Doctor, MissingMasqueradeElementFails) {
    // tapd puts its table back when someone changes it; here the repair is made to fail.
    env_->start_tapd({"TAPD_FAIL_AT=table_restore"});
    ASSERT_EQ(create_masquerading().status, 0);
    host({"nft", "delete element inet tapd masq4 { 192.168.69.0/24 }"});
    EXPECT_TRUE(eventually([&] {
        return line(doctor(), "tap0 masquerade").find("fail") != std::string::npos;
    })) << doctor().out;
    auto r = doctor();
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(line(r, "tap0 masquerade")
                  .find("fail  tap0 masquerade: table inet tapd lacks tap0's masquerade "
                        "(192.168.69.0/24 in set masq4)"),
              std::string::npos)
        << r.out;
}

TEST_F(Doctor, OwnerlessPersistentTapIsAWarning) {
    env_->start_tapd();
    host({"ip", "tuntap", "add", "dev", "stray0", "mode", "tap"});
    auto r = doctor({});
    EXPECT_NE(line(r, "ownerless tun/tap devices")
                  .find("warn  ownerless tun/tap devices: stray0: persistent, with neither owner "
                        "nor group"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("fix: ip link delete stray0"), std::string::npos) << r.out;
}

TEST_F(Doctor, NoDefaultRouteFailsTheUplinkCheck) {
    host({"ip", "route", "del", "default"});
    env_->start_tapd();
    auto r = doctor({});
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(line(r, "uplink").find("fail  uplink: no IPv4 default route"), std::string::npos)
        << r.out;
}

TEST_F(Doctor, MissingAddressAndRouteFail) {
    env_->start_tapd();
    auto created = env_->tapctl({"create", "tap0", "--address", "192.168.69.100/24", "--address",
                                 "fdaa::100/64", "--route", "fdaa::/64"});
    ASSERT_EQ(created.status, 0) << created.describe();
    host({"ip", "-6", "route", "del", "fdaa::/64", "dev", "tap0"});
    host({"ip", "addr", "del", "192.168.69.100/24", "dev", "tap0"});
    auto r = doctor();
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(line(r, "tap0 addresses")
                  .find("fail  tap0 addresses: missing from the link: 192.168.69.100/24"),
              std::string::npos)
        << r.out;
    EXPECT_NE(line(r, "tap0 routes").find("fail  tap0 routes: missing: fdaa::/64"),
              std::string::npos)
        << r.out;
    EXPECT_NE(line(r, "tap0 link").find("warn  tap0 link: down: no program has opened it"),
              std::string::npos)
        << r.out;
}

TEST_F(Doctor, UnreachableTapdFails) {
    auto r = doctor({});
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(line(r, "tapd").find("fail  tapd: cannot reach tapd"), std::string::npos) << r.out;
    // The host's own checks still run.
    EXPECT_NE(line(r, "uplink").find("ok"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace tapd::test
