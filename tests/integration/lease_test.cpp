// Leases: `tapctl exec` on a new name makes an ephemeral tap that lives exactly as long as the
// run; the fd reaches the program; a killed client's tap is removed; SIGTERM keeps persistent taps.
#include <signal.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "harness.hpp"

namespace tapd::test {
namespace {

bool link_exists(Env& env, const std::string& name) {
    return !env.ip_json({"link", "show", name}).empty();
}

bool link_gone_within(Env& env, const std::string& name, int seconds) {
    return eventually([&] { return !link_exists(env, name); }, seconds);
}

class Lease : public TapdTest {};

TEST_F(Lease, ExecHandsTheProgramATapFdInTheEnvironment) {
    auto r = env_->tapctl({"exec", "tap3", "--address", "192.168.69.100/24", "--fd", "7", "--",
                           "sh", "-c",
                           "echo fd=$TAPD_FD if=$TAPD_IFNAME; readlink /proc/self/fd/7; "
                           "ip -j link show tap3"});
    ASSERT_EQ(r.status, 0) << r.describe();
    EXPECT_NE(r.out.find("fd=7 if=tap3"), std::string::npos) << r.describe();
    EXPECT_NE(r.out.find("/dev/net/tun"), std::string::npos) << r.describe();
    EXPECT_NE(r.out.find("\"ifname\":\"tap3\""), std::string::npos) << r.describe();
    // The run is over: the ephemeral tap went with it.
    EXPECT_TRUE(env_->ip_json({"link", "show", "tap3"}).empty());
}

TEST_F(Lease, ExecExitsWithTheProgramsStatus) {
    EXPECT_EQ(env_->tapctl({"exec", "tap3", "--", "sh", "-c", "exit 7"}).status, 7);
    EXPECT_EQ(env_->tapctl({"exec", "tap3", "--", "sh", "-c", "kill -TERM $$"}).status,
              128 + SIGTERM);
}

TEST_F(Lease, KilledClientLosesItsTapEvenWhenItsProgramKeepsTheFd) {
    // The program kills tapctl (the lease holder) with SIGKILL and keeps the fd open a while.
    auto r = env_->tapctl({"exec", "tap4", "--", "sh", "-c", "kill -KILL $PPID; sleep 2"});
    // The program ran (it killed tapctl): so tap4 existed, and its absence below means removed.
    EXPECT_EQ(r.status, 128 + SIGKILL) << r.describe();
    EXPECT_TRUE(link_gone_within(*env_, "tap4", 5)) << env_->tapd_log();
}

TEST_F(Lease, ClientThatSetsPersistAndOwnerOnItsFdStillLosesTheTap) {
    // The fd holder may rewrite TUNSETPERSIST/TUNSETOWNER, then its client dies without a word;
    // tapd revokes by deleting the link, whatever the flags say.
    auto r = env_->tapctl({"exec", "tap5", "--", "/usr/bin/python3", "-c",
                           "import fcntl,os,time; fd=int(os.environ['TAPD_FD']);"
                           "fcntl.ioctl(fd, 0x400454cb, 1); fcntl.ioctl(fd, 0x400454cc, 65534);"
                           "print('persist+owner set', flush=True);"
                           "os.kill(os.getppid(), 9); time.sleep(1)"});
    EXPECT_NE(r.out.find("persist+owner set"), std::string::npos) << r.describe();
    EXPECT_TRUE(link_gone_within(*env_, "tap5", 5));
}

TEST_F(Lease, SigtermRemovesEphemeralTapsKeepsPersistentOnesAndExitsZero) {
    ASSERT_EQ(env_->tapctl({"create", "tap0", "--address", "192.168.69.100/24"}).status, 0);
    CommandResult held;
    std::thread holder([&] { held = env_->tapctl({"exec", "tap1", "--", "sleep", "3"}); });
    EXPECT_TRUE(eventually([&] { return link_exists(*env_, "tap1"); }, 2))
        << "tap1 never appeared\n"
        << env_->tapd_log();
    EXPECT_EQ(env_->stop_tapd(SIGTERM), 0);
    EXPECT_TRUE(env_->ip_json({"link", "show", "tap1"}).empty());
    EXPECT_EQ(env_->ip_json({"link", "show", "tap0"}).size(), 1u);
    holder.join();
    // A new tapd adopts the persistent tap.
    env_->start_tapd();
    auto list = nlohmann::json::parse(env_->tapctl({"list", "--json"}).out);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0]["name"], "tap0");
    EXPECT_EQ(list[0]["addresses"][0], "192.168.69.100/24");
}

TEST_F(Lease, EphemeralCreateLivesWhileTapctlRuns) {
    const std::string log = env_->dir() + "/tapctl.log";
    pid_t tapctl = env_->spawn_as_user(65534, {tapctl_bin(), "create", "tap2", "--ephemeral"}, log);
    ASSERT_GT(tapctl, 0);
    EXPECT_TRUE(eventually([&] { return link_exists(*env_, "tap2"); }, 5));
    // Ctrl-C, to this tapctl only (its pid: ip netns exec, setpriv and env exec in place).
    EXPECT_EQ(kill(tapctl, SIGINT), 0);
    int status = wait_exit(tapctl, 60);
    std::stringstream out;
    out << std::ifstream(log).rdbuf();
    EXPECT_EQ(status, 0) << "tapctl output:\n" << out.str();
    EXPECT_TRUE(env_->ip_json({"link", "show", "tap2"}).empty());
}

}  // namespace
}  // namespace tapd::test
