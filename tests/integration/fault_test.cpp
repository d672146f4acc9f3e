// Crash recovery: tapd killed (SIGKILL) at every step of a create, then restarted, converges to a
// clean state — the half-made tap removed, or adopted when it was persistent and fully recorded —
// and never leaves a stray route, NAT element, rule or forwarding setting.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <thread>

#include "harness.hpp"

namespace tapd::test {
namespace {

const std::vector<std::string> kCreate = {
    "create",       "tap0",    "--address", "192.168.69.100/24", "--address",
    "fdaa::100/64", "--route", "fdaa::/64", "--masquerade"};

struct Crash {
    const char* step;
    bool persistent;
};

class KilledDuringCreate : public ::testing::TestWithParam<Crash> {};

TEST_P(KilledDuringCreate, RestartConvergesToACleanState) {
    TAPD_REQUIRE_PRIVILEGES();
    const Crash c = GetParam();
    Env env;
    env.start_tapd({std::string("TAPD_FAULT_AT=") + c.step});
    auto args = kCreate;
    if (!c.persistent)
        args = {"exec",         "tap0",         "--address", "192.168.69.100/24",
                "--address",    "fdaa::100/64", "--route",   "fdaa::/64",
                "--masquerade", "--",           "true"};
    auto r = env.tapctl(args);
    EXPECT_NE(r.status, 0) << "the call cannot succeed: tapd died during it\n" << r.describe();
    EXPECT_EQ(env.wait_tapd(10), 128 + SIGKILL) << env.tapd_log();

    env.start_tapd();
    // Only a persistent tap whose record reached the state file survives, complete.
    bool survives = c.persistent && std::string(c.step) == "state";
    auto link = env.ip_json({"link", "show", "tap0"});
    ASSERT_EQ(link.size(), survives ? 1u : 0u) << link.dump() << "\n" << env.tapd_log();
    auto routes = env.ip_json({"-6", "route", "show", "proto", "177"});
    EXPECT_EQ(routes.size(), survives ? 1u : 0u) << routes.dump();
    EXPECT_EQ(env.nft_set("masq4"),
              survives ? std::vector<std::string>{"192.168.69.0/24"} : std::vector<std::string>{});
    EXPECT_EQ(env.nft_set("taps"),
              survives ? std::vector<std::string>{"tap0"} : std::vector<std::string>{});
    EXPECT_EQ(env.ip_forward(), survives ? 1 : 0);
    EXPECT_EQ(env.nft_guard_on(), survives);
    auto list = nlohmann::json::parse(env.tapctl({"list", "--json"}).out);
    EXPECT_EQ(list.size(), survives ? 1u : 0u);
    if (survives) {
        // The adopted tap is fully usable: it can be deleted, and then nothing is left.
        auto del = env.tapctl({"delete", "tap0"});
        EXPECT_EQ(del.status, 0) << del.describe();
        EXPECT_EQ(env.ip_forward(), 0);
        EXPECT_TRUE(env.nft_set("masq4").empty());
    }
}

std::string crash_name(const ::testing::TestParamInfo<Crash>& info) {
    return std::string(info.param.persistent ? "Persistent" : "Ephemeral") + "After_" +
           info.param.step;
}

INSTANTIATE_TEST_SUITE_P(EveryStep, KilledDuringCreate,
                         ::testing::Values(Crash{"tap", true}, Crash{"address", true},
                                           Crash{"route", true}, Crash{"masquerade", true},
                                           Crash{"state", true}, Crash{"tap", false},
                                           Crash{"masquerade", false}, Crash{"state", false}),
                         crash_name);

TEST(Restart, ReconcileLeavesAForeignTapNamedLikeOursAlone) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    env.start_tapd();
    ASSERT_EQ(env.tapctl({"create", "tap0", "--address", "192.168.69.100/24"}).status, 0);
    env.stop_tapd(SIGKILL);
    // While tapd is down, the tap goes and someone else makes a tap of the same name.
    ASSERT_EQ(env.in_ns({"ip", "link", "del", "tap0"}).status, 0);
    ASSERT_EQ(env.in_ns({"ip", "tuntap", "add", "name", "tap0", "mode", "tap"}).status, 0);
    env.start_tapd();
    EXPECT_EQ(env.ip_json({"link", "show", "tap0"}).size(), 1u) << env.tapd_log();
    EXPECT_EQ(env.tapctl({"list"}).out, "no taps\n");
}

// Creates a masquerading tap0, kills tapd, lets CORRUPT spoil its state, starts it again: the
// state is set aside (the log says so) and tap0, which nothing records whole now, is removed.
void expect_state_set_aside(Env& env, const std::function<void()>& corrupt) {
    env.start_tapd();
    ASSERT_EQ(
        env.tapctl({"create", "tap0", "--address", "192.168.69.100/24", "--masquerade"}).status, 0);
    env.stop_tapd(SIGKILL);
    corrupt();
    env.start_tapd();
    EXPECT_TRUE(env.ip_json({"link", "show", "tap0"}).empty()) << env.tapd_log();
    EXPECT_TRUE(env.nft_set("masq4").empty());
    EXPECT_NE(env.tapd_log().find("moved to " + env.state_dir() + "/state.json.corrupt and " +
                                  env.state_dir() + "/state.journal.corrupt"),
              std::string::npos)
        << env.tapd_log();
}

TEST(Restart, CorruptStateFileIsSetAsideAndTapdsOwnTapsAreRemoved) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    expect_state_set_aside(env,
                           [&] { std::ofstream(env.state_dir() + "/state.json") << "{ not json"; });
}

