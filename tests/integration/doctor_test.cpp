// tapctl doctor and tapd's findings on NAT: all ok where NAT works; a foreign forward chain
// (a plain nft table, Docker's, ufw's), ip_forward turned off and a missing masquerade element
// each made to happen in a namespace, and the doctor's line read. The tap's own checks are in
// doctor_tap_test, the host's in doctor_host_test.
#include "doctor_fixture.hpp"

namespace tapd::test {
namespace {

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
    std::printf("%s%s", created.out.c_str(), created.err.c_str());  // README "Troubleshooting"
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
    // Both pass for sure: tapd reads iptables' conntrack match from the kernel (nft lists it
    // without its states), and the doctor is content.
    EXPECT_TRUE(eventually([&] { return doctor().status == 0; })) << doctor().out;
    EXPECT_NE(line(doctor(), "tap0 forward chains").find("ok    tap0 forward chains"),
              std::string::npos)
        << doctor().out;
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
    // ufw accepts the replies (its conntrack match, read from the kernel), nothing else of the
    // tap's: the outgoing traffic is dropped.
    auto r = doctor();
    EXPECT_EQ(r.status, 1) << r.describe();
    std::string why;
    EXPECT_FALSE(nat_roundtrip(&why)) << why;
    EXPECT_NE(line(r, "tap0 forward chain")
                  .find("fail  tap0 forward chain: table ip filter chain FORWARD (hook forward) "
                        "drops tap0's outgoing traffic: policy drop; fix: ufw "
                        "route allow in on tap0 out on uplink"),
              std::string::npos)
        << r.out;
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

}  // namespace
}  // namespace tapd::test
