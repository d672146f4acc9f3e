// capture_probe: reads tapd's capture stream (tests/integration/capture_test), or writes test
// frames into a tap as its fd holder. Frames are told apart by EtherType only.
//
// Usage: capture_probe read TAP [--snaplen N] [--filter EXPR] [--count N] [--timeout S]
//          prints "header snaplen=N linktype=L", one "frame type=0xTTTT len=L incl=I" per record,
//          then "end: eof" (tapd closed the stream), "end: count" (N records read; the fd is then
//          closed) or "end: timeout"; --count 0 closes right after the header.
//        capture_probe write-frames N HOLD_SECONDS   (on $TAPD_FD: N frames of EtherType 0x88b5)
//        capture_probe flood-read TAP N   (run by `tapctl exec TAP`: $TAPD_FD is TAP)
//          opens a capture of TAP filtered to EtherTypes 0x88b5 (data) and 0x88b6 (sentinels),
//          writes N data frames into the tap without reading, then reads; whenever nothing comes
//          for 200 ms it writes a sentinel, and it stops at the first sentinel it reads (every
//          data frame is then either read or dropped), printing "wrote N got R sentinels S".
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "client.hpp"

namespace {

long now_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

// Reads exactly N bytes before DEADLINE: 1 done, 0 EOF, -1 timeout or error.
int read_exact(int fd, void* buf, size_t n, long deadline) {
    size_t got = 0;
    while (got < n) {
        long left = deadline - now_ms();
        if (left <= 0) return -1;
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
        ssize_t r = read(fd, static_cast<char*>(buf) + got, n - got);
        if (r == 0) return 0;
        if (r < 0) return -1;
        got += static_cast<size_t>(r);
    }
    return 1;
}

int read_capture(const std::string& tap, uint32_t snaplen, const std::string& filter, long count,
                 int timeout) {
    tapd::UniqueFd fd;
    try {
        tapd::Client c;
        fd = c.open_capture(tap, snaplen, filter);
    } catch (const tapd::ClientError& e) {
        std::printf("error %s: %s\n", e.name().c_str(), e.message().c_str());
        return 1;
    }
    long deadline = now_ms() + timeout * 1000L;
    uint32_t h[6];
    if (read_exact(fd.get(), h, sizeof h, deadline) != 1) {
        std::printf("end: no header\n");
        return 1;
    }
    std::printf("header magic=0x%08x version=%u.%u snaplen=%u linktype=%u\n", h[0], h[1] & 0xffff,
                h[1] >> 16, h[4], h[5]);
    std::fflush(stdout);
    long seen = 0;
    std::vector<unsigned char> frame;
    for (;;) {
        if (count >= 0 && seen >= count) {
            fd.reset();  // the client goes away: tapd's streamer must end
            std::printf("end: count\n");
            return 0;
        }
        uint32_t rec[4];
        int r = read_exact(fd.get(), rec, sizeof rec, deadline);
        if (r != 1) {
            std::printf("end: %s\n", r == 0 ? "eof" : "timeout");
            return 0;
        }
        frame.resize(rec[2]);
        if (read_exact(fd.get(), frame.data(), frame.size(), deadline) != 1) {
            std::printf("end: truncated record\n");
            return 1;
        }
        unsigned type = frame.size() >= 14 ? (frame[12] << 8 | frame[13]) : 0;
        std::printf("frame type=0x%04x len=%u incl=%u\n", type, rec[3], rec[2]);
        std::fflush(stdout);
        ++seen;
    }
}

// The tap fd `tapctl exec` hands over, or -1 (reported).
int tap_fd() {
    const char* env = std::getenv("TAPD_FD");
    if (!env) std::fprintf(stderr, "capture_probe: $TAPD_FD is not set\n");
    return env ? std::atoi(env) : -1;
}

// Writes one 60-byte test frame of ETHERTYPE (numbered I) into the tap FD.
void write_frame(int fd, unsigned ethertype, long i) {
    unsigned char f[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01};
    f[12] = static_cast<unsigned char>(ethertype >> 8);
    f[13] = static_cast<unsigned char>(ethertype);
    std::memcpy(f + 14, "tapd-capture-test", 17);
    std::memcpy(f + 40, &i, sizeof i);
    if (write(fd, f, sizeof f) != sizeof f) std::perror("capture_probe: write");
}

int flood_read(const std::string& tap_name, long n) {
    int tap = tap_fd();
    if (tap < 0) return 2;
    tapd::UniqueFd fd;
    try {
        tapd::Client c;
        fd = c.open_capture(tap_name, 0, "ether proto 0x88b5 or ether proto 0x88b6");
    } catch (const tapd::ClientError& e) {
        std::printf("error %s: %s\n", e.name().c_str(), e.message().c_str());
        return 1;
    }
    uint32_t h[6];
    if (read_exact(fd.get(), h, sizeof h, now_ms() + 60000) != 1) {
        std::printf("end: no header\n");
        return 1;
    }
    for (long i = 0; i < n; ++i) write_frame(tap, 0x88b5, i);
    long got = 0, sentinels = 0;
    std::vector<unsigned char> frame;
    for (;;) {
        pollfd p{fd.get(), POLLIN, 0};
        if (poll(&p, 1, 200) == 0) {
            write_frame(tap, 0x88b6, sentinels++);
            continue;
        }
        uint32_t rec[4];
        frame.resize(262144);
        if (read_exact(fd.get(), rec, sizeof rec, now_ms() + 60000) != 1 || rec[2] > frame.size() ||
            read_exact(fd.get(), frame.data(), rec[2], now_ms() + 60000) != 1) {
            std::printf("end: stream broke after %ld frames\n", got);
            return 1;
        }
        if (rec[2] >= 14 && frame[12] == 0x88 && frame[13] == 0xb6) break;
        ++got;
    }
    std::printf("wrote %ld got %ld sentinels %ld\n", n, got, sentinels);
    return 0;
}

int write_frames(int n, int hold) {
    int fd = tap_fd();
    if (fd < 0) return 2;
    for (int i = 0; i < n; ++i) {
        write_frame(fd, 0x88b5, i);
        usleep(50 * 1000);
    }
    std::printf("wrote %d\n", n);
    std::fflush(stdout);
    sleep(static_cast<unsigned>(hold));  // the tap keeps its carrier while we hold the fd
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> a(argv + 1, argv + argc);
    if (a.size() == 3 && a[0] == "flood-read") return flood_read(a[1], std::atol(a[2].c_str()));
    if (a.size() == 3 && a[0] == "write-frames")
        return write_frames(std::atoi(a[1].c_str()), std::atoi(a[2].c_str()));
    if (a.size() >= 2 && a[0] == "read") {
        uint32_t snaplen = 0;
        std::string filter;
        long count = -1;
        int timeout = 10;
        for (size_t i = 2; i + 1 < a.size(); i += 2) {
            if (a[i] == "--snaplen")
                snaplen = static_cast<uint32_t>(std::atol(a[i + 1].c_str()));
            else if (a[i] == "--filter")
                filter = a[i + 1];
            else if (a[i] == "--count")
                count = std::atol(a[i + 1].c_str());
            else if (a[i] == "--timeout")
                timeout = std::atoi(a[i + 1].c_str());
        }
        return read_capture(a[1], snaplen, filter, count, timeout);
    }
    std::fprintf(stderr,
                 "usage: capture_probe read TAP [--snaplen N] [--filter EXPR] [--count N] "
                 "[--timeout S] | "
                 "write-frames N HOLD_SECONDS | flood-read TAP N\n");
    return 2;
}
