// tap_read_bench: frames/s a tap delivers to TapReader, a plain read() loop, io_uring multishot
// reads and tcpdump under one 64-byte UDP flood, in a network namespace of its own (as root).
//
// The kernel transmits to the tap: a UDP socket sends to a neighbour on the tap's subnet that has
// a static entry, with sendmmsg() from CPU 0; the consumer runs on CPU 1. Rounds interleave the
// consumers (in a rotating order); each round floods for --seconds while one consumer reads.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "consumers.hpp"
#include "link_stats.hpp"
#include "unique_fd.hpp"

namespace tapd::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    double seconds = 2;
    int rounds = 7;
    size_t frame_size = 64;  // Ethernet frame as read from the tap (no FCS)
    uid_t uid = 65534;
    std::vector<Kind> kinds = {Kind::TapReader, Kind::PlainRead, Kind::Uring, Kind::Tcpdump};
};

const char* kTap = "bench0";

void sh(const std::string& cmd) {
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
}

// The scratch namespace, its tap (whose fd we hold: the tap has carrier while it is open) and
// the neighbour the flood goes to.
UniqueFd setup() {
    if (::unshare(CLONE_NEWNET) != 0) throw std::runtime_error("unshare(CLONE_NEWNET)");
    sh("sysctl -qw net.ipv6.conf.default.disable_ipv6=1");  // no IPv6 chatter on the tap
    UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
    if (!fd) throw std::runtime_error("open /dev/net/tun");
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, kTap, IFNAMSIZ - 1);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (::ioctl(fd.get(), TUNSETIFF, &ifr) != 0) throw std::runtime_error("TUNSETIFF");
    sh(std::string("ip link set ") + kTap + " up");
    sh(std::string("ip addr add 10.77.0.1/24 dev ") + kTap);
    sh(std::string("ip neigh replace 10.77.0.2 lladdr 02:00:00:00:00:02 nud permanent dev ") +
       kTap);
    return fd;
}

void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    ::sched_setaffinity(0, sizeof set, &set);
}

// Sends frame_size-byte frames for SECONDS; how many, and for how long it really sent.
std::pair<uint64_t, double> flood(int sock, size_t frame_size, double seconds) {
    constexpr size_t kBatch = 64;
    size_t payload = frame_size - 42;  // Ethernet 14 + IPv4 20 + UDP 8
    std::vector<char> data(payload, 'x');
    iovec iov{data.data(), payload};
    std::vector<mmsghdr> msgs(kBatch);
    for (auto& m : msgs) {
        m = {};
        m.msg_hdr.msg_iov = &iov;
        m.msg_hdr.msg_iovlen = 1;
    }
    uint64_t sent = 0;
    auto start = Clock::now();
    auto end = start + std::chrono::duration<double>(seconds);
    Clock::time_point now;
    while ((now = Clock::now()) < end) {
        int n = ::sendmmsg(sock, msgs.data(), kBatch, 0);
        if (n > 0) sent += static_cast<uint64_t>(n);
    }
    return {sent, std::chrono::duration<double>(now - start).count()};
}

void drain(int tap) {
    ::fcntl(tap, F_SETFL, ::fcntl(tap, F_GETFL) | O_NONBLOCK);
    static char buf[65536 + 64];
    while (::read(tap, buf, sizeof buf) > 0) {
    }
}

struct Sample {
    double delivered = 0;  // frames/s the consumer got
    double sent = 0;       // frames/s the sender sent
    double cpu_ns = 0;     // consumer CPU per frame
    uint64_t drops = 0;    // the tap's tx_dropped (fd readers) or tcpdump's kernel drops
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::vector<double> field(const std::vector<Sample>& s, double Sample::*f) {
    std::vector<double> out;
    for (const auto& x : s) out.push_back(x.*f);
    return out;
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&] {
            if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
            return std::string(argv[++i]);
        };
        if (a == "--seconds")
            o.seconds = std::stod(value());
        else if (a == "--rounds")
            o.rounds = std::stoi(value());
        else if (a == "--frame-size")
            o.frame_size = std::stoul(value());
        else if (a == "--uid")
            o.uid = static_cast<uid_t>(std::stoul(value()));
        else if (a == "--no-uring")
            std::erase(o.kinds, Kind::Uring);
        else if (a == "--only") {
            std::string k = value();
            o.kinds = {k == "tapreader" ? Kind::TapReader
                       : k == "read"    ? Kind::PlainRead
                       : k == "uring"   ? Kind::Uring
                                        : Kind::Tcpdump};
        } else
            throw std::runtime_error(
                "usage: tap_read_bench [--seconds S] [--rounds N] "
                "[--frame-size BYTES] [--uid UID] [--no-uring] "
                "[--only tapreader|read|uring|tcpdump]");
    }
    if (o.frame_size < 60 || o.frame_size > 1514)
        throw std::runtime_error("--frame-size must be 60..1514");
    return o;
}

