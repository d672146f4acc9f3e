// The service unit passes `systemd-analyze verify` with no output at all.
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "harness.hpp"

namespace tapd::test {
namespace {

// Why these tests cannot run here, or "" if they can.
std::string analyze_unavailable() {
    return access("/usr/bin/systemd-analyze", X_OK) == 0 ? "" : "systemd-analyze is missing";
}

// The built unit file's text; false if it cannot be read.
bool read_unit(std::string* text) {
    std::ifstream in(TAPD_TEST_UNIT);
    if (!in) return false;
    std::stringstream s;
    s << in.rdbuf();
    *text = s.str();
    return true;
}

// `systemd-analyze ARGS DIR/tapd.service`, with UNIT written to a scratch DIR (named after TAG).
CommandResult analyze(const std::string& unit, const std::string& tag,
                      const std::vector<std::string>& args) {
    auto dir = std::filesystem::temp_directory_path() / (tag + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "tapd.service") << unit;
    std::vector<std::string> argv = {"systemd-analyze"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back((dir / "tapd.service").string());
    auto r = run(argv);
    std::filesystem::remove_all(dir);
    return r;
}

TEST(SystemdUnit, VerifiesWithoutAnyOutput) {
    TAPD_SKIP_UNLESS_CI(analyze_unavailable());
    std::string unit;
    ASSERT_TRUE(read_unit(&unit)) << TAPD_TEST_UNIT;
    // verify checks that ExecStart exists: point it at the build's tapd.
    auto pos = unit.find("ExecStart=");
    ASSERT_NE(pos, std::string::npos);
    unit.replace(pos, unit.find('\n', pos) - pos, "ExecStart=" + tapd_bin());
    auto r = analyze(unit, "tapd-unit-", {"verify", "--man=no"});
    EXPECT_EQ(r.status, 0) << r.describe();
    EXPECT_EQ(r.out + r.err, "") << r.describe();
}

// Documentation=man:tapd(8) resolves: with the built page in MANPATH, verify's man check (which
// runs `man tapd.8` for it) passes too. Needs the man pages (-Dman, scdoc).
TEST(SystemdUnit, VerifiesWithItsManPageInstalled) {
    TAPD_SKIP_UNLESS_CI(analyze_unavailable());
    TAPD_SKIP_UNLESS_CI(std::string(TAPD_TEST_MAN_DIR).empty() ? "built without man pages (scdoc)"
                                                               : "");
    TAPD_SKIP_UNLESS_CI(access("/usr/bin/man", X_OK) == 0 ? "" : "man (man-db) is missing");
    std::string unit;
    ASSERT_TRUE(read_unit(&unit)) << TAPD_TEST_UNIT;
    auto pos = unit.find("ExecStart=");
    ASSERT_NE(pos, std::string::npos);
    unit.replace(pos, unit.find('\n', pos) - pos, "ExecStart=" + tapd_bin());
    auto man = std::filesystem::temp_directory_path() / ("tapd-man-" + std::to_string(getpid()));
    std::filesystem::create_directories(man / "man8");
    std::filesystem::copy_file(std::string(TAPD_TEST_MAN_DIR) + "/tapd.8", man / "man8" / "tapd.8",
                               std::filesystem::copy_options::overwrite_existing);
    // Only this directory: a tapd(8) installed on the machine must not make the test pass.
    ::setenv("MANPATH", man.c_str(), 1);
    auto r = analyze(unit, "tapd-unit-man-", {"verify"});
    ::unsetenv("MANPATH");
    std::filesystem::remove_all(man);
    EXPECT_EQ(r.status, 0) << r.describe();
    EXPECT_EQ(r.out + r.err, "") << r.describe();
}

TEST(SystemdUnit, SecurityExposureIsAtMostTwoPointFive) {
    TAPD_SKIP_UNLESS_CI(analyze_unavailable());
    std::string unit;
    ASSERT_TRUE(read_unit(&unit)) << TAPD_TEST_UNIT;
    auto r = analyze(unit, "tapd-unit-sec-", {"security", "--offline=yes"});
    auto pos = r.out.find("Overall exposure level for tapd.service: ");
    ASSERT_NE(pos, std::string::npos) << r.describe();
    double exposure =
        std::stod(r.out.substr(pos + std::strlen("Overall exposure level for tapd.service: ")));
    EXPECT_LE(exposure, 2.5) << r.out;
}

}  // namespace
}  // namespace tapd::test
