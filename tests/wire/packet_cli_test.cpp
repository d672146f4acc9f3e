// Tests for tapctl's capture functions over a pretend tap (a SOCK_SEQPACKET pair: one frame
// per read), pipes carrying pcap streams, and files.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "packet_cli/packet_cli.hpp"
#include "samples.hpp"
#include "wire/pcap.hpp"

namespace tapd::cli {
namespace {

using wire::test::hex;

class TempDir {
  public:
    TempDir() {
        char tmpl[] = "/tmp/tapd_cli_test.XXXXXX";
        path_ = mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

  private:
    std::string path_;
};

std::vector<std::vector<std::byte>> frames() {
    return {hex(wire::test::kUdp4), hex(wire::test::kArpRequest), hex(wire::test::kTcpSyn)};
}

// Writes frames as separate messages into one end of a SEQPACKET pair and returns the other.
int fake_tap(const std::vector<std::vector<std::byte>>& fs, bool close_writer = true) {
    int sv[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    for (const auto& f : fs)
        EXPECT_EQ(write(sv[1], f.data(), f.size()), static_cast<ssize_t>(f.size()));
    if (close_writer) close(sv[1]);
    return sv[0];
}

std::vector<std::string> lines_without_timestamps(const std::string& out) {
    std::vector<std::string> v;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) v.push_back(line.substr(line.find(' ') + 1));
    return v;
}

TEST(PrintFramesFromTapFd, PrintsOneSummaryLinePerFrameUntilTheFdCloses) {
    int fd = fake_tap(frames());
    testing::internal::CaptureStdout();
    int rc = print_frames_from_tap_fd(fd, {});
    std::string out = testing::internal::GetCapturedStdout();
    close(fd);
    EXPECT_EQ(rc, 0);
    auto lines = lines_without_timestamps(out);
    ASSERT_EQ(lines.size(), 3u) << out;
    EXPECT_EQ(lines[0], "IP 192.168.69.1.40000 > 203.0.113.1.7777: UDP, length 5");
    EXPECT_EQ(lines[1], "ARP, Request who-has 192.168.69.100 tell 192.168.69.1, length 28");
}

TEST(PrintFramesFromTapFd, StopsAfterCountFramesWithoutWaitingForMore) {
    int fd = fake_tap(frames(), /*close_writer=*/false);
    testing::internal::CaptureStdout();
    int rc = print_frames_from_tap_fd(fd, {.json = true, .count = 2});
    std::string out = testing::internal::GetCapturedStdout();
    close(fd);
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2);
    EXPECT_EQ(out.rfind(R"({"frame.number":2,)", std::string::npos) != std::string::npos, true);
}

TEST(PrintFramesFromTapFd, EndsCleanlyOnSigint) {
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    auto f = hex(wire::test::kUdp4);
    ASSERT_EQ(write(sv[1], f.data(), f.size()), static_cast<ssize_t>(f.size()));
    pthread_t self = pthread_self();
    std::thread killer([self] {
        usleep(100000);
        pthread_kill(self, SIGINT);
    });
    testing::internal::CaptureStdout();
    int rc = print_frames_from_tap_fd(sv[0], {});
    std::string out = testing::internal::GetCapturedStdout();
    killer.join();
    close(sv[0]);
    close(sv[1]);
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(lines_without_timestamps(out).size(), 1u);
}

TEST(CaptureTapFdToFile, WritesAPcapngFileThatReadsBack) {
    TempDir dir;
    int fd = fake_tap(frames());
    testing::internal::CaptureStderr();
    EXPECT_EQ(capture_tap_fd_to_file(fd, dir.file("x.pcapng"), -1), 0);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "3 packets captured\n");
    close(fd);
    testing::internal::CaptureStdout();
    EXPECT_EQ(print_file(dir.file("x.pcapng"), {}), 0);
    auto lines = lines_without_timestamps(testing::internal::GetCapturedStdout());
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[1], "ARP, Request who-has 192.168.69.100 tell 192.168.69.1, length 28");
}

TEST(CaptureTapFdToFile, RefusesANameWithoutACaptureExtension) {
    TempDir dir;
    int fd = fake_tap(frames());
    testing::internal::CaptureStderr();
    EXPECT_EQ(capture_tap_fd_to_file(fd, dir.file("x.txt"), 1), 1);
    std::string err = testing::internal::GetCapturedStderr();
    close(fd);
    EXPECT_NE(err.find("x.txt"), std::string::npos) << err;
    EXPECT_FALSE(std::filesystem::exists(dir.file("x.txt")));
}

