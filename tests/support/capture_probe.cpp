// capture_probe: reads tapd's capture stream (tests/integration/capture_test), or writes test
// frames into a tap as its fd holder. Frames are told apart by EtherType only.
//
// Usage: capture_probe read TAP [--snaplen N] [--count N] [--timeout S]
//          prints "header snaplen=N linktype=L", one "frame type=0xTTTT len=L incl=I" per record,
//          then "end: eof" (tapd closed the stream), "end: count" (N records read; the fd is then
//          closed) or "end: timeout"; --count 0 closes right after the header.
//        capture_probe write-frames N HOLD_SECONDS   (on $TAPD_FD: N frames of EtherType 0x88b5)
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

int read_capture(const std::string& tap, uint32_t snaplen, long count, int timeout) {
    tapd::UniqueFd fd;
    try {
        tapd::Client c;
        fd = c.open_capture(tap, snaplen);
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

int write_frames(int n, int hold) {
    const char* env = std::getenv("TAPD_FD");
    if (!env) {
        std::fprintf(stderr, "capture_probe: $TAPD_FD is not set\n");
        return 2;
    }
    int fd = std::atoi(env);
    unsigned char f[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01, 0x88, 0xb5};
    std::memcpy(f + 14, "tapd-capture-test", 17);
    for (int i = 0; i < n; ++i) {
        f[40] = static_cast<unsigned char>(i);
        if (write(fd, f, sizeof f) != sizeof f) std::perror("capture_probe: write");
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
    if (a.size() == 3 && a[0] == "write-frames")
        return write_frames(std::atoi(a[1].c_str()), std::atoi(a[2].c_str()));
    if (a.size() >= 2 && a[0] == "read") {
        uint32_t snaplen = 0;
        long count = -1;
        int timeout = 10;
        for (size_t i = 2; i + 1 < a.size(); i += 2) {
            if (a[i] == "--snaplen")
                snaplen = static_cast<uint32_t>(std::atol(a[i + 1].c_str()));
            else if (a[i] == "--count")
                count = std::atol(a[i + 1].c_str());
            else if (a[i] == "--timeout")
                timeout = std::atoi(a[i + 1].c_str());
        }
        return read_capture(a[1], snaplen, count, timeout);
    }
    std::fprintf(stderr,
                 "usage: capture_probe read TAP [--snaplen N] [--count N] [--timeout S] | "
                 "write-frames N HOLD_SECONDS\n");
    return 2;
}
