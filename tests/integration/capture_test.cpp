// OpenCapture: tapd streams a tap's frames (both directions) as pcap through a forked streamer;
// no AF_PACKET socket leaves tapd. The stream ends when the tap goes, and the streamer when the
// client closes its end: no process is left behind.
#include <dirent.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "capture_fixture.hpp"

namespace tapd::test {
namespace {

std::string probe() {
    return capture_probe();
}

class CaptureTest : public CaptureFixture {
  protected:
    void SetUp() override {
        CaptureFixture::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        make_tap("tap0", "192.168.69.100/24", "192.168.69.1");
    }
};

TEST_F(CaptureTest, SeesFramesTheHolderWritesAndFramesTheHostSendsWhileAnotherProgramHoldsTheTap) {
    CommandResult cap, holder;
    std::thread reader([&] {
        cap = env_->as_user(65534, {probe(), "read", "tap0", "--timeout", "4"});
    });
    EXPECT_TRUE(streaming(1)) << "not answered";
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
    EXPECT_TRUE(streaming(1)) << "not answered";
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
    EXPECT_TRUE(streaming(1)) << "not answered";
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
    EXPECT_TRUE(streaming(1)) << "not answered";
    EXPECT_EQ(env_->stop_tapd(SIGTERM), 0);
    reader.join();
    EXPECT_NE(cap.out.find("end: eof"), std::string::npos) << cap.describe();
}

// Backpressure (README "Capture"): a client that stops reading loses frames, whole, and each one
// it lost is counted in the streamer's log line, kernel drops (the ring was full) and the
// streamer's own alike; nothing is queued without bound. The probe holds the tap, writes 400,000
// frames without reading, then reads until a sentinel written after them comes through.
TEST_F(CaptureTest, AClientThatStopsReadingLosesFramesAndEveryLostOneIsCounted) {
    const long written = 400000;
    auto r = env_->as_user(65534, {tapctl_bin(), "exec", "tap0", "--", probe(), "flood-read",
                                   "tap0", std::to_string(written)});
    ASSERT_EQ(r.status, 0) << r.describe();
    long wrote = -1, got = -1, sentinels = -1;
    ASSERT_EQ(
        std::sscanf(r.out.c_str(), "wrote %ld got %ld sentinels %ld", &wrote, &got, &sentinels), 3)
        << r.describe();
    // The streamer logs its counts when it sees the client's end closed.
    std::string line;
    ASSERT_TRUE(eventually([&] {
        std::string log = env_->tapd_log();
        size_t at = log.find("tap=tap0 ended: client closed the stream; frames=");
        if (at == std::string::npos) return false;
        line = log.substr(at, log.find('\n', at) - at);
        return true;
    })) << env_->tapd_log();
    unsigned long frames = 0, slow = 0, kernel = 0;
    ASSERT_EQ(std::sscanf(line.c_str(),
                          "tap=tap0 ended: client closed the stream; frames=%lu "
                          "dropped_slow_client=%lu dropped_kernel=%lu",
                          &frames, &slow, &kernel),
              3)
        << line;
    long lost = static_cast<long>(slow + kernel);
    EXPECT_LT(got, written) << line;
    EXPECT_GT(lost, 0) << line;
    // Every data frame was read or counted as lost; sentinels may be among the lost ones too.
    EXPECT_GE(got + lost, written) << line << " " << r.out;
    EXPECT_LE(got + lost, written + sentinels) << line << " " << r.out;
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
