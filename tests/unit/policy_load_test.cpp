// Tests for daemon/policy/policy_file_read.cpp through Policy::load: what is at the path, who
// owns it, who may write it, its size, and a missing file at start, on reload and on a check.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "policy.hpp"
#include "policy_text.hpp"
#include "unique_fd.hpp"
#include "without_caps.hpp"

namespace tapd {
namespace {

constexpr uid_t kUser = 1001;
constexpr gid_t kGroup = 2001;

// ---- Loading the file ----

class PolicyLoad : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/tapd-policy-test.XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override {
        std::string cmd = "rm -rf '" + dir_ + "'";
        EXPECT_EQ(std::system(cmd.c_str()), 0);
    }
    std::string write(const std::string& name, const std::string& text, mode_t mode = 0644) {
        auto path = dir_ + "/" + name;
        std::ofstream(path) << text;
        EXPECT_EQ(::chmod(path.c_str(), mode), 0);
        return path;
    }
    std::string dir_;
};

TEST_F(PolicyLoad, TreatsAMissingFileAsTheDefaultPolicy) {
    auto p = Policy::load(dir_ + "/policy.json", LoadTime::Start);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_FALSE(p.value()->from_file);
    EXPECT_TRUE(p.value()->rules.empty());
    EXPECT_EQ(p.value()->grant_for(kUser, {kGroup}).max_taps, 0u);
}

TEST_F(PolicyLoad, RefusesAMissingFileOnReloadSayingWhy) {
    auto path = dir_ + "/policy.json";
    auto p = Policy::load(path, LoadTime::Reload);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().kind, ErrorKind::Failed);
    EXPECT_EQ(p.error().message, path +
                                     ": No such file or directory; only at start does a "
                                     "missing policy file mean root only");
}

// tapd --check-policy FILE: a file that is not there is an error, never "root only".
TEST_F(PolicyLoad, RefusesAMissingFileOnACheckNamingIt) {
    auto path = dir_ + "/policy.json";
    auto p = Policy::load(path, LoadTime::Check);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().kind, ErrorKind::Failed);
    EXPECT_EQ(p.error().message, path + ": No such file or directory");
}

TEST_F(PolicyLoad, TreatsADanglingSymlinkAsAMissingFileNamingItsTarget) {
    auto path = dir_ + "/policy.json";
    ASSERT_EQ(::symlink((dir_ + "/gone.json").c_str(), path.c_str()), 0);
    auto at_start = Policy::load(path, LoadTime::Start);
    ASSERT_TRUE(at_start.ok()) << at_start.error().message;
    EXPECT_FALSE(at_start.value()->from_file);
    auto reload = Policy::load(path, LoadTime::Reload);
    ASSERT_FALSE(reload.ok());
    EXPECT_NE(reload.error().message.find(path + ": No such file or directory (a symlink to " +
                                          dir_ + "/gone.json, which does not exist)"),
              std::string::npos)
        << reload.error().message;
}

TEST_F(PolicyLoad, FollowsASymlinkToAFile) {
    auto target = write("real.json", with_rule(R"("users": [1001], "max_taps": 2)"));
    auto path = dir_ + "/policy.json";
    ASSERT_EQ(::symlink(target.c_str(), path.c_str()), 0);
    auto p = Policy::load(path, LoadTime::Reload);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p.value()->grant_for(kUser, {}).max_taps, 2u);
}

TEST_F(PolicyLoad, RefusesAFifoByName) {
    auto path = dir_ + "/policy.json";
    ASSERT_EQ(::mkfifo(path.c_str(), 0644), 0);
    // A writer holds the FIFO open, so that even a blocking open() returns here: what this test
    // checks is the name of the refusal (the integration test checks that tapd never blocks).
    UniqueFd writer(::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
    ASSERT_TRUE(writer);
    for (auto when : {LoadTime::Start, LoadTime::Reload}) {
        auto p = Policy::load(path, when);
        ASSERT_FALSE(p.ok());
        EXPECT_EQ(p.error().message, path + ": not a regular file (a FIFO)");
    }
    auto link = dir_ + "/link.json";
    ASSERT_EQ(::symlink(path.c_str(), link.c_str()), 0);
    auto p = Policy::load(link, LoadTime::Reload);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().message, link + ": not a regular file (a FIFO)");
}

