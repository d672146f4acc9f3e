// OpenCapture: tapd streams a tap's frames (both directions) as pcap through a forked streamer;
// no AF_PACKET socket leaves tapd. The stream ends when the tap goes, and the streamer when the
// client closes its end: no process is left behind.
#include <dirent.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "harness.hpp"

namespace tapd::test {
namespace {

std::string probe() {
    return std::string(TAPD_TEST_SUPPORT) + "/capture_probe";
}

class CaptureTest : public TapdTest {
  protected:
    void SetUp() override {
        TapdTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        auto created = env_->tapctl({"create", "tap0", "--address", "192.168.69.100/24"});
        ASSERT_EQ(created.status, 0) << created.describe();
        // The host sends to 192.168.69.1 at once: no ARP wait.
        auto r = env_->in_ns(
            {"ip", "neigh", "add", "192.168.69.1", "lladdr", "02:00:00:00:00:01", "dev", "tap0"});
        ASSERT_EQ(r.status, 0) << r.describe();
    }

    int tapd_children() { return env_->tapd_children(); }

    // Waits up to 5 s for tapd to have N children (a streamer exists once its socket is bound).
    bool children_become(int n) {
        return eventually([&] { return tapd_children() == n; });
    }
};

size_t count_of(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

TEST_F(CaptureTest, SeesFramesTheHolderWritesAndFramesTheHostSendsWhileAnotherProgramHoldsTheTap) {
    CommandResult cap, holder;
    std::thread reader([&] {
        cap = env_->as_user(65534, {probe(), "read", "tap0", "--timeout", "4"});
    });
    EXPECT_TRUE(children_become(1)) << "no streamer";
    // Another program holds the (single-queue) tap: OpenTap could not sniff it, OpenCapture can.
    std::thread writer([&] {
        holder = env_->as_user(
            65534, {tapctl_bin(), "exec", "tap0", "--", probe(), "write-frames", "3", "2"});
    });
    EXPECT_TRUE(env_->wait_carrier("tap0")) << "the holder never opened tap0";
    // Two UDP datagrams from the host's stack out through the tap (bash's /dev/udp: no ping here).
    auto ping =
        env_->in_ns({"bash", "-c", "for i in 1 2; do echo tapd > /dev/udp/192.168.69.1/9; done"});
    writer.join();
    reader.join();
    EXPECT_EQ(holder.status, 0) << holder.describe();
    EXPECT_NE(cap.out.find("header magic=0xa1b2c3d4 version=2.4 snaplen=262144 linktype=1"),
              std::string::npos)
        << cap.describe();
    EXPECT_EQ(count_of(cap.out, "frame type=0x88b5 len=60 incl=60"), 3u)
        << cap.describe();  // holder → host
    EXPECT_GE(count_of(cap.out, "frame type=0x0800"), 2u)
        << cap.describe() << ping.describe();  // host → tap
    EXPECT_NE(env_->tapd_log().find("method=OpenCapture uid=65534"), std::string::npos);
}

TEST_F(CaptureTest, SnaplenCutsFramesAndKeepsTheirLength) {
    CommandResult cap;
    std::thread reader([&] {
        cap = env_->as_user(65534, {probe(), "read", "tap0", "--snaplen", "64", "--timeout", "3"});
    });
    EXPECT_TRUE(children_become(1)) << "no streamer";
    std::thread holder([&] {
        env_->as_user(65534, {tapctl_bin(), "exec", "tap0", "--", "sleep", "2"});
    });
    EXPECT_TRUE(env_->wait_carrier("tap0")) << "the holder never opened tap0";
    // 400 bytes of UDP payload: a 442-byte frame.
    env_->in_ns({"bash", "-c", "head -c 400 /dev/zero > /dev/udp/192.168.69.1/9"});
    holder.join();
    reader.join();
    EXPECT_NE(cap.out.find("snaplen=64"), std::string::npos) << cap.describe();
    EXPECT_NE(cap.out.find("frame type=0x0800 len=442 incl=64"), std::string::npos)
        << cap.describe();
}

TEST_F(CaptureTest, TheStreamEndsWhenTheTapIsDeleted) {
    CommandResult cap;
    auto start = std::chrono::steady_clock::now();
    std::thread reader([&] {
        cap = env_->as_user(65534, {probe(), "read", "tap0", "--timeout", "10"});
    });
    EXPECT_TRUE(children_become(1)) << tapd_children();
    auto del = env_->tapctl({"delete", "tap0"});
    EXPECT_EQ(del.status, 0) << del.describe();
    reader.join();
    EXPECT_NE(cap.out.find("end: eof"), std::string::npos) << cap.describe();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5)) << cap.describe();
    EXPECT_TRUE(children_become(0)) << tapd_children();
}

TEST_F(CaptureTest, ClosingTheStreamEndsTheStreamer) {
    CommandResult cap;
    std::thread reader([&] {
        cap = env_->as_user(65534, {probe(), "read", "tap0", "--timeout", "3"});
    });
    EXPECT_TRUE(children_become(1))
        << tapd_children();  // the streamer is there while the client reads
    reader.join();
    EXPECT_TRUE(children_become(0)) << tapd_children();
    // The client reads the header and closes at once; no frame ever flows, still the streamer goes.
    auto closed = env_->as_user(65534, {probe(), "read", "tap0", "--count", "0"});
    EXPECT_NE(closed.out.find("end: count"), std::string::npos) << closed.describe();
    EXPECT_TRUE(children_become(0)) << tapd_children();
    EXPECT_NE(env_->tapd_log().find("client closed the stream"), std::string::npos)
        << env_->tapd_log();
}

TEST_F(CaptureTest, StreamersEndWithTapd) {
    CommandResult cap;
    std::thread reader([&] {
        cap = env_->as_user(65534, {probe(), "read", "tap0", "--timeout", "10"});
    });
    EXPECT_TRUE(children_become(1)) << tapd_children();
    EXPECT_EQ(env_->stop_tapd(SIGTERM), 0);
    reader.join();
    EXPECT_NE(cap.out.find("end: eof"), std::string::npos) << cap.describe();
}

TEST_F(CaptureTest, AnotherUsersTapIsNotFound) {
    auto r = env_->as_user(65533, {probe(), "read", "tap0", "--timeout", "2"});
    EXPECT_NE(r.out.find("error net.tapd1.Error.NotFound"), std::string::npos) << r.describe();
    EXPECT_EQ(tapd_children(), 0);
}

TEST_F(CaptureTest, ABadSnaplenIsRefusedByValue) {
    auto r =
        env_->as_user(65534, {probe(), "read", "tap0", "--snaplen", "300000", "--timeout", "2"});
    EXPECT_NE(r.out.find("error net.tapd1.Error.InvalidArgument: option 'snaplen': 300000"),
              std::string::npos)
        << r.describe();
}

// The limits (README "Capture"): a user's captures are bounded by its rules' max_captures (4 by
// default), tapd's by limits.captures; each refusal is a QuotaExceeded that names the limit and
// its policy key. Once the client goes, tapd's fds and children are back where they were.
TEST_F(CaptureTest, AUserAskingFor1100CapturesIsStoppedAtItsLimitAndRootStillCreates) {
    ASSERT_TRUE(children_become(0));
    int baseline = env_->tapd_fd_count();
    ASSERT_GT(baseline, 0);
    {
        Hoard hoard(*env_, 65534, "capture", "tap0", 1100);
        EXPECT_EQ(hoard.opened(), 4) << hoard.out();
        EXPECT_NE(hoard.out().find("refused 1096"), std::string::npos) << hoard.out();
        EXPECT_NE(hoard.out().find("error net.tapd1.Error.QuotaExceeded: you already have 4 "
                                   "captures (at most 4, policy key \"max_captures\")"),
                  std::string::npos)
            << hoard.out();
        EXPECT_TRUE(children_become(4)) << tapd_children();
        auto policy = env_->tapctl({"policy", "--json"});
        auto p = nlohmann::json::parse(policy.out, nullptr, false);
        EXPECT_EQ(p["max_captures"], 4) << policy.describe();
        EXPECT_EQ(p["open_captures"], 4) << policy.describe();
        EXPECT_EQ(p["limits.captures"], 64) << policy.describe();
        // tapd is not out of fds or processes: root's calls go on.
        auto created = env_->tapctl({"create", "tap9"}, 0);
        EXPECT_EQ(created.status, 0) << created.describe();
        auto cap = env_->as_user(0, {probe(), "read", "tap0", "--count", "0"});
        EXPECT_NE(cap.out.find("end: count"), std::string::npos) << cap.describe();
    }
    EXPECT_TRUE(children_become(0)) << tapd_children();
    EXPECT_TRUE(eventually([&] { return env_->tapd_fd_count() <= baseline; }))
        << env_->tapd_fd_count() << " fds, " << baseline << " before";
}

TEST_F(CaptureTest, AStreamerWhoseClientClosedIsReapedWithoutAnotherCall) {
    int baseline = env_->tapd_fd_count();
    ASSERT_GT(baseline, 0);
    auto closed = env_->as_user(65534, {probe(), "read", "tap0", "--count", "0"});
    EXPECT_NE(closed.out.find("end: count"), std::string::npos) << closed.describe();
    // No call follows: the streamer's exit alone must give its pidfd back.
    EXPECT_TRUE(children_become(0)) << tapd_children();
    EXPECT_TRUE(eventually([&] { return env_->tapd_fd_count() <= baseline; }))
        << env_->tapd_fd_count() << " fds, " << baseline << " before";
}

TEST_F(CaptureTest, TapdsCaptureLimitStopsEveryUserButRoot) {
    env_->write_policy(R"({
  "version": 1,
  "limits": { "captures": 3 },
  "rules": [
    { "users": [65534, 65533], "max_taps": 4, "persistent": true,
      "capture": true, "max_captures": 2 } ] })");
    ASSERT_EQ(env_->stop_tapd(), 0);
    ASSERT_NO_FATAL_FAILURE(env_->start_tapd());
    ASSERT_EQ(env_->tapctl({"create", "tap1"}, 65533).status, 0);
    Hoard first(*env_, 65534, "capture", "tap0", 5);
    EXPECT_EQ(first.opened(), 2) << first.out();
    EXPECT_NE(first.out().find("QuotaExceeded: you already have 2 captures (at most 2, policy "
                               "key \"max_captures\")"),
              std::string::npos)
        << first.out();
    Hoard second(*env_, 65533, "capture", "tap1", 5);
    EXPECT_EQ(second.opened(), 1) << second.out();
    EXPECT_NE(second.out().find("QuotaExceeded: tapd already runs 3 captures (at most 3, policy "
                                "key \"limits.captures\")"),
              std::string::npos)
        << second.out();
    // Root is never refused by the policy.
    auto cap = env_->as_user(0, {probe(), "read", "tap1", "--count", "0"});
    EXPECT_NE(cap.out.find("end: count"), std::string::npos) << cap.describe();
    // Closed captures give their room back.
    first.stop();
    EXPECT_TRUE(children_become(1)) << tapd_children();
    Hoard again(*env_, 65533, "capture", "tap1", 1);
    EXPECT_EQ(again.opened(), 1) << again.out();
}

}  // namespace
}  // namespace tapd::test
