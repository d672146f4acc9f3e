// Debian's firewalld for integrations_test: a real firewalld on the test's private bus.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness.hpp"

namespace tapd::test {

namespace fs = std::filesystem;

// Debian's firewalld (1.3) in tapd's namespace, on the test's private bus with the package's bus
// policy, from a copy of the package's /etc/firewalld: nothing of the host is read or changed.
class RealFirewalld {
  public:
    // Sets up the bus; START: starts firewalld too (else start() does).
    explicit RealFirewalld(Env& env, bool start_now = true) : env_(env) {
        if (access("/usr/sbin/firewalld", X_OK) != 0 || access(kBusPolicy, R_OK) != 0) {
            missing_ = "firewalld is not installed (apt-get install firewalld)";
            return;
        }
        // The private bus again, with firewalld's own bus policy (root owns the name, anyone
        // may call; firewalld itself lets only uid 0 change zones when polkit is absent).
        env.stop_bus();
        std::string conf = env.dir() + "/bus.conf";
        std::ifstream in(conf);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        text.insert(text.rfind("</busconfig>"),
                    std::string("  <include>") + kBusPolicy + "</include>\n");
        std::ofstream(conf) << text;
        env.start_bus();
        if (start_now) start();
    }

    // Starts firewalld and waits until it answers; missing() says why it did not.
    void start() {
        if (!missing_.empty()) return;
        Env& env = env_;
        std::string etc = env.dir() + "/firewalld";
        std::error_code ec;
        fs::copy("/etc/firewalld", etc, fs::copy_options::recursive, ec);
        // A private /run (firewalld's temporary files go to /run/firewalld), no bytecode caches
        // written into the system's Python directories: nothing of the host changes.
        std::vector<std::string> argv = {"ip", "netns", "exec", env.ns()};
        for (auto& a :
             in_private_mounts("mount -t tmpfs tapd-test-run /run && exec \"$@\"", "sh",
                               {"env", "DBUS_SYSTEM_BUS_ADDRESS=" + env.bus_address(),
                                "PYTHONDONTWRITEBYTECODE=1", "firewalld", "--nofork", "--nopid",
                                "--system-config", etc, "--log-target", "console"}))
            argv.push_back(std::move(a));
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        std::string log = env.dir() + "/firewalld.log";
        posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
        if (posix_spawnp(&pid_, args[0], &fa, &attr, args.data(), environ) != 0) pid_ = -1;
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        // Python and a whole ruleset: firewalld takes a few seconds to answer.
        if (pid_ < 0 || !eventually([&] { return call({"getDefaultZone"}).status == 0; }, 120))
            missing_ = "firewalld did not come up on the private bus: " + this->log();
    }
    ~RealFirewalld() { kill_group(pid_); }
    RealFirewalld(const RealFirewalld&) = delete;
    RealFirewalld& operator=(const RealFirewalld&) = delete;

    const std::string& missing() const { return missing_; }
    std::string log() const {
        std::ifstream in(env_.dir() + "/firewalld.log");
        return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    // busctl call on firewalld's object: METHOD of interface org.fedoraproject.FirewallD1 or,
    // with ".zone", of its zone interface, then the signature and arguments.
    CommandResult call(std::vector<std::string> args, const std::string& iface = "") {
        std::vector<std::string> argv = {"busctl",
                                         "--address=" + env_.bus_address(),
                                         "call",
                                         "org.fedoraproject.FirewallD1",
                                         "/org/fedoraproject/FirewallD1",
                                         "org.fedoraproject.FirewallD1" + iface};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv);
    }
    // The zone TAP is bound to ("" for none), as `firewall-cmd --get-zone-of-interface` says.
    std::string zone_of(const std::string& tap) {
        auto r = call({"getZoneOfInterface", "s", tap}, ".zone");
        return r.status == 0 ? r.out.substr(0, r.out.find('\n')) : "error: " + r.describe();
    }
    std::string active_zones() { return call({"getActiveZones"}, ".zone").out; }

  private:
    static constexpr const char* kBusPolicy = "/usr/share/dbus-1/system.d/FirewallD.conf";
    Env& env_;
    pid_t pid_ = -1;
    std::string missing_;
};

}  // namespace tapd::test
