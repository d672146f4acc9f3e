// Crash safety of AttachNamespace: tapd killed (test-only TAPD_FAULT_AT) after each of its steps,
// for a persistent attachment (`tapctl netns attach`) and a lease (`tapctl netns run`), then
// restarted, and an injected failure (TAPD_FAIL_AT) at each step: either way the host converges
// to no veth, no NAT element, no record and nothing inside the namespace — or, once the record
// is whole, to one live attachment that works and can be deleted.
#include <signal.h>

#include "harness.hpp"
#include "netns_fixture.hpp"

namespace tapd::test {
namespace {

const std::vector<std::string> kLink = {
    "--name",    "tapn0",      "--gateway", "192.168.69.1/24", "--address",   "192.168.69.2/24",
    "--gateway", "fdaa::1/64", "--address", "fdaa::2/64",      "--masquerade"};

// The interfaces of PID's network namespace other than lo.
std::vector<std::string> links_inside(Env& env, pid_t pid) {
    auto r = env.in_ns({"nsenter", "-t", std::to_string(pid), "-n", "ip", "-j", "link", "show"});
    std::vector<std::string> out;
    for (const auto& l : nlohmann::json::parse(r.out, nullptr, false))
        if (l.value("ifname", "") != "lo") out.push_back(l.value("ifname", ""));
    return out;
}

// Nothing of tapn0 on the host: link, NAT, forwarding, record, listing.
void expect_nothing_left(Env& env) {
    EXPECT_TRUE(env.ip_json({"link", "show", "tapn0"}).empty()) << env.tapd_log();
    EXPECT_TRUE(env.nft_set("masq4").empty());
    EXPECT_TRUE(env.nft_set("taps").empty());
    EXPECT_FALSE(env.nft_guard_on());
    EXPECT_EQ(env.ip_forward(), 0);
    EXPECT_EQ(recorded_taps(env), std::set<std::string>{});
    EXPECT_TRUE(nlohmann::json::parse(env.tapctl({"list", "--json"}).out).empty());
}

// A whole attachment of the namespace of HOLDER: link, NAT, record, the peer inside.
void expect_whole(Env& env, pid_t holder) {
    EXPECT_EQ(env.ip_json({"link", "show", "tapn0"}).size(), 1u) << env.tapd_log();
    EXPECT_EQ(env.nft_set("masq4"), std::vector<std::string>{"192.168.69.0/24"});
    EXPECT_EQ(env.nft_set("taps"), std::vector<std::string>{"tapn0"});
    EXPECT_EQ(env.ip_forward(), 1);
    EXPECT_EQ(recorded_taps(env), std::set<std::string>{"tapn0"});
    EXPECT_EQ(links_inside(env, holder), std::vector<std::string>{"eth0"});
}

struct Crash {
    const char* step;
    bool persistent;
};

class KilledDuringAttach : public ::testing::TestWithParam<Crash> {};

TEST_P(KilledDuringAttach, RestartConvergesToNothingOrAWholeAttachment) {
    TAPD_REQUIRE_PRIVILEGES();
    const Crash c = GetParam();
    Env env;
    env.start_tapd({std::string("TAPD_FAULT_AT=") + c.step});
    pid_t holder = -1;
    CommandResult r;
    if (c.persistent) {
        holder = spawn_namespace(env, 65534);
        ASSERT_TRUE(eventually([&] { return unshared(env, holder); }));
        std::vector<std::string> args = {"netns", "attach", std::to_string(holder)};
        args.insert(args.end(), kLink.begin(), kLink.end());
        r = env.tapctl(args);
    } else {
        std::vector<std::string> args = {"netns", "run"};
        args.insert(args.end(), kLink.begin(), kLink.end());
        args.insert(args.end(), {"--", "sleep", "600"});
        r = env.tapctl(args);
    }
    EXPECT_NE(r.status, 0) << "the call cannot succeed: tapd died during it\n" << r.describe();
    EXPECT_EQ(env.wait_tapd(10), 128 + SIGKILL) << env.tapd_log();

    env.start_tapd();
    // Only a persistent attachment whose record reached the state file survives, whole.
    if (c.persistent && std::string(c.step) == "state") {
        expect_whole(env, holder);
        auto del = env.tapctl({"delete", "tapn0"});
        EXPECT_EQ(del.status, 0) << del.describe();
    }
    expect_nothing_left(env);
    if (holder > 0) {
        EXPECT_TRUE(links_inside(env, holder).empty());
        kill_group(holder);
    }
}

std::string crash_name(const ::testing::TestParamInfo<Crash>& info) {
    return std::string(info.param.persistent ? "Attach" : "Run") + "After_" + info.param.step;
}

const char* const kSteps[] = {"veth_record",  "veth",       "address",
                              "peer_address", "masquerade", "state"};

std::vector<Crash> every_crash() {
    std::vector<Crash> out;
    for (bool persistent : {true, false})
        for (const char* step : kSteps) out.push_back({step, persistent});
    return out;
}

INSTANTIATE_TEST_SUITE_P(EveryStep, KilledDuringAttach, ::testing::ValuesIn(every_crash()),
                         crash_name);

class FailedAttach : public ::testing::TestWithParam<const char*> {};

TEST_P(FailedAttach, LeavesNothingBehindAndTapdServesOn) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    env.start_tapd({std::string("TAPD_FAIL_AT=") + GetParam()});
    pid_t holder = spawn_namespace(env, 65534);
    ASSERT_TRUE(eventually([&] { return unshared(env, holder); }));
    std::vector<std::string> args = {"netns", "attach", std::to_string(holder)};
    args.insert(args.end(), kLink.begin(), kLink.end());
    auto r = env.tapctl(args);
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(r.err.find(std::string("Failed: injected failure at step '") + GetParam() + "'"),
              std::string::npos)
        << r.describe() << env.tapd_log();
    expect_nothing_left(env);
    EXPECT_TRUE(links_inside(env, holder).empty());
    // The same attachment works once the failure is gone.
    env.stop_tapd();
    env.start_tapd();
    auto again = env.tapctl(args);
    EXPECT_EQ(again.status, 0) << again.describe() << env.tapd_log();
    expect_whole(env, holder);
    kill_group(holder);
}

INSTANTIATE_TEST_SUITE_P(EveryStep, FailedAttach,
                         ::testing::Values("veth_record", "veth", "address", "peer_address",
                                           "masquerade", "state", "forwarding"));

}  // namespace
}  // namespace tapd::test
