// The firewalld integration against Debian's real firewalld on the test's private bus (zones
// over D-Bus): without it NAT fails and `tapctl doctor` names firewalld's chain; with it the taps
// go into the zone (also when firewalld starts after tapd, and back after its reload), NAT works,
// the doctor is content, and the taps leave the zone when they go, reconcile's at start too.
#include <signal.h>

#include <sstream>

#include "foreign_firewalls.hpp"
#include "harness.hpp"
#include "real_firewalld.hpp"

namespace tapd::test {
namespace {

// `nft -s list table inet firewalld` without zone trusted's chains: firewalld makes a zone's
// chains (filter_FWD_trusted, its _pre, _log, _deny, _allow and _post chains, the same for
// filter_IN, nat_PRE, nat_POST, mangle_PRE) when an interface first goes into it, and keeps them
// after the last one leaves (the dispatch rules in *_ZONES go), until its next reload. They hold
// nothing of tapd's; the rest must be as it was.
std::string firewalld_ruleset(Env& env) {
    std::istringstream in(listing(env, "inet", "firewalld"));
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string& l = lines[i];
        if (l.rfind("\tchain ", 0) == 0 && l.find("_trusted") != std::string::npos) {
            while (i < lines.size() && lines[i] != "\t}") ++i;  // to the chain's end
            // With the blank line before it (nft puts one between chains).
            if (out.size() >= 2 && out.compare(out.size() - 2, 2, "\n\n") == 0) out.pop_back();
            continue;
        }
        out += l + "\n";
    }
    return out;
}

TEST(FirewalldIntegration, TapsGoIntoTheZoneSurviveAReloadAndLeaveWithTheirTap) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    NatWorld world(env);
    RealFirewalld firewalld(env);
    TAPD_SKIP_UNLESS_CI(firewalld.missing());
    std::string original = firewalld.active_zones();
    std::string ruleset = firewalld_ruleset(env);
    env.start_tapd();
    // Without the integration: the tap is in no zone, firewalld rejects its forwarded traffic,
    // and the doctor names firewalld's chain and the zone command.
    world.create("tap0");
    EXPECT_EQ(firewalld.zone_of("tap0"), "s \"\"");
    EXPECT_FALSE(world.echo("tap0", 7301));
    auto doc = doctor(env);
    EXPECT_EQ(doc.status, 1) << doc.describe();
    std::string chain = doctor_line(doc, "tap0 forward chain");
    EXPECT_NE(chain.find("fail  tap0 forward chain: table inet firewalld chain filter_FORWARD "
                         "(hook forward) drops tap0's outgoing traffic"),
              std::string::npos)
        << doc.out;
    EXPECT_NE(chain.find("fix: firewall-cmd --zone=trusted --add-interface=tap0"),
              std::string::npos)
        << doc.out;

    // The policy names a zone (a reload): the tap goes in, NAT works.
    env.write_policy(policy_with(R"({"firewalld_zone": "trusted"})"));
    ASSERT_EQ(kill(env.tapd_pid(), SIGHUP), 0);
    EXPECT_TRUE(eventually([&] { return firewalld.zone_of("tap0") == "s \"trusted\""; }))
        << firewalld.zone_of("tap0") << env.tapd_log();
    EXPECT_TRUE(world.echo("tap0", 7302)) << firewalld.log();
    EXPECT_TRUE(eventually([&] { return doctor(env).status == 0; })) << doctor(env).describe();

    // firewalld's reload forgets runtime bindings (FlushAllOnReload=yes): tapd puts it back.
    auto reload = firewalld.call({"reload"});
    ASSERT_EQ(reload.status, 0) << reload.describe();
    EXPECT_TRUE(eventually([&] {
        return env.tapd_log().find("firewalld reloaded: putting 1 tap(s) into zone") !=
               std::string::npos;
    })) << env.tapd_log();
    EXPECT_TRUE(eventually([&] { return firewalld.zone_of("tap0") == "s \"trusted\""; }))
        << firewalld.zone_of("tap0");
    EXPECT_TRUE(world.echo("tap0", 7303));

