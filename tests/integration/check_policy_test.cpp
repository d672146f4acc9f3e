// tapd --check-policy FILE: validates a policy file without a bus and without root, with the
// messages tapd prints at start.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "harness.hpp"

namespace tapd::test {
namespace {

namespace fs = std::filesystem;

class CheckPolicy : public ::testing::Test {
  protected:
    void SetUp() override {
        // tapd writes "<3>" instead of "tapd: error: " when it believes stderr is the journal.
        ::unsetenv("JOURNAL_STREAM");
        char tmpl[] = "/tmp/tapd-check-policy.XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        ::chmod(dir_.c_str(), 0755);  // readable by uid 65534, which runs the checks
    }
    void TearDown() override { fs::remove_all(dir_); }

    // Writes TEXT to DIR/NAME with MODE; its path.
    std::string write(const std::string& name, const std::string& text, mode_t mode = 0644) {
        std::string path = dir_ + "/" + name;
        std::ofstream(path) << text;
        ::chmod(path.c_str(), mode);
        return path;
    }

    // What runs tapd --check-policy PATH: as uid 65534 when the test runs as root, so that no
    // check can pass by privilege; as the test's own (unprivileged) user otherwise.
    static std::vector<std::string> as_nobody(std::vector<std::string> argv) {
        if (::geteuid() != 0) return argv;
        std::vector<std::string> cmd = {"setpriv", "--reuid=65534", "--regid=65534",
                                        "--clear-groups", "--"};
        cmd.insert(cmd.end(), argv.begin(), argv.end());
        return cmd;
    }
    static CommandResult check(const std::string& path) {
        return run(as_nobody({tapd_bin(), "--check-policy", path}));
    }

    std::string dir_;
};

constexpr const char* kGood = R"({ "version": 1,
  "comment": "two rules and a limit",
  "limits": { "captures": 8 },
  "rules": [
    { "users": [65534], "max_taps": 2, "prefixes": ["192.168.69.0/24", "fdaa::/64"] },
    { "groups": [65534], "capture": true } ] }
)";

// The host bits of 192.168.69.1/24: line 3, column 51 (the value's opening quote).
constexpr const char* kHostBits = R"({ "version": 1,
  "rules": [
    { "users": [65534], "prefixes": ["fdaa::/64", "192.168.69.1/24"] } ] }
)";

TEST_F(CheckPolicy, AcceptsAValidFileWithAOneLineSummary) {
    auto path = write("policy.json", kGood);
    auto r = check(path);
    EXPECT_EQ(r.status, 0) << r.describe();
    EXPECT_EQ(r.out, path + ": ok: 2 rules; limits: captures 8, raw_sockets 1024\n");
    EXPECT_EQ(r.err, "");
}

TEST_F(CheckPolicy, SummarizesTheIntegrationsTheFileTurnsOn) {
    auto path = write("policy.json", R"({ "version": 1, "rules": [],
      "integrations": { "docker": true, "firewalld_zone": "trusted" } })");
    auto r = check(path);
    EXPECT_EQ(r.status, 0) << r.describe();
    EXPECT_EQ(r.out, path +
                         ": ok: 0 rules; limits: captures 64, raw_sockets 1024; integrations: "
                         "docker, firewalld_zone trusted\n");
}

TEST_F(CheckPolicy, RefusesABadFileWithFileLineAndColumn) {
    auto path = write("policy.json", kHostBits);
    auto r = check(path);
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "tapd: error: policy: " + path +
                         ":3:51: rules[0].prefixes[1]: prefix '192.168.69.1/24' has host bits "
                         "set (did you mean 192.168.69.0/24?)\n");
}