TEST(Restart, CorruptStateJournalIsSetAsideAndTapdsOwnTapsAreRemoved) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    expect_state_set_aside(env, [&] {
        // The create's line is in the journal (no compaction yet); a bad line before it.
        std::string journal = env.state_dir() + "/state.journal";
        std::ifstream in(journal);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        ASSERT_NE(text.find("tap0"), std::string::npos) << text;
        std::ofstream(journal) << "{ not json\n" << text;
    });
}

// A start that has nothing to change keeps the state file as it is, but a journal line a crash
// cut short must not stay at its end: the next change's line would be appended to it, and the
// start after that would find a bad line and set the whole state aside.
TEST(Restart, AJournalLineCutShortByACrashSpoilsNoLaterStart) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    env.start_tapd();
    ASSERT_EQ(env.tapctl({"create", "tap0", "--address", "192.168.69.1/25"}).status, 0);
    env.stop_tapd(SIGKILL);
    std::ofstream(env.state_dir() + "/state.journal", std::ios::app) << "{\"erase\": \"ta";
    env.start_tapd();
    ASSERT_EQ(env.tapctl({"create", "tap1", "--address", "192.168.69.129/25"}).status, 0);
    env.stop_tapd(SIGKILL);
    env.start_tapd();
    EXPECT_EQ(env.tapd_log().find(".corrupt"), std::string::npos) << env.tapd_log();
    EXPECT_EQ(env.ip_json({"link", "show", "tap0"}).size(), 1u) << env.tapd_log();
    EXPECT_EQ(env.ip_json({"link", "show", "tap1"}).size(), 1u) << env.tapd_log();
}

// tapd's table without the kernel's handles (a rebuild renumbers them).
nlohmann::json without_handles(nlohmann::json j) {
    if (j.is_object()) {
        j.erase("handle");
        for (auto& [key, value] : j.items()) value = without_handles(value);
    } else if (j.is_array()) {
        for (auto& value : j) value = without_handles(value);
    }
    return j;
}

// Starts tapd, makes two masquerading taps (tap0, tap1) and, with THIRD, a third without
// (tap2), keeps tapd's table as they left it in *BEFORE (without handles) and kills tapd.
void masquerading_taps_then_kill(Env& env, bool third, nlohmann::json* before) {
    env.start_tapd();
    ASSERT_EQ(env.tapctl({"create", "tap0", "--address", "192.168.69.1/26", "--masquerade"}).status,
              0);
    ASSERT_EQ(
        env.tapctl({"create", "tap1", "--address", "192.168.69.65/26", "--masquerade"}).status, 0);
    if (third)
        ASSERT_EQ(env.tapctl({"create", "tap2", "--address", "192.168.69.129/26"}).status, 0);
    *before = without_handles(env.nft_table());
    ASSERT_TRUE(before->is_object()) << *before;
    env.stop_tapd(SIGKILL);
}

// A start puts tapd's table back as its taps need it: what others added to it while tapd was
// down (an element, a rule) is gone, nothing of its own is missing, the rest is as it was.
TEST(Restart, AStartRebuildsTheTableAsTheCreatesMadeIt) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    nlohmann::json before;
    ASSERT_NO_FATAL_FAILURE(masquerading_taps_then_kill(env, true, &before));
    for (const std::vector<std::string>& cmd :
         {std::vector<std::string>{"nft", "add", "element", "inet", "tapd", "masq4",
                                   "{ 192.168.69.192/26 }"},
          {"nft", "add", "element", "inet", "tapd", "taps", "{ stale0 }"},
          {"nft", "add", "rule", "inet", "tapd", "forward", "counter"},
          {"nft", "delete", "element", "inet", "tapd", "taps", "{ tap1 }"}})
        ASSERT_EQ(env.in_ns(cmd).status, 0) << cmd[2] << " " << cmd.back();
    env.start_tapd();
    EXPECT_EQ(without_handles(env.nft_table()), before) << env.tapd_log();
    EXPECT_EQ(env.tapd_log().find("rebuilding the whole table"), std::string::npos)
        << env.tapd_log();
}