    // A new tap goes in at once; deleted taps leave the zone, which ends as it began.
    world.create("tap1", "192.168.69.200/25");
    EXPECT_TRUE(eventually([&] { return firewalld.zone_of("tap1") == "s \"trusted\""; }))
        << firewalld.zone_of("tap1");
    EXPECT_EQ(env.tapctl({"delete", "tap0"}).status, 0);
    EXPECT_EQ(env.tapctl({"delete", "tap1"}).status, 0);
    EXPECT_TRUE(eventually([&] { return firewalld.active_zones() == original; }))
        << firewalld.active_zones() << " was " << original;
    EXPECT_EQ(firewalld.zone_of("tap0"), "s \"\"");
    EXPECT_TRUE(eventually([&] { return firewalld_ruleset(env) == ruleset; }))
        << firewalld_ruleset(env) << "\nwas\n"
        << ruleset;
}

// Taps that reconcile removes at start (an ephemeral tap whose client went while tapd was down,
// a persistent tap the kernel lost meanwhile) leave the zone a previous tapd put them in.
TEST(FirewalldIntegration, TapsReconcileRemovesAtStartLeaveTheZone) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    RealFirewalld firewalld(env);
    TAPD_SKIP_UNLESS_CI(firewalld.missing());
    std::string original = firewalld.active_zones();
    env.write_policy(policy_with(R"({"firewalld_zone": "trusted"})"));
    env.start_tapd();
    pid_t holder = env.hold_ephemeral(65534, "tap0");
    ASSERT_GT(holder, 0);
    ASSERT_EQ(env.tapctl({"create", "tap1"}).status, 0);
    ASSERT_TRUE(eventually([&] {
        return firewalld.zone_of("tap0") == "s \"trusted\"" &&
               firewalld.zone_of("tap1") == "s \"trusted\"";
    })) << env.tapd_log();
    env.stop_tapd(SIGKILL);
    kill_group(holder);
    auto del = env.in_ns({"ip", "link", "delete", "tap1"});
    ASSERT_EQ(del.status, 0) << del.describe();
    env.start_tapd();
    EXPECT_TRUE(eventually([&] {
        return firewalld.zone_of("tap0") == "s \"\"" && firewalld.zone_of("tap1") == "s \"\"";
    })) << firewalld.zone_of("tap0")
        << firewalld.zone_of("tap1") << env.tapd_log();
    EXPECT_TRUE(eventually([&] { return firewalld.active_zones() == original; }))
        << firewalld.active_zones() << " was " << original;
    EXPECT_NE(env.tapd_log().find("reconcile: removed tap=tap0"), std::string::npos)
        << env.tapd_log();
}

TEST(FirewalldIntegration, TapsGoIntoTheZoneWhenFirewalldStartsAfterTapd) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    RealFirewalld firewalld(env, false);
    TAPD_SKIP_UNLESS_CI(firewalld.missing());
    env.write_policy(policy_with(R"({"firewalld_zone": "trusted"})"));
    env.start_tapd();
    EXPECT_EQ(env.tapctl({"create", "tap0", "--address", "192.168.69.100/24"}).status, 0);
    EXPECT_NE(env.tapd_log().find("firewalld is not on the bus"), std::string::npos)
        << env.tapd_log();
    firewalld.start();
    TAPD_SKIP_UNLESS_CI(firewalld.missing());
    EXPECT_TRUE(eventually([&] { return firewalld.zone_of("tap0") == "s \"trusted\""; }))
        << firewalld.zone_of("tap0") << env.tapd_log();
}

TEST(FirewalldIntegration, AZoneFirewalldDoesNotKnowIsLoggedWithTheZoneAndTheError) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    RealFirewalld firewalld(env);
    TAPD_SKIP_UNLESS_CI(firewalld.missing());
    env.write_policy(policy_with(R"({"firewalld_zone": "nosuchzone"})"));
    env.start_tapd();
    EXPECT_EQ(env.tapctl({"create", "tap0", "--address", "192.168.69.100/24"}).status, 0);
    EXPECT_TRUE(eventually([&] {
        auto log = env.tapd_log();
        return log.find("putting tap=tap0 into zone nosuchzone failed") != std::string::npos &&
               log.find("INVALID_ZONE") != std::string::npos;
    })) << env.tapd_log();
}

}  // namespace
}  // namespace tapd::test
