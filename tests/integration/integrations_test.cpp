// The policy's "integrations" against other firewall managers' rulesets reproduced in the test's
// namespaces: Docker 20.10 (DOCKER-USER rules) and ufw (no rewrite: the README's route rule is
// the fix); firewalld is in integrations_firewalld_test. Without the integration (or fix) the
// NAT end-to-end check fails and `tapctl doctor` names the table and chain that drop the tap's
// traffic; with it, it passes, the doctor is content, and the foreign ruleset is left as it was.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "foreign_firewalls.hpp"
#include "harness.hpp"

namespace tapd::test {
namespace {

// tapd's rules in DOCKER-USER, as iptables-nft prints them.
std::string docker_user(Env& env) {
    auto r = env.in_ns({"iptables", "-S", "DOCKER-USER"});
    EXPECT_EQ(r.status, 0) << r.describe();
    return r.out;
}

bool has_tapd_rules(Env& env, const std::string& tap) {
    auto r = env.in_ns({"iptables", "-S", "DOCKER-USER"});
    return r.status == 0 &&
           r.out.find("-A DOCKER-USER -i " + tap + " -m comment --comment \"tapd:" + tap +
                      "\" -j ACCEPT") != std::string::npos &&
           r.out.find("-A DOCKER-USER -o " + tap +
                      " -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment \"tapd:" +
                      tap + "\" -j ACCEPT") != std::string::npos;
}

// Docker's restart as the ruleset sees it: its chains flushed and deleted, then made again
// (FORWARD, a base chain, stays: its place in the listing moves ahead of the others).
const std::vector<std::vector<std::string>> kDockerStop = {{"iptables", "-F"},
                                                           {"iptables", "-X"},
                                                           {"iptables", "-t", "nat", "-F"},
                                                           {"iptables", "-t", "nat", "-X"}};

// Docker's table ip filter as Docker alone leaves it after a start and a restart, from a
// namespace of its own.
std::string docker_reference(Env& env) {
    std::string ns = env.add_ns("dockerref");
    run_all(env, kDockerCommands, ns);
    run_all(env, kDockerStop, ns);
    run_all(env, kDockerCommands, ns);
    auto r = env.in_ns({"nft", "-s", "list", "table", "ip", "filter"}, ns);
    EXPECT_EQ(r.status, 0) << r.describe();
    return r.out;
}

TEST(DockerIntegration, WithoutItNatThroughDockersDropPolicyFailsAndNothingIsTouched) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    NatWorld world(env);
    run_all(env, kDockerCommands);
    std::string original = listing(env, "ip", "filter");
    env.start_tapd();
    world.create("tap0");
    CommandResult client;
    EXPECT_FALSE(world.echo("tap0", 7101, &client)) << client.describe();
    EXPECT_NE(client.err.find("no echo"), std::string::npos) << client.describe();
    // The doctor names the cause: Docker's FORWARD policy, and the DOCKER-USER fix.
    auto doc = doctor(env);
    EXPECT_EQ(doc.status, 1) << doc.describe();
    EXPECT_NE(doctor_line(doc, "tap0 forward chain")
                  .find("fail  tap0 forward chain: table ip filter chain FORWARD (hook forward) "
                        "drops tap0's outgoing and replies traffic: policy drop; fix: iptables -I "
                        "DOCKER-USER -i tap0 -j ACCEPT"),
              std::string::npos)
        << doc.out;
    EXPECT_EQ(env.tapctl({"delete", "tap0"}).status, 0);
    EXPECT_EQ(listing(env, "ip", "filter"), original);
}

TEST(DockerIntegration, AddsRulesWhenDockerAppearsKeepsThemOverARestartAndLeavesNoTrace) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    NatWorld world(env);
    std::string reference = docker_reference(env);
    env.write_policy(policy_with(R"({"docker": true})"));
    env.start_tapd();
    // No Docker yet: nothing is created, and the log says why.
    world.create("tap0");
    EXPECT_TRUE(eventually([&] {
        return env.tapd_log().find("no chain DOCKER-USER in table ip filter") != std::string::npos;
    })) << env.tapd_log();
    EXPECT_NE(env.in_ns({"nft", "list", "tables"}).out.find("table inet tapd"), std::string::npos);
    EXPECT_EQ(env.in_ns({"nft", "list", "tables"}).out.find("table ip filter"), std::string::npos);

    // Docker starts: tapd's rules go into DOCKER-USER, ahead of Docker's RETURN.
    run_all(env, kDockerCommands);
    EXPECT_TRUE(eventually([&] { return has_tapd_rules(env, "tap0"); })) << docker_user(env);
    // iptables-nft still reads the whole table (a native "ct state" would make it refuse it).
    auto saved = env.in_ns({"iptables-save", "-t", "filter"});
    EXPECT_EQ(saved.status, 0) << saved.describe();
    EXPECT_EQ(saved.out.find("incompatible"), std::string::npos) << saved.describe();
    EXPECT_EQ(saved.err.find("incompatible"), std::string::npos) << saved.describe();
    EXPECT_TRUE(world.echo("tap0", 7102));
    // tapd reads its own rules as the accepts they are: the doctor is content.
    EXPECT_TRUE(eventually([&] { return doctor(env).status == 0; })) << doctor(env).describe();
    EXPECT_NE(doctor_line(doctor(env), "tap0 forward chains")
                  .find("ok    tap0 forward chains: no other table's forward chain drops its "
                        "traffic"),
              std::string::npos)
        << doctor(env).out;

