// Writes N frames of the benchmark's mixed traffic to a pcap file: make_capture FILE N.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "traffic.hpp"
#include "wire/pcap.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s FILE.pcap N\n", argv[0]);
        return 2;
    }
    size_t n = std::strtoull(argv[2], nullptr, 10);
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        std::fprintf(stderr, "open %s: %s\n", argv[1], std::strerror(errno));
        return 1;
    }
    auto t = tapd::wire::bench::make_traffic(n, 7);
    auto w = tapd::wire::CaptureWriter::create(fd, tapd::wire::CaptureFormat::Pcap, false);
    for (size_t i = 0; i < t.count(); ++i) {
        auto f = t.frame(i);
        w->write({1700000000 + static_cast<int64_t>(i / 1000),
                  static_cast<uint32_t>(i % 1000) * 1000000u, static_cast<uint32_t>(f.size()), f});
    }
    int rc = w->flush() ? 0 : 1;
    if (rc) std::fprintf(stderr, "write %s: %s\n", argv[1], std::strerror(w->error()));
    close(fd);
    return rc;
}
