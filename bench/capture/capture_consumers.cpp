// capture_bench's readers (tapctl through tapd, tcpdump) and its flood.
#include "capture_consumers.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "pcap_format.hpp"

namespace tapd::bench {

namespace {

using Clock = std::chrono::steady_clock;

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

size_t count_of(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

uint64_t lines_in(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return 0;
    std::vector<char> buf(1 << 20);
    uint64_t n = 0;
    for (size_t got; (got = std::fread(buf.data(), 1, buf.size(), f)) > 0;)
        for (size_t i = 0; i < got; ++i) n += buf[i] == '\n';
    std::fclose(f);
    return n;
}

// Whether COND holds within 10 s, asked every 5 ms.
template <class Cond>
bool within_10s(Cond cond) {
    auto end = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < end) {
        if (cond()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return cond();
}

// User + system seconds PID has run so far (/proc/PID/stat), or 0.
double cpu_seconds(pid_t pid) {
    std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
    size_t at = stat.rfind(')');
    if (pid <= 0 || at == std::string::npos) return 0;
    std::istringstream in(stat.substr(at + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && in >> field; ++i) {  // fields 14 and 15 of proc(5)
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::vector<std::string> pinned(int cpu, std::vector<std::string> argv) {
    if (cpu < 0) return argv;
    argv.insert(argv.begin(), {"taskset", "-c", std::to_string(cpu)});
    return argv;
}

// Root's tcpdump in namespace NS with ARGS, stdout to OUT, stderr to ERR, in its own process
// group; TZ=UTC, or it stats /etc/localtime for every packet it prints.
pid_t spawn_tcpdump(const std::string& ns, int cpu, const std::vector<std::string>& args,
                    const std::string& out, const std::string& err) {
    std::vector<std::string> argv = pinned(cpu, {"tcpdump"});
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.begin(), {"ip", "netns", "exec", ns});
    pid_t pid = ::fork();
    if (pid == 0) {
        ::setpgid(0, 0);
        int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(o, 1);
        ::dup2(e, 2);
        ::setenv("TZ", "UTC", 1);
        std::vector<char*> a;
        for (auto& s : argv) a.push_back(s.data());
        a.push_back(nullptr);
        ::execvp(a[0], a.data());
        ::_exit(127);
    }
    return pid;
}

// capture_read, built next to this program.
std::string capture_read_bin() {
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) throw std::runtime_error("readlink /proc/self/exe");
    std::string path(self, static_cast<size_t>(n));
    return path.substr(0, path.rfind('/') + 1) + "capture_read";
}

}  // namespace

const char* kind_name(Kind k) {
    switch (k) {
        case Kind::TcpdumpWrite:
            return "tcpdump -w (root)";
        case Kind::Capture:
            return "tapctl capture -w";
        case Kind::CaptureOld:
            return "tapctl capture -w, old streamer";
        case Kind::TcpdumpLines:
            return "tcpdump -n -l (root)";
        case Kind::Sniff:
            return "tapctl sniff";
        case Kind::SniffOld:
            return "tapctl sniff, old streamer";
        case Kind::LibReader:
            return "libtapd capture reader";
    }
    return "?";
}

Kind baseline_of(Kind k) {
    return k == Kind::TcpdumpLines || k == Kind::Sniff || k == Kind::SniffOld ? Kind::TcpdumpLines
                                                                              : Kind::TcpdumpWrite;
}

Reader Reader::start(Kind kind, test::Env& env, const std::string& ifname, const std::string& dir,
                     int cpu) {
    bool lines = baseline_of(kind) == Kind::TcpdumpLines;
    std::string base = dir + "/" + std::to_string(static_cast<int>(kind));
    std::string out = base + (lines ? ".txt" : ".pcap"), err = base + ".err";
    std::remove(out.c_str());
    std::remove(err.c_str());
    if (kind == Kind::TcpdumpWrite || kind == Kind::TcpdumpLines) {
        std::vector<std::string> args = {"-i", ifname};
        if (lines)
            args.insert(args.begin(), {"-n", "-l"});
        else
            args.insert(args.end(), {"-w", out});
        Reader r(kind, spawn_tcpdump(env.ns(), cpu, args, out, err), out, err);
        if (!within_10s([&] { return slurp(err).find("listening on") != std::string::npos; }))
            r.early_ = "tcpdump did not start: " + slurp(err);
        return r;
    }
    std::vector<std::string> argv = {test::tapctl_bin(), lines ? "sniff" : "capture", ifname};
    if (!lines) argv.insert(argv.end(), {"-w", out});
    if (kind == Kind::LibReader) {
        out = base + ".count";
        std::remove(out.c_str());
        argv = {capture_read_bin(), env.bus_address(), ifname, out};
    }
    std::string started = "capture of tap=" + ifname + " started";
    size_t before = count_of(env.tapd_log(), started);
    // tapctl sniff prints to stdout: the log is its output (errors would add lines, and show).
    pid_t pid = env.spawn_as_user(65534, pinned(cpu, argv), lines ? out : err);
    Reader r(kind, pid, out, err);
    if (!within_10s([&] { return count_of(env.tapd_log(), started) > before; })) {
        r.early_ = "no streamer started: " + slurp(err) + slurp(out);
        return r;
    }
    std::string log = env.tapd_log();
    r.streamer_ = std::atoi(log.c_str() + log.rfind(started) + started.size() +
                            std::strlen(": streamer pid="));
    return r;
}

Reader::Reader(Reader&& o) noexcept
    : kind_(o.kind_),
      pid_(o.pid_),
      out_(std::move(o.out_)),
      err_(std::move(o.err_)),
      early_(std::move(o.early_)) {
    o.pid_ = -1;
}

Reader::~Reader() {
    if (pid_ > 0) test::kill_group(pid_);
}

Kept Reader::stop() {
    Kept k;
    if (pid_ <= 0) return k;
    k.cpu_seconds = cpu_seconds(pid_) + (streamer_ > 0 ? cpu_seconds(streamer_) : 0);
    ::kill(pid_, SIGINT);
    int status = test::wait_exit(pid_, 20);
    pid_ = -1;
    if (!early_.empty()) {
        k.error = early_;
        return k;
    }
    if (status != 0) k.error = "exit status " + std::to_string(status) + ": " + slurp(err_);
    if (kind_ == Kind::LibReader)
        k.frames = std::strtoull(slurp(out_).c_str(), nullptr, 10);
    else
        k.frames = baseline_of(kind_) == Kind::TcpdumpLines ? lines_in(out_) : pcap_records(out_);
    std::string err = slurp(err_);
    if (size_t at = err.find(" packets dropped by kernel"); at != std::string::npos) {
        size_t start = err.rfind('\n', at);
        k.kernel_drops =
            std::strtoull(err.c_str() + (start == std::string::npos ? 0 : start + 1), nullptr, 10);
    }
    return k;
}

Flood flood(const std::string& ns, double seconds, int cpu) {
    int pipefd[2];
    if (::pipe(pipefd) != 0) throw std::runtime_error("pipe");
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(pipefd[0]);
        int target = ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
        if (target < 0 || ::setns(target, CLONE_NEWNET) != 0) ::_exit(1);
        if (cpu >= 0) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(cpu, &set);
            ::sched_setaffinity(0, sizeof set, &set);
        }
        int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(9);
        ::inet_pton(AF_INET, "192.168.69.2", &to.sin_addr);
        if (::connect(sock, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) ::_exit(1);
        constexpr size_t kBatch = 64, kPayload = 64 - 14 - 20 - 8;  // a 64-byte frame
        char data[kPayload] = {};
        iovec iov{data, kPayload};
        std::vector<mmsghdr> msgs(kBatch);
        for (auto& m : msgs) {
            m = {};
            m.msg_hdr.msg_iov = &iov;
            m.msg_hdr.msg_iovlen = 1;
        }
        Flood f;
        auto start = Clock::now();
        auto end = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(seconds));
        Clock::time_point now;
        while ((now = Clock::now()) < end) {
            int n = ::sendmmsg(sock, msgs.data(), kBatch, 0);
            if (n > 0) f.sent += static_cast<uint64_t>(n);
        }
        f.seconds = std::chrono::duration<double>(now - start).count();
        (void)!::write(pipefd[1], &f, sizeof f);
        ::_exit(0);
    }
    ::close(pipefd[1]);
    Flood f;
    ssize_t n = ::read(pipefd[0], &f, sizeof f);
    ::close(pipefd[0]);
    ::waitpid(pid, nullptr, 0);
    if (n != static_cast<ssize_t>(sizeof f)) throw std::runtime_error("flood in " + ns + " failed");
    return f;
}

uint64_t pcap_records(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return 0;
    std::fseek(f, 0, SEEK_END);
    long size = std::ftell(f);
    std::rewind(f);
    pcap::FileHeader h;
    uint64_t n = 0;
    if (std::fread(&h, sizeof h, 1, f) == 1) {
        bool swapped = h.magic == __builtin_bswap32(pcap::kMagicMicroseconds) ||
                       h.magic == __builtin_bswap32(pcap::kMagicNanoseconds);
        pcap::RecordHeader r;
        while (std::fread(&r, sizeof r, 1, f) == 1) {
            uint32_t incl = swapped ? __builtin_bswap32(r.incl_len) : r.incl_len;
            if (std::fseek(f, incl, SEEK_CUR) != 0 || std::ftell(f) > size) break;  // cut short
            ++n;
        }
    }
    std::fclose(f);
    return n;
}

}  // namespace tapd::bench