    // Docker restarts: its chains are flushed and deleted, then made again. tapd does not
    // refill the emptied DOCKER-USER (the deletion would then fail, EBUSY) before Docker's RETURN
    // is back.
    run_all(env, {kDockerStop[0]});
    EXPECT_TRUE(eventually([&] {
        return env.tapd_log().find("chain DOCKER-USER holds no rule of Docker's") !=
               std::string::npos;
    })) << env.tapd_log();
    run_all(env, {kDockerStop.begin() + 1, kDockerStop.end()});
    run_all(env, kDockerCommands);
    EXPECT_TRUE(eventually([&] { return has_tapd_rules(env, "tap0"); })) << docker_user(env);
    EXPECT_TRUE(world.echo("tap0", 7103));
    EXPECT_TRUE(eventually([&] { return doctor(env).status == 0; })) << doctor(env).describe();

    // A second tap, then both go: exactly tapd's rules leave with them.
    world.create("tap1", "192.168.69.200/25");
    EXPECT_TRUE(eventually([&] { return has_tapd_rules(env, "tap1"); })) << docker_user(env);
    EXPECT_EQ(env.tapctl({"delete", "tap0"}).status, 0);
    EXPECT_FALSE(has_tapd_rules(env, "tap0")) << docker_user(env);
    EXPECT_TRUE(has_tapd_rules(env, "tap1")) << docker_user(env);
    EXPECT_EQ(env.tapctl({"delete", "tap1"}).status, 0);
    EXPECT_EQ(listing(env, "ip", "filter"), reference);
}

TEST(DockerIntegration, PutsItsRulesBackWhenSomeoneDeletesThemAndDropsThemWhenTurnedOff) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    NatWorld world(env);
    run_all(env, kDockerCommands);
    std::string original = listing(env, "ip", "filter");
    env.write_policy(policy_with(R"({"docker": true})"));
    env.start_tapd();
    // tapd's rules go in with the create, and tapd's findings see them at once: they used to
    // come from a listing taken before (tapd's own changes wake nobody), and the create warned
    // that Docker drops the tap's traffic.
    auto created = env.tapctl({"create", "tap0", "--address", "192.168.69.100/25", "--masquerade"});
    ASSERT_EQ(created.status, 0) << created.describe();
    EXPECT_EQ(created.err.find("warning"), std::string::npos) << created.describe();
    ASSERT_TRUE(has_tapd_rules(env, "tap0")) << docker_user(env);
    auto doc = doctor(env);
    EXPECT_EQ(doc.status, 0) << doc.describe();
    EXPECT_TRUE(world.echo("tap0", 7104));
    // An admin's `iptables -F DOCKER-USER` (with Docker's RETURN put back).
    run_all(env,
            {{"iptables", "-F", "DOCKER-USER"}, {"iptables", "-A", "DOCKER-USER", "-j", "RETURN"}});
    EXPECT_TRUE(eventually([&] { return has_tapd_rules(env, "tap0"); })) << docker_user(env);
    // The integration turned off by a reload: tapd's rules go, the tap stays.
    env.write_policy(kTestPolicy);
    ASSERT_EQ(kill(env.tapd_pid(), SIGHUP), 0);
    EXPECT_TRUE(eventually([&] { return listing(env, "ip", "filter") == original; }))
        << listing(env, "ip", "filter");
    EXPECT_NE(env.tapctl({"list"}).out.find("tap0"), std::string::npos);
}

TEST(UfwRuleset, NatFailsWithOrWithoutTheIntegrationsAndUfwsRulesStayAsTheyWere) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    NatWorld world(env);
    std::string rules = env.dir() + "/ufw.rules";
    std::ofstream(rules) << kUfwRules;
    auto restored = env.in_ns({"iptables-restore", rules});
    ASSERT_EQ(restored.status, 0) << restored.describe();
    std::string original = listing(env, "ip", "filter");
    // Docker's integration does not apply to ufw's chains: tapd rewrites nothing of them.
    env.write_policy(policy_with(R"({"docker": true})"));
    env.start_tapd();
    world.create("tap0");
    EXPECT_FALSE(world.echo("tap0", 7201));
    EXPECT_EQ(listing(env, "ip", "filter"), original);
    // The doctor names ufw's FORWARD policy and ufw's command. ufw accepts the replies (its
    // conntrack match, read from the kernel) and some ICMP: the outgoing traffic "may" be dropped.
    auto doc = doctor(env);
    EXPECT_EQ(doc.status, 1) << doc.describe();
    EXPECT_NE(doctor_line(doc, "tap0 forward chain")
                  .find("warn  tap0 forward chain: table ip filter chain FORWARD (hook forward) "
                        "may drop tap0's outgoing traffic: policy drop; fix: ufw "
                        "route allow in on tap0 out on uplink"),
              std::string::npos)
        << doc.out;
    // The README's fix for ufw (Troubleshooting): the route rule `ufw route allow in on tap0
    // out on uplink` writes.
    run_all(env,
            {{"iptables", "-I", "ufw-user-forward", "-i", "tap0", "-o", "uplink", "-j", "ACCEPT"}});
    EXPECT_TRUE(world.echo("tap0", 7202));
    // Now both directions pass for sure: the doctor is content.
    EXPECT_TRUE(eventually([&] { return doctor(env).status == 0; })) << doctor(env).describe();
    run_all(env,
            {{"iptables", "-D", "ufw-user-forward", "-i", "tap0", "-o", "uplink", "-j", "ACCEPT"}});
    EXPECT_EQ(env.tapctl({"delete", "tap0"}).status, 0);
    EXPECT_EQ(listing(env, "ip", "filter"), original);
}

}  // namespace
}  // namespace tapd::test