TEST_F(PolicyLoad, ShowsByteFfOfTheFileEscapedInItsError) {
    auto path = write("policy.json", "{\"version\": 1, \"rules\": [\xff]}");
    auto p = Policy::load(path, LoadTime::Start);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().message.find(path + ":1:"), std::string::npos) << p.error().message;
    EXPECT_NE(p.error().message.find("\\xff"), std::string::npos) << p.error().message;
    EXPECT_EQ(p.error().message.find('\xff'), std::string::npos) << p.error().message;
}

TEST_F(PolicyLoad, ShowsAValueCutAtACharacterBoundary) {
    // A wrong-typed string shown cut short: '"', 58 bytes, then "é" across the old cut at 60.
    std::string value = std::string(58, 'a') + "\xc3\xa9" + std::string(20, 'b');
    auto p =
        Policy::parse(with_rule(R"("users": [1001], "max_taps": ")" + value + "\""), "policy.json");
    ASSERT_FALSE(p.ok());
    const auto& m = p.error().message;
    EXPECT_NE(m.find("max_taps"), std::string::npos) << m;
    EXPECT_NE(m.find(std::string(58, 'a')), std::string::npos) << m;
    EXPECT_EQ(m.find("\xc3"), m.find("\xc3\xa9")) << "half a character in: " << m;
}

TEST_F(PolicyLoad, ReadsAFile) {
    auto path = write("policy.json", with_rule(R"("users": [1001], "max_taps": 2)"));
    auto p = Policy::load(path, LoadTime::Start);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_TRUE(p.value()->from_file);
    EXPECT_EQ(p.value()->source, path);
    EXPECT_EQ(p.value()->grant_for(kUser, {}).max_taps, 2u);
}

TEST_F(PolicyLoad, NamesTheFileInParseErrors) {
    auto path = write("policy.json", "{\n  \"version\": 3, \"rules\": []}");
    auto p = Policy::load(path, LoadTime::Start);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().message,
              path + ":2:14: version: unsupported version 3 (this tapd reads version 1)");
}

TEST_F(PolicyLoad, RefusesAFileOthersMayWrite) {
    auto path = write("policy.json", R"({"version": 1, "rules": []})", 0666);
    auto p = Policy::load(path, LoadTime::Start);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().message.find("writable by group or others (mode 0666)"), std::string::npos)
        << p.error().message;
}

TEST_F(PolicyLoad, RefusesSomethingThatIsNotAFile) {
    auto p = Policy::load(dir_, LoadTime::Start);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().message.find("not a regular file"), std::string::npos) << p.error().message;
}

TEST_F(PolicyLoad, FailsOnAPathThatCannotExistRatherThanDefaulting) {
    // Only ENOENT means "no policy yet"; ENOTDIR and the like are errors, not the default.
    auto file = write("file", "x");
    auto p = Policy::load(file + "/policy.json", LoadTime::Start);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().message.find("Not a directory"), std::string::npos) << p.error().message;
}

TEST_F(PolicyLoad, FailsOnAnUnreadableFile) {
    auto path = write("policy.json", R"({"version": 1, "rules": []})", 0000);
    // As tapd runs: uid 0 without CAP_DAC_OVERRIDE, so file modes apply to it too.
    bool refused = without_file_capabilities([&] {
        auto p = Policy::load(path, LoadTime::Start);
        return !p.ok() && p.error().message.find("Permission denied") != std::string::npos;
    });
    EXPECT_TRUE(refused);
}

TEST_F(PolicyLoad, RefusesAnOversizedFile) {
    auto path = write("policy.json", std::string(kMaxPolicyFileSize + 1, ' '));
    auto p = Policy::load(path, LoadTime::Start);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().message.find("at most 1048576"), std::string::npos) << p.error().message;
}

}  // namespace
}  // namespace tapd
