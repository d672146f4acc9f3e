// The tun side of the privilege boundary (issue 10, items 2-4): no queue that tapd or the owner
// did not open survives a multi-queue tap's creation; a holder that gives its tap another tun
// owner or a group (so that others could open it by name) loses the tap; tapd warns about
// ownerless persistent tun/tap devices, to which any detached tap fd can attach.
#include <signal.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "harness.hpp"

namespace tapd::test {
namespace {

std::string support_bin(const std::string& name) {
    return std::string(TAPD_TEST_SUPPORT) + "/" + name;
}

std::string read_file(const std::string& path) {
    std::stringstream out;
    out << std::ifstream(path).rdbuf();
    return out.str();
}

size_t count(const std::string& text, const std::string& word) {
    size_t n = 0;
    for (size_t at = 0; (at = text.find(word, at)) != std::string::npos; at += word.size()) ++n;
    return n;
}

bool link_exists(Env& env, const std::string& name) {
    return !env.ip_json({"link", "show", name}).empty();
}

// Whether tapd revoked tap NAME (its log says so and the link is gone) within 5 s; the
// holder's output and tapd's log explain a failure.
::testing::AssertionResult revoked(Env& env, const std::string& name) {
    if (eventually([&] {
            return env.tapd_log().find("revoked tap=" + name) != std::string::npos &&
                   !link_exists(env, name);
        }))
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << name << " was not revoked\n"
           << read_file(env.dir() + "/" + name + ".log") << env.tapd_log();
}

class TunBoundary : public TapdTest {};

TEST_F(TunBoundary, NoQueueOfAnotherUserSurvivesAMultiQueueCreate) {
    // tapd paused 30 ms between TUNSETIFF and TUNSETOWNER (test builds): the attacker wins the
    // race whenever it spins. After a win it sleeps 300 ms, so tapd's next attempt gets through.
    env_->stop_tapd();
    env_->start_tapd({"TAPD_PAUSE_AT=tunsetiff:30"});
    const std::string log = env_->dir() + "/racer.log";
    pid_t racer = env_->spawn_as_user(65533, {support_bin("tun_racer"), "tapa", "tapv", "60"}, log);
    ASSERT_GT(racer, 0);
    ASSERT_TRUE(eventually([&] { return read_file(log).find("ready") != std::string::npos; }, 10))
        << read_file(log) << env_->tapd_log();
    int created = 0;
    for (int i = 0; i < 6; ++i) {
        auto r = env_->tapctl({"create", "tapv", "--multi-queue"});
        if (r.status != 0) continue;  // the attacker got in every time: tapd gave up
        ++created;
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        env_->tapctl({"delete", "tapv"});
    }
    kill_group(racer);
    std::string out = read_file(log);
    EXPECT_GT(count(out, "attached"), 0u) << "the race never happened:\n" << out;
    EXPECT_EQ(count(out, "kept"), 0u) << "the attacker kept a queue on the victim's tap:\n"
                                      << out << env_->tapd_log();
    EXPECT_GT(created, 0) << env_->tapd_log();
    // Every win of the attacker was noticed and named.
    EXPECT_EQ(count(out, "attached"), count(env_->tapd_log(), "before its owner was set; deleting"))
        << out << env_->tapd_log();
}

// tapctl exec NAME [ARGS] with a program that runs CODE on its tap fd and then sleeps.
pid_t hold_and_run(Env& env, uid_t uid, const std::string& name, const std::string& code,
                   const std::vector<std::string>& args = {}) {
    std::vector<std::string> argv = {tapctl_bin(), "exec", name};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--", "/usr/bin/python3", "-c",
                             "import fcntl,os,time; fd=int(os.environ['TAPD_FD']);" + code +
                                 ";print('done', flush=True); time.sleep(60)"});
    return env.spawn_as_user(uid, argv, env.dir() + "/" + name + ".log");
}

