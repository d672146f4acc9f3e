// capture_bench: under one 64-byte UDP flood through a tap, the frames `tapctl capture -w` keeps
// and the lines `tapctl sniff` prints (uid 65534, through tapd on a private bus) against root's
// `tcpdump -w` and `tcpdump -n -l` on the same tap, and optionally the same through an older
// tapd's streamer (--old-tapd), in interleaved rounds of one run (as root).
//
// Each world is a harness Env (a namespace, a private bus, tapd) with uid 65534's tap0
// (192.168.69.100/24) held open by `tapctl exec` so that it has carrier; the flood goes to a
// static neighbour, 192.168.69.2, from CPU 0; readers (and tapd, whose streamers inherit it) run
// on CPU 1. Each round runs every reader once, in a rotating order, for --seconds of flood and
// 200 ms to drain, then stops it with SIGINT (as Ctrl-C) and counts what it kept.
#include <sched.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "capture_consumers.hpp"
#include "harness.hpp"

namespace tapd::bench {
namespace {

struct Options {
    int rounds = 7;
    double seconds = 2;
    std::string old_tapd;  // an older tapd binary to compare its streamer with, or ""
    int sender_cpu = 0, reader_cpu = 1;
};

struct Sample {
    double kept_per_s = 0;  // frames kept (lines printed) per second of flood
    double sent_per_s = 0;
    uint64_t kernel_drops = 0;
    double cpu_ns = 0;  // the reader's CPU per frame kept
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void must(const test::CommandResult& r, const std::string& what) {
    if (r.status != 0) throw std::runtime_error(what + ": " + r.describe());
}

void pin(pid_t pid, int cpu) {
    if (cpu < 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    ::sched_setaffinity(pid, sizeof set, &set);
}

// A namespace with tapd (TAPD_BIN, or this build's), uid 65534's tap0 held open, and the flood's
// neighbour.
struct World {
    std::unique_ptr<test::Env> env = std::make_unique<test::Env>();
    pid_t holder = -1;

    World(const std::string& tapd_bin, int tapd_cpu) {
        // No IPv6 chatter on the tap: the flood is all there is.
        must(env->in_ns({"sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"}), "sysctl");
        if (tapd_bin.empty()) {
            env->start_tapd();
        } else {
            // The harness runs its own build's tapd; this wrapper (after `env`) runs the older
            // one in its place, with the same arguments, and execs so the pid stays tapd's.
            env->start_tapd({"TAPD_BENCH_BIN=" + tapd_bin, "sh", "-c",
                             "shift; exec \"$TAPD_BENCH_BIN\" \"$@\"", "sh"});
        }
        if (env->tapd_pid() <= 0) throw std::runtime_error("tapd did not start");
        pin(env->tapd_pid(), tapd_cpu);  // its streamers are forked there
        must(env->tapctl({"create", "tap0", "--address", "192.168.69.100/24"}), "create tap0");
        must(env->in_ns({"ip", "neigh", "replace", "192.168.69.2", "lladdr", "02:00:00:00:00:02",
                         "nud", "permanent", "dev", "tap0"}),
             "neighbour");
        holder = env->spawn_as_user(65534,
                                    {test::tapctl_bin(), "exec", "tap0", "--", "sleep", "100000"});
        if (!env->wait_carrier("tap0")) throw std::runtime_error("no holder of tap0");
    }
    ~World() {
        if (holder > 0) test::kill_group(holder);
    }
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&] {
            if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
            return std::string(argv[++i]);
        };
        if (a == "--rounds")
            o.rounds = std::stoi(value());
        else if (a == "--seconds")
            o.seconds = std::stod(value());
        else if (a == "--old-tapd")
            o.old_tapd = value();
        else if (a == "--one-cpu")
            o.sender_cpu = o.reader_cpu = -1;
        else
            throw std::runtime_error(
                "usage: capture_bench [--rounds N] [--seconds S] [--old-tapd PATH] [--one-cpu]");
    }
    if (std::thread::hardware_concurrency() < 2) o.sender_cpu = o.reader_cpu = -1;
    return o;
}

// "median (min–max)" of V, each scaled by SCALE, with FORMAT ("%.0f" or "%.2f").
std::string spread(std::vector<double> v, const char* format, const char* unit = "") {
    if (v.empty()) return "";
    auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    std::string f = std::string(format) + unit + " (" + format + "–" + format + ")";
    char buf[96];
    std::snprintf(buf, sizeof buf, f.c_str(), median(v), *lo, *hi);
    return buf;
}

// Per reader: what it kept per second, its share of what was sent, and, round by round, both as
// a ratio to the tcpdump it is compared with (same round, same world's tap).
void print_table(const std::vector<Kind>& kinds, std::map<Kind, std::vector<Sample>>& samples,
                 const std::map<Kind, std::string>& unavailable) {
    std::printf(
        "\n| reader | kept, kframes/s | of sent | vs tcpdump, kept/s | vs tcpdump, share of "
        "sent | CPU ns/frame |\n|---|---|---|---|---|---|\n");
    for (Kind k : kinds) {
        if (unavailable.count(k)) {
            std::printf("| %s | unavailable: %s | | | | |\n", kind_name(k),
                        unavailable.at(k).c_str());
            continue;
        }
        const auto& s = samples[k];
        const auto& base = samples[baseline_of(k)];
        std::vector<double> kept, share, ratio, share_ratio, cpu;
        for (size_t i = 0; i < s.size(); ++i) {
            kept.push_back(s[i].kept_per_s / 1e3);
            cpu.push_back(s[i].cpu_ns);
            share.push_back(100 * s[i].kept_per_s / s[i].sent_per_s);
            if (i >= base.size() || base[i].kept_per_s <= 0) continue;
            ratio.push_back(s[i].kept_per_s / base[i].kept_per_s);
            share_ratio.push_back((s[i].kept_per_s / s[i].sent_per_s) /
                                  (base[i].kept_per_s / base[i].sent_per_s));
        }
        std::printf("| %s | %s | %s | %s | %s | %s |\n", kind_name(k), spread(kept, "%.0f").c_str(),
                    spread(share, "%.0f", "%%").c_str(), spread(ratio, "%.2f", "×").c_str(),
                    spread(share_ratio, "%.2f", "×").c_str(), spread(cpu, "%.0f").c_str());
    }
}

int run(int argc, char** argv) {
    Options o = parse(argc, argv);
    if (std::string why = test::privileged_unavailable(); !why.empty())
        throw std::runtime_error(why);
    std::string dir = "/dev/shm/tapd-capture-bench-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    ::chmod(dir.c_str(), 01777);  // uid 65534's tapctl writes its capture here
    std::vector<Kind> kinds = {Kind::TcpdumpWrite, Kind::Capture, Kind::LibReader,
                               Kind::TcpdumpLines, Kind::Sniff};
    World current("", o.reader_cpu);
    std::unique_ptr<World> old;
    if (!o.old_tapd.empty()) {
        old = std::make_unique<World>(o.old_tapd, o.reader_cpu);
        kinds.insert(kinds.begin() + 2, Kind::CaptureOld);
        kinds.push_back(Kind::SniffOld);
    }
    std::printf("# 64-byte frames, %.1f s floods, %d rounds, %s\n", o.seconds, o.rounds,
                o.sender_cpu >= 0 ? "sender on CPU 0, readers and tapd on CPU 1" : "any CPU");
    std::printf("# round reader kept/s sent/s kept%% kernel_drops cpu_ns/frame\n");
    std::map<Kind, std::vector<Sample>> samples;
    std::map<Kind, std::string> unavailable;
    std::vector<Kind> order = kinds;
    for (int round = 1; round <= o.rounds; ++round) {
        for (Kind k : order) {
            if (unavailable.count(k)) continue;
            World& w = uses_old_tapd(k) ? *old : current;
            Reader r = Reader::start(k, *w.env, "tap0", dir, o.reader_cpu);
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            Flood f = flood(w.env->ns(), o.seconds, o.sender_cpu);
            std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let it drain
            Kept kept = r.stop();
            if (!kept.error.empty()) {
                unavailable[k] = kept.error;
                std::printf("%d %s unavailable: %s\n", round, kind_name(k), kept.error.c_str());
                continue;
            }
            Sample s{static_cast<double>(kept.frames) / f.seconds,
                     static_cast<double>(f.sent) / f.seconds, kept.kernel_drops,
                     kept.frames ? kept.cpu_seconds * 1e9 / static_cast<double>(kept.frames) : 0};
            samples[k].push_back(s);
            std::printf("%d %-32s %9.0f %9.0f %5.1f %9llu %6.0f\n", round, kind_name(k),
                        s.kept_per_s, s.sent_per_s, 100 * s.kept_per_s / s.sent_per_s,
                        static_cast<unsigned long long>(s.kernel_drops), s.cpu_ns);
            std::fflush(stdout);
        }
        std::rotate(order.begin(), order.begin() + 1, order.end());
    }
    print_table(kinds, samples, unavailable);
    std::filesystem::remove_all(dir);
    return 0;
}

}  // namespace
}  // namespace tapd::bench

int main(int argc, char** argv) {
    try {
        return tapd::bench::run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "capture_bench: %s\n", e.what());
        return 1;
    }
}