TEST(CapturePcapFdToFile, CopiesCountRecordsFromAStream) {
    TempDir dir;
    int p[2];
    ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
    {
        auto w = wire::CaptureWriter::create(p[1], wire::CaptureFormat::Pcap, true);
        for (const auto& f : frames()) w->write({5, 6, static_cast<uint32_t>(f.size()), f});
        ASSERT_TRUE(w->flush());
    }
    close(p[1]);
    testing::internal::CaptureStderr();
    EXPECT_EQ(capture_pcap_fd_to_file(p[0], dir.file("y.pcap"), 2), 0);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "2 packets captured\n");
    close(p[0]);
    testing::internal::CaptureStdout();
    EXPECT_EQ(print_file(dir.file("y.pcap"), {.json = true}), 0);
    std::string out = testing::internal::GetCapturedStdout();
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2);
    EXPECT_NE(out.find(R"("frame.time_epoch":5.000000006)"), std::string::npos) << out;
}

TEST(CapturePcapFdToFile, WritesEachRecordToAPipeBeforeTheStreamEnds) {
    int in[2], out[2];
    ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);
    ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
    auto f = hex(wire::test::kUdp4);
    const size_t want = 24 + 16 + f.size();  // pcap header and one record
    int saved = dup(STDOUT_FILENO);
    ASSERT_GE(saved, 0);
    ASSERT_EQ(dup2(out[1], STDOUT_FILENO), STDOUT_FILENO);  // "-" is stdout
    size_t seen = 0;
    std::thread source([&] {
        auto w = wire::CaptureWriter::create(in[1], wire::CaptureFormat::Pcap, false);
        w->write({1, 0, static_cast<uint32_t>(f.size()), f});
        w->flush();
        // The input stays open and idle: the record must reach the pipe now, not at the end.
        char buf[4096];
        while (seen < want) {
            struct pollfd p {
                out[0], POLLIN, 0
            };
            if (poll(&p, 1, 5000) != 1) break;
            ssize_t n = read(out[0], buf, sizeof buf);
            if (n <= 0) break;
            seen += static_cast<size_t>(n);
        }
        close(in[1]);
    });
    testing::internal::CaptureStderr();
    int rc = capture_pcap_fd_to_file(in[0], "-", -1);
    std::string err = testing::internal::GetCapturedStderr();
    dup2(saved, STDOUT_FILENO);
    close(saved);
    source.join();
    close(in[0]);
    close(out[0]);
    close(out[1]);
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(err, "1 packet captured\n");
    EXPECT_EQ(seen, want);
}

TEST(PrintFramesFromPcapFd, DecodesAStreamFromAPipe) {
    int p[2];
    ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
    std::thread writer([fd = p[1]] {
        auto w = wire::CaptureWriter::create(fd, wire::CaptureFormat::Pcapng, false);
        for (const auto& f : frames()) {
            w->write({1, 0, static_cast<uint32_t>(f.size()), f});
            w->flush();
        }
        close(fd);
    });
    testing::internal::CaptureStdout();
    int rc = print_frames_from_pcap_fd(p[0], {.verbose = true});
    std::string out = testing::internal::GetCapturedStdout();
    writer.join();
    close(p[0]);
    EXPECT_EQ(rc, 0);
    EXPECT_NE(out.find("Frame 3: 74 bytes captured"), std::string::npos) << out;
    EXPECT_NE(out.find("ARP Header"), std::string::npos);
}

TEST(PrintFile, NamesTheFileAndErrnoTextWhenItCannotOpen) {
    testing::internal::CaptureStderr();
    EXPECT_EQ(print_file("/nonexistent/dir/f.pcap", {}), 1);
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("/nonexistent/dir/f.pcap"), std::string::npos) << err;
    EXPECT_NE(err.find("No such file or directory"), std::string::npos) << err;
}

TEST(PrintFile, ReportsATruncatedFileWithTheByteOffset) {
    TempDir dir;
    std::string path = dir.file("t.pcap");
    {
        int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        auto w = wire::CaptureWriter::create(fd, wire::CaptureFormat::Pcap, false);
        auto f = hex(wire::test::kUdp4);
        w->write({1, 0, static_cast<uint32_t>(f.size()), f});
        w->flush();
        ASSERT_EQ(ftruncate(fd, 24 + 16 + 10), 0);
        close(fd);
    }
    testing::internal::CaptureStdout();
    testing::internal::CaptureStderr();
    EXPECT_EQ(print_file(path, {}), 1);
    testing::internal::GetCapturedStdout();
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("t.pcap: pcap: truncated, need 63 bytes, have 26 at byte 24"),
              std::string::npos)
        << err;
}

}  // namespace
}  // namespace tapd::cli
