// Hostile input at the D-Bus boundary: huge strings that flooded the log, texts that were not valid
// UTF-8 (so sd-bus never sent the reply), duplicate a{sv} keys, routes without /PLEN, and policy
// paths that are missing, dangling or a FIFO on Reload/SIGHUP.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "harness.hpp"

namespace tapd::test {
namespace {

const std::string kManager = "net.tapd1.Manager";
const std::string kTap = "net.tapd1.Tap";
const std::string kInvalid = "net.tapd1.Error.InvalidArgument";

class Input : public TapdTest {
  protected:
    // busctl as UID with a call timeout: a reply that never comes fails the test in seconds
    // instead of after sd-bus's default of 25 s.
    CommandResult call(uid_t uid, const std::vector<std::string>& args) {
        std::vector<std::string> argv = {"env",         "SYSTEMD_LOG_LEVEL=debug",
                                         "busctl",      "--address=" + env_->bus_address(),
                                         "--timeout=5", "call",
                                         "net.tapd1"};
        argv.insert(argv.end(), args.begin(), args.end());
        return env_->as_user(uid, argv);
    }
    // The call fails with the D-Bus error NAME (so a reply came), and its message holds WANT.
    void expect_error(const CommandResult& r, const std::string& name, const std::string& want) {
        EXPECT_NE(r.status, 0) << r.describe();
        EXPECT_NE(r.err.find("error-name=" + name + " error-message="), std::string::npos)
            << "want error " << name << " in " << r.describe();
        EXPECT_NE(r.err.find(want), std::string::npos)
            << "want '" << want << "' in " << r.describe();
    }
    // uid 65534 may still create a tap: the test policy is in force.
    void expect_test_policy_in_force(const std::string& tap) {
        auto r = call(65534, {"/net/tapd1", kManager, "CreateTap", "sa{sv}", tap, "0"});
        EXPECT_EQ(r.status, 0) << r.describe();
    }
    void reload_and_sighup_keep_the_old_policy(const std::string& want) {
        auto r = call(0, {"/net/tapd1", kManager, "Reload"});
        expect_error(r, "net.tapd1.Error.Failed", env_->policy_path() + ": " + want);
        expect_error(r, "net.tapd1.Error.Failed", "; the policy in force stays");
        expect_test_policy_in_force("tap0");
        size_t log_start = env_->tapd_log().size();
        ASSERT_EQ(kill(env_->tapd_pid(), SIGHUP), 0);
        EXPECT_TRUE(eventually(
            [&] { return env_->tapd_log().find("SIGHUP", log_start) != std::string::npos; }));
        EXPECT_NE(env_->tapd_log().find("SIGHUP: policy not reloaded, the old one stays: " +
                                            env_->policy_path() + ": " + want,
                                        log_start),
                  std::string::npos)
            << env_->tapd_log().substr(log_start);
        expect_test_policy_in_force("tap1");
    }
};

// --- item 6: flooding ------------------------------------------------------------------------

TEST_F(Input, HugeTapArgumentsAreRefusedByNameWithoutFloodingTheLog) {
    ASSERT_EQ(env_->tapctl({"create", "tap0"}).status, 0);
    std::string huge(100 * 1024, '1');
    size_t before = env_->tapd_log().size();
    const char* const methods[] = {"AddAddress", "RemoveAddress", "AddRoute", "RemoveRoute"};
    for (int i = 0; i < 40; ++i) {
        const char* method = methods[i % 4];
        const char* what = i % 4 < 2 ? "address" : "route";
        auto r = call(65534, {"/net/tapd1/tap/tap0", kTap, method, "s", huge});
        expect_error(r, kInvalid,
                     std::string(what) + " '" + std::string(61, '1') + "...' is " +
                         std::to_string(huge.size()) + " bytes long (at most 256)");
        EXPECT_LT(r.err.size(), 20000u) << "the reply echoes the argument";
    }
    size_t grown = env_->tapd_log().size() - before;
    EXPECT_LT(grown, 1u << 20);
    EXPECT_LT(grown, 40u * 1024) << "each line should be far below 1 kB";
}

TEST_F(Input, HugeManagerArgumentsAreRefusedByName) {
    std::string huge(100 * 1024, 'a');
    std::string want = "interface name '" + std::string(61, 'a') + "...' is 102400 bytes long";
    expect_error(call(65534, {"/net/tapd1", kManager, "CreateTap", "sa{sv}", huge, "0"}), kInvalid,
                 want);
    expect_error(call(65534, {"/net/tapd1", kManager, "OpenTap", "sa{sv}", huge, "0"}), kInvalid,
                 want);
    expect_error(call(65534, {"/net/tapd1", kManager, "DeleteTap", "s", huge}), kInvalid, want);
    expect_error(call(65534, {"/net/tapd1", kManager, "OpenRawSocket", "sii", huge, "2", "17"}),
                 kInvalid, want);
    expect_error(call(65534, {"/net/tapd1", kManager, "OpenCapture", "sa{sv}", huge, "0"}),
                 kInvalid, want);
    EXPECT_LT(env_->tapd_log().size(), 64u * 1024);
}

// --- item 7: replies that never came ------------------------------------------------------

TEST_F(Input, AnUnknownOptionKeyCutInsideACharacterStillGetsItsReply) {
    std::string key = std::string(63, 'k') + "\xc3\xa9";  // 63 ASCII bytes + "é"
    expect_error(
        call(65534, {"/net/tapd1", kManager, "CreateTap", "sa{sv}", "tap0", "1", key, "b", "true"}),
        kInvalid, "unknown option '" + std::string(61, 'k') + "...'");
}

TEST_F(Input, ALongMacWithAMultibyteCharacterAtTheCutStillGetsItsReply) {
    std::string mac = std::string(255, 'a') + "\xc3\xa9" + std::string(10, 'b');
    expect_error(
        call(65534, {"/net/tapd1", kManager, "CreateTap", "sa{sv}", "tap0", "1", "mac", "s", mac}),
        kInvalid, "option 'mac'");
    expect_error(
        call(65534, {"/net/tapd1", kManager, "CreateTap", "sa{sv}", "tap0", "1", "mac", "s", mac}),
        kInvalid, "is 267 bytes long (at most 256)");
}

TEST_F(Input, APolicyFileWithByteFfOnReloadGetsItsReply) {
    env_->write_policy("{\"version\": 1, \"rules\": [\xff]}");
    auto r = call(0, {"/net/tapd1", kManager, "Reload"});
    expect_error(r, kInvalid, env_->policy_path() + ":1:");
    expect_error(r, kInvalid, "\\xff");
    expect_test_policy_in_force("tap0");
}

// --- item 11: Reload with a missing file, a dangling symlink, a FIFO ------------------------

TEST_F(Input, AMissingPolicyFileOnReloadKeepsTheOldPolicy) {
    std::filesystem::remove(env_->policy_path());
    reload_and_sighup_keep_the_old_policy("No such file or directory");
}

TEST_F(Input, ADanglingSymlinkOnReloadKeepsTheOldPolicyAndNamesItsTarget) {
    std::string target = env_->dir() + "/no-such-policy.json";
    std::filesystem::remove(env_->policy_path());
    std::filesystem::create_symlink(target, env_->policy_path());
    reload_and_sighup_keep_the_old_policy("No such file or directory (a symlink to " + target +
                                          ", which does not exist)");
}

TEST_F(Input, AFifoAtThePolicyPathNeverBlocksTapd) {
    std::filesystem::remove(env_->policy_path());
    ASSERT_EQ(mkfifo(env_->policy_path().c_str(), 0644), 0);
    reload_and_sighup_keep_the_old_policy("not a regular file (a FIFO)");
    // And tapd still answers everyone.
    auto r = call(65534, {"/net/tapd1", kManager, "ListTaps"});
    EXPECT_EQ(r.status, 0) << r.describe();
}

TEST(InputAtStart, ADanglingSymlinkAtStartMeansOnlyRootAsAMissingFileDoes) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    std::filesystem::remove(env.policy_path());
    std::filesystem::create_symlink(env.dir() + "/no-such-policy.json", env.policy_path());
    env.start_tapd();
    EXPECT_NE(env.tapd_log().find("only root may use tapd"), std::string::npos) << env.tapd_log();
    auto r = env.tapctl({"create", "tap0"});
    EXPECT_NE(r.err.find("PermissionDenied"), std::string::npos) << r.describe();
    EXPECT_EQ(env.tapctl({"create", "tap0"}, 0).status, 0);
}

TEST(InputAtStart, AFifoAtThePolicyPathStopsTapdNamingIt) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    std::filesystem::remove(env.policy_path());
    ASSERT_EQ(mkfifo(env.policy_path().c_str(), 0644), 0);
    auto r = env.run_tapd_to_exit();
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(r.err.find("policy: " + env.policy_path() + ": not a regular file (a FIFO)"),
              std::string::npos)
        << r.describe();
}