int run(int argc, char** argv) {
    Options o = parse(argc, argv);
    UniqueFd tap = setup();
    bool two_cpus = std::thread::hardware_concurrency() >= 2;
    if (two_cpus) pin(0);
    int consumer_cpu = two_cpus ? 1 : -1;

    UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    ::inet_pton(AF_INET, "10.77.0.2", &to.sin_addr);
    if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0)
        throw std::runtime_error("connect");
    LinkStatsSocket stats;

    std::printf("# %zu-byte frames, %.1f s floods, %d rounds, fd readers as uid %u, %s\n",
                o.frame_size, o.seconds, o.rounds, o.uid,
                two_cpus ? "sender on CPU 0, consumer on CPU 1" : "one CPU");
    std::printf("# round consumer delivered/s sent/s delivered%% cpu_ns/frame drops\n");
    std::map<Kind, std::vector<Sample>> samples;
    std::map<Kind, std::string> unavailable;
    std::vector<Kind> kinds = o.kinds;
    for (int round = 1; round <= o.rounds; ++round) {
        for (Kind k : kinds) {
            if (unavailable.count(k)) continue;
            drain(tap.get());
            LinkCounters before = stats.query(kTap).counters;
            Consumer c = Consumer::start(k, tap.get(), kTap, consumer_cpu, o.uid);
            auto [sent, secs] = flood(sock.get(), o.frame_size, o.seconds);
            std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let it drain
            ConsumerResult r = c.stop();
            LinkCounters after = stats.query(kTap).counters;
            if (!r.error.empty()) {
                unavailable[k] = r.error;
                std::printf("%d %s unavailable: %s\n", round, kind_name(k), r.error.c_str());
                continue;
            }
            Sample s;
            s.delivered = static_cast<double>(r.frames) / secs;
            s.sent = static_cast<double>(sent) / secs;
            s.cpu_ns = r.frames ? r.cpu_seconds * 1e9 / static_cast<double>(r.frames) : 0;
            s.drops = k == Kind::Tcpdump ? r.kernel_drops : after.tx_dropped - before.tx_dropped;
            samples[k].push_back(s);
            std::printf("%d %-18s %10.0f %10.0f %6.1f %7.0f %10llu\n", round, kind_name(k),
                        s.delivered, s.sent, 100 * s.delivered / s.sent, s.cpu_ns,
                        static_cast<unsigned long long>(s.drops));
            std::fflush(stdout);
        }
        std::rotate(kinds.begin(), kinds.begin() + 1, kinds.end());
    }

    std::printf(
        "\n| consumer | delivered, kframes/s: median (min–max) | of sent | CPU ns/frame "
        "| vs tcpdump |\n|---|---|---|---|---|\n");
    const auto& dump = samples[Kind::Tcpdump];
    for (Kind k : o.kinds) {
        if (unavailable.count(k)) {
            std::printf("| %s | unavailable: %s | | | |\n", kind_name(k), unavailable[k].c_str());
            continue;
        }
        const auto& s = samples[k];
        auto d = field(s, &Sample::delivered);
        std::vector<double> share, ratio;
        for (size_t i = 0; i < s.size(); ++i) {
            share.push_back(100 * s[i].delivered / s[i].sent);
            if (i < dump.size() && dump[i].delivered > 0)
                ratio.push_back(s[i].delivered / dump[i].delivered);
        }
        std::printf("| %s | %.0f (%.0f–%.0f) | %.0f%% | %.0f | %.2f× (%.2f–%.2f) |\n", kind_name(k),
                    median(d) / 1e3, *std::min_element(d.begin(), d.end()) / 1e3,
                    *std::max_element(d.begin(), d.end()) / 1e3, median(share),
                    median(field(s, &Sample::cpu_ns)), median(ratio),
                    ratio.empty() ? 0 : *std::min_element(ratio.begin(), ratio.end()),
                    ratio.empty() ? 0 : *std::max_element(ratio.begin(), ratio.end()));
    }
    return 0;
}

}  // namespace
}  // namespace tapd::bench

int main(int argc, char** argv) {
    try {
        return tapd::bench::run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tap_read_bench: %s\n", e.what());
        return 1;
    }
}
