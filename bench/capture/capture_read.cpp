// capture_read: the frames a program gets through libtapd's capture reader, as capture_bench
// counts them: Client::open_capture(TAP, 0, "outbound") (the frames the host sends to the tap,
// tcpdump's path: a TPACKET_V3 ring filled on the sender's CPU) read with wire::CaptureReader
// (up to 1 MiB per read(), the records as views into its buffer), touching a byte of each. On
// SIGINT it writes the count to OUT and exits 0.
// Usage: capture_read BUS_ADDRESS TAP OUT
#include <signal.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <exception>

#include "client.hpp"
#include "wire/pcap.hpp"

namespace {
void on_sigint(int) {}
}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: capture_read BUS_ADDRESS TAP OUT\n");
        return 2;
    }
    struct sigaction sa {};
    sa.sa_handler = on_sigint;  // no SA_RESTART: the blocking read() returns EINTR
    ::sigaction(SIGINT, &sa, nullptr);
    try {
        tapd::Client client(argv[1]);
        tapd::UniqueFd stream = client.open_capture(argv[2], 0, "outbound");
        tapd::wire::FdSource source(stream.get());
        source.stop_on_eintr = true;
        tapd::wire::CaptureReader reader(source);
        tapd::wire::CaptureRecord record;
        unsigned long long frames = 0;
        volatile std::byte touched{};  // a byte of each frame read, as a consumer would
        while (reader.next(record) == tapd::wire::CaptureReader::Status::Record) {
            ++frames;
            if (!record.data.empty()) touched = record.data[0];
        }
        (void)touched;
        if (reader.sys_error() != 0 && reader.sys_error() != EINTR) {
            char why[256];
            reader.describe_error(why, sizeof why);
            std::fprintf(stderr, "capture_read: %s\n", why);
            return 1;
        }
        FILE* out = std::fopen(argv[3], "w");
        if (!out) return 1;
        std::fprintf(out, "%llu\n", frames);
        std::fclose(out);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "capture_read: %s\n", e.what());
        return 1;
    }
}