constexpr const char* kSetOwner = "fcntl.ioctl(fd, 0x400454cc, ";  // TUNSETOWNER
constexpr const char* kSetGroup = "fcntl.ioctl(fd, 0x400454ce, ";  // TUNSETGROUP

TEST_F(TunBoundary, HolderThatMakesItselfTunOwnerLosesTheTap) {
    pid_t holder = hold_and_run(*env_, 65534, "tap1", std::string(kSetOwner) + "65534)");
    ASSERT_GT(holder, 0);
    EXPECT_TRUE(revoked(*env_, "tap1"));
    EXPECT_NE(env_->tapd_log().find("its tun owner is 65534 where tapd set 0"), std::string::npos)
        << env_->tapd_log();
    kill_group(holder);
}

TEST_F(TunBoundary, HolderThatSetsATunGroupLosesTheTap) {
    pid_t holder = hold_and_run(*env_, 65534, "tap2", std::string(kSetGroup) + "65534)");
    ASSERT_GT(holder, 0);
    EXPECT_TRUE(revoked(*env_, "tap2"));
    EXPECT_NE(env_->tapd_log().find("its tun group is 65534 where tapd set none"),
              std::string::npos)
        << env_->tapd_log();
    kill_group(holder);
}

// The kernel sends a notification for each change: a change undone at once is still seen.
TEST_F(TunBoundary, HolderThatChangesTheOwnerAndBackLosesTheTap) {
    pid_t holder =
        hold_and_run(*env_, 65534, "tap5", std::string(kSetOwner) + "65534); " + kSetOwner + "0)");
    ASSERT_GT(holder, 0);
    EXPECT_TRUE(revoked(*env_, "tap5"));
    kill_group(holder);
}

TEST_F(TunBoundary, OwnerAccessTapGivenToAnotherUserIsRevoked) {
    pid_t holder =
        hold_and_run(*env_, 65534, "tap3", std::string(kSetOwner) + "65533)", {"--owner-access"});
    ASSERT_GT(holder, 0);
    EXPECT_TRUE(revoked(*env_, "tap3"));
    kill_group(holder);
}

TEST_F(TunBoundary, UntouchedTapsStay) {
    // Setting the owner tapd set already changes nothing.
    pid_t holder =
        hold_and_run(*env_, 65534, "tap4", std::string(kSetOwner) + "65534)", {"--owner-access"});
    ASSERT_GT(holder, 0);
    ASSERT_TRUE(eventually([&] {
        return read_file(env_->dir() + "/tap4.log").find("done") != std::string::npos;
    })) << env_->tapd_log();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_TRUE(link_exists(*env_, "tap4")) << env_->tapd_log();
    EXPECT_EQ(env_->tapd_log().find("revoked"), std::string::npos) << env_->tapd_log();
    kill_group(holder);
}

TEST_F(TunBoundary, OwnerlessPersistentDevicesAreReported) {
    ASSERT_EQ(env_->in_ns({"ip", "tuntap", "add", "name", "tun9", "mode", "tap"}).status, 0);
    ASSERT_EQ(
        env_->in_ns({"ip", "tuntap", "add", "name", "tun8", "mode", "tap", "user", "0"}).status, 0);
    EXPECT_TRUE(eventually([&] {
        return env_->tapd_log().find("ownerless persistent tap device tun9") != std::string::npos;
    })) << env_->tapd_log();
    // Once per device, and only the ownerless one; a restarted tapd reports it again.
    EXPECT_EQ(count(env_->tapd_log(), "device tun9"), 1u) << env_->tapd_log();
    EXPECT_EQ(env_->tapd_log().find("device tun8"), std::string::npos) << env_->tapd_log();
    env_->stop_tapd();
    env_->start_tapd();
    EXPECT_EQ(count(env_->tapd_log(), "device tun9"), 2u) << env_->tapd_log();
}

}  // namespace
}  // namespace tapd::test