// A start that finds its sets as its taps need them (a restart, a crash) leaves them alone: no
// element is deleted and added again (at 1,000 taps that refill was ~100 ms of kernel time).
TEST(Restart, AStartKeepsSetsThatHoldWhatItsTapsNeed) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    nlohmann::json before;
    ASSERT_NO_FATAL_FAILURE(masquerading_taps_then_kill(env, false, &before));
    // nf_tables' notifications during the start, written by nft monitor to a file.
    std::string events = env.dir() + "/nft-events";
    auto spawned = std::chrono::steady_clock::now();
    ASSERT_EQ(
        env.in_ns({"sh", "-c", "timeout 3 nft monitor > " + events + " 2>&1 & sleep 0.3"}).status,
        0);
    env.start_tapd();
    std::this_thread::sleep_until(spawned + std::chrono::milliseconds(3500));
    std::ifstream in(events);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find(" inet tapd "), std::string::npos) << "nft monitor saw no start: " << text;
    EXPECT_EQ(text.find("element"), std::string::npos) << text;
    EXPECT_EQ(without_handles(env.nft_table()), before) << env.tapd_log();
}

TEST(Restart, AFullStateDirFailsTheCreateCleanly) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    // A tmpfs of four pages for the state, filled up once tapd has written its first state.
    std::string state = env.dir() + "/tiny";
    std::filesystem::create_directories(state);
    ASSERT_EQ(
        run({"mount", "-t", "tmpfs", "-o", "size=16k,mode=0700", "tapd-test-full", state}).status,
        0);
    struct Unmount {  // before env's directory goes, even when the test stops early
        std::string path;
        ~Unmount() { run({"umount", "-l", path}); }
    } unmount{state};
    env.set_state_dir(state);
    env.start_tapd();
    run({"dd", "if=/dev/zero", "of=" + state + "/filler", "bs=1k", "count=64"});
    auto r = env.tapctl({"create", "tap0", "--address", "192.168.69.100/24", "--masquerade"});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("Failed: writing state: "), std::string::npos) << r.describe();
    EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.describe();
    EXPECT_TRUE(env.ip_json({"link", "show", "tap0"}).empty());
    EXPECT_TRUE(env.nft_set("masq4").empty());
    EXPECT_EQ(env.ip_forward(), 0);
    // Room again: the same create works.
    std::filesystem::remove(state + "/filler");
    EXPECT_EQ(
        env.tapctl({"create", "tap0", "--address", "192.168.69.100/24", "--masquerade"}).status, 0);
    env.stop_tapd();
}

TEST(Restart, BusDaemonGoingAwayStopsTapdCleanlyWithoutLeaks) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    env.start_tapd();
    ASSERT_EQ(env.tapctl({"create", "tap0", "--address", "192.168.69.100/24"}).status, 0);
    CommandResult held;
    std::thread holder([&] {
        held = env.tapctl(
            {"exec", "tap1", "--address", "192.168.70.1/24", "--masquerade", "--", "sleep", "5"});
    });
    auto tap1_exists = [&] { return !env.ip_json({"link", "show", "tap1"}).empty(); };
    EXPECT_TRUE(eventually(tap1_exists, 2)) << "tap1 never appeared\n" << env.tapd_log();
    env.stop_bus();
    // tapd says why it stops, removes the leases its clients lost with the bus, keeps the rest.
    EXPECT_EQ(env.wait_tapd(10), 1);
    EXPECT_NE(env.tapd_log().find("bus connection"), std::string::npos) << env.tapd_log();
    holder.join();
    EXPECT_TRUE(env.ip_json({"link", "show", "tap1"}).empty());
    EXPECT_EQ(env.ip_forward(), 0);
    EXPECT_EQ(env.ip_json({"link", "show", "tap0"}).size(), 1u);
    env.start_bus();
    env.start_tapd();
    EXPECT_EQ(nlohmann::json::parse(env.tapctl({"list", "--json"}).out).size(), 1u);
}

}  // namespace
}  // namespace tapd::test
