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

    // Processes whose parent is tapd (streamers; zombies count too).
    int tapd_children() {
        pid_t parent = env_->tapd_pid();
        if (parent <= 0) return -1;
        int n = 0;
        DIR* d = opendir("/proc");
        while (dirent* e = readdir(d)) {
            std::ifstream stat(std::string("/proc/") + e->d_name + "/stat");
            std::string line;
            if (!std::getline(stat, line)) continue;
            auto close = line.rfind(')');
            if (close == std::string::npos) continue;
            char state = 0;
            int ppid = 0;
            if (std::sscanf(line.c_str() + close + 1, " %c %d", &state, &ppid) == 2 &&
                ppid == parent)
                ++n;
        }
        closedir(d);
        return n;
    }

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

}  // namespace
}  // namespace tapd::test
