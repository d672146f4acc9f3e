// The service unit passes `systemd-analyze verify` with no output at all.
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "harness.hpp"

namespace tapd::test {
namespace {

TEST(SystemdUnit, VerifiesWithoutAnyOutput) {
    if (access("/usr/bin/systemd-analyze", X_OK) != 0) {
        if (in_ci()) FAIL() << "systemd-analyze is missing";
        GTEST_SKIP() << "systemd-analyze is missing";
    }
    std::ifstream in(TAPD_TEST_UNIT);
    ASSERT_TRUE(in) << TAPD_TEST_UNIT;
    std::stringstream s;
    s << in.rdbuf();
    std::string unit = s.str();
    // verify checks that ExecStart exists: point it at the build's tapd.
    auto pos = unit.find("ExecStart=");
    ASSERT_NE(pos, std::string::npos);
    unit.replace(pos, unit.find('\n', pos) - pos, "ExecStart=" + tapd_bin());
    auto dir = std::filesystem::temp_directory_path() / ("tapd-unit-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "tapd.service") << unit;
    auto r = run({"systemd-analyze", "verify", "--man=no", (dir / "tapd.service").string()});
    std::filesystem::remove_all(dir);
    EXPECT_EQ(r.status, 0) << r.describe();
    EXPECT_EQ(r.out + r.err, "") << r.describe();
}

TEST(SystemdUnit, SecurityExposureIsAtMostTwoPointFive) {
    if (access("/usr/bin/systemd-analyze", X_OK) != 0) {
        if (in_ci()) FAIL() << "systemd-analyze is missing";
        GTEST_SKIP() << "systemd-analyze is missing";
    }
    std::ifstream in(TAPD_TEST_UNIT);
    std::stringstream s;
    s << in.rdbuf();
    auto dir =
        std::filesystem::temp_directory_path() / ("tapd-unit-sec-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "tapd.service") << s.str();
    auto r = run({"systemd-analyze", "security", "--offline=yes", (dir / "tapd.service").string()});
    std::filesystem::remove_all(dir);
    auto pos = r.out.find("Overall exposure level for tapd.service: ");
    ASSERT_NE(pos, std::string::npos) << r.describe();
    double exposure =
        std::stod(r.out.substr(pos + std::strlen("Overall exposure level for tapd.service: ")));
    EXPECT_LE(exposure, 2.5) << r.out;
}

}  // namespace
}  // namespace tapd::test