// --- item 12: argument edge cases ----------------------------------------------------------

TEST_F(Input, ADuplicateOptionKeyIsRefusedNamingIt) {
    expect_error(call(65534, {"/net/tapd1", kManager, "CreateTap", "sa{sv}", "tap0", "2", "mtu",
                              "u", "1500", "mtu", "u", "1400"}),
                 kInvalid, "option 'mtu' is given twice");
    EXPECT_EQ(env_->ip_json({"link", "show", "tap0"}).size(), 0u);
    expect_error(call(65534, {"/net/tapd1", kManager, "OpenCapture", "sa{sv}", "tap0", "2",
                              "snaplen", "u", "100", "snaplen", "u", "200"}),
                 kInvalid, "option 'snaplen' is given twice");
    expect_error(call(65534, {"/net/tapd1", kManager, "OpenTap", "sa{sv}", "tap0", "2", "x", "b",
                              "true", "x", "b", "false"}),
                 kInvalid, "option 'x' is given twice");
    ASSERT_EQ(env_->tapctl({"create", "tap0"}).status, 0);
    expect_error(call(65534, {"/net/tapd1/tap/tap0", kTap, "Open", "a{sv}", "2", "x", "b", "true",
                              "x", "s", "y"}),
                 kInvalid, "option 'x' is given twice");
    // Distinct keys still work.
    auto r = call(65534, {"/net/tapd1", kManager, "CreateTap", "sa{sv}", "tap1", "2", "mtu", "u",
                          "1400", "persistent", "b", "true"});
    EXPECT_EQ(r.status, 0) << r.describe();
}

TEST_F(Input, ARouteWithoutPrefixLengthIsRefusedAtCreateAndByAddRoute) {
    auto r = env_->tapctl({"create", "tap0", "--route", "10.1.2.3"});
    EXPECT_NE(r.err.find("InvalidArgument: option 'routes': route '10.1.2.3' has no prefix "
                         "length (PREFIX/PLEN)"),
              std::string::npos)
        << r.describe();
    ASSERT_EQ(env_->tapctl({"create", "tap0"}).status, 0);
    expect_error(call(65534, {"/net/tapd1/tap/tap0", kTap, "AddRoute", "s", "fdaa::5"}), kInvalid,
                 "route 'fdaa::5' has no prefix length (PREFIX/PLEN)");
    EXPECT_EQ(env_->ip_json({"-6", "route", "show", "proto", "177"}).size(), 0u);
    EXPECT_EQ(call(65534, {"/net/tapd1/tap/tap0", kTap, "AddRoute", "s", "fdaa::5/128"}).status, 0);
}

}  // namespace
}  // namespace tapd::test