TEST_F(CheckPolicy, RefusesAnUnknownKeyAndAWrongVersion) {
    auto r = check(
        write("typo.json", R"({ "version": 1, "rules": [ { "users": [1], "max_tap": 2 } ] })"));
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(r.err.find("typo.json:1:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("max_tap"), std::string::npos) << r.err;
    r = check(write("v2.json", R"({ "version": 2, "rules": [] })"));
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(r.err.find("v2.json:1:"), std::string::npos) << r.err;
}

// tapd would start with "root only" here; a check of a file that is not there is a mistake.
TEST_F(CheckPolicy, RefusesAMissingFile) {
    auto r = check(dir_ + "/none.json");
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_EQ(r.err, "tapd: error: policy: " + dir_ + "/none.json: No such file or directory\n");
}

TEST_F(CheckPolicy, RefusesAFileOthersMayWrite) {
    auto r = check(write("policy.json", kGood, 0666));
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(r.err.find("writable by group or others (mode 0666)"), std::string::npos) << r.err;
}

// The same line as tapd's own at start, which refuses to start on it.
TEST_F(CheckPolicy, PrintsWhatTapdPrintsAtStart) {
    TAPD_REQUIRE_PRIVILEGES();
    Env env;
    env.write_policy(kHostBits);
    auto start = env.run_tapd_to_exit();
    ASSERT_EQ(start.status, 1) << start.describe();
    auto r = run({tapd_bin(), "--check-policy", env.policy_path()});
    EXPECT_EQ(r.status, 1) << r.describe();
    ASSERT_NE(r.err, "");
    EXPECT_NE(start.err.find(r.err), std::string::npos)
        << "check: " << r.err << "start: " << start.err;
}

// No socket at all (no bus, no netlink), and no file opened but the policy and the program's
// libraries: strace records every open and every socket call. Two libraries read a file of their
// own when they are loaded, before main() runs, read-only: libcap-ng the kernel's last
// capability, libnl-route its class id names.
TEST_F(CheckPolicy, OpensNothingButTheFile) {
    TAPD_SKIP_UNLESS_CI(::access("/usr/bin/strace", X_OK) == 0 ? "" : "strace is missing");
    auto path = write("policy.json", kGood);
    std::string trace = dir_ + "/trace";
    auto r = run({"strace", "-f", "-qq", "-o", trace, "-e", "trace=%network,%file", tapd_bin(),
                  "--check-policy", path});
    ASSERT_EQ(r.status, 0) << r.describe();
    std::ifstream in(trace);
    std::string line;
    int opened_policy = 0;
    std::regex open_call(R"(open(at)?\((AT_FDCWD, )?"([^"]*)\")");
    while (std::getline(in, line)) {
        EXPECT_EQ(line.find("socket("), std::string::npos) << line;
        EXPECT_EQ(line.find("connect("), std::string::npos) << line;
        std::smatch m;
        if (!std::regex_search(line, m, open_call)) continue;
        std::string opened = m[3];
        if (opened == path) {
            ++opened_policy;
            continue;
        }
        // The dynamic loader's cache and its search for the shared libraries tapd links (in
        // LD_LIBRARY_PATH too, which meson test sets).
        std::string base = fs::path(opened).filename();
        bool library = opened == "/etc/ld.so.cache" ||
                       (base.rfind("lib", 0) == 0 && base.find(".so") != std::string::npos);
        bool library_init =
            opened == "/proc/sys/kernel/cap_last_cap" || opened == "/etc/libnl/classid";
        EXPECT_TRUE(library || library_init) << "opened " << opened << ": " << line;
        EXPECT_NE(line.find("O_RDONLY"), std::string::npos) << line;
    }
    EXPECT_EQ(opened_policy, 1);
}

TEST_F(CheckPolicy, AcceptsTheInstalledExample) {
    std::ifstream in(TAPD_TEST_EXAMPLE_POLICY);
    ASSERT_TRUE(in) << TAPD_TEST_EXAMPLE_POLICY;
    std::stringstream text;
    text << in.rdbuf();
    // A copy: the checkout may be group-writable or belong to another user than the test's.
    auto path = write("policy.json", text.str());
    auto r = check(path);
    EXPECT_EQ(r.status, 0) << r.describe();
    EXPECT_EQ(r.out, path + ": ok: 1 rule; limits: captures 16, raw_sockets 64\n");
}

TEST_F(CheckPolicy, IsListedInTheHelp) {
    auto r = run({tapd_bin(), "--help"});
    EXPECT_EQ(r.status, 0) << r.describe();
    EXPECT_NE(r.out.find("--check-policy FILE"), std::string::npos) << r.out;
}

TEST_F(CheckPolicy, NeedsAFileName) {
    auto r = run({tapd_bin(), "--check-policy"});
    EXPECT_EQ(r.status, 2) << r.describe();
    EXPECT_EQ(r.err, "tapd: --check-policy needs a value\n");
}

}  // namespace
}  // namespace tapd::test
