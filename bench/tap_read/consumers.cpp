// Consumer children: the fd readers count frames until SIGTERM; tcpdump until SIGINT.
#include "consumers.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "tap_reader.hpp"
#include "uring_reader.hpp"

namespace tapd::bench {

namespace {

volatile sig_atomic_t g_stop = 0;

void on_stop(int) {
    g_stop = 1;
}

void pin(int cpu) {
    if (cpu < 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    ::sched_setaffinity(0, sizeof set, &set);
}

// What a child reports on its pipe: frames counted, and an error text (empty when none).
struct Report {
    uint64_t frames = 0;
    char error[240] = {};
};

// The fd readers' loops: frames until SIGTERM. Each touches a byte of every frame, as any
// consumer would.
uint64_t run_tap_reader(int tap, uint64_t& sink) {
    TapReader r{UniqueFd(tap)};
    uint64_t frames = 0;
    while (!g_stop) {
        TapBatch b = r.read(-1);
        for (auto f : b.frames) sink += static_cast<uint8_t>(f[0]);
        frames += b.size();
    }
    return frames;
}

uint64_t run_plain_read(int tap, uint64_t& sink) {
    // Blocking reads, one frame each: how a program uses the fd without TapReader.
    int flags = ::fcntl(tap, F_GETFL);
    ::fcntl(tap, F_SETFL, flags & ~O_NONBLOCK);
    static std::byte buf[65536 + 64];
    uint64_t frames = 0;
    while (!g_stop) {
        ssize_t n = ::read(tap, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(std::string("read: ") + strerror(errno));
        }
        sink += static_cast<uint8_t>(buf[0]);
        ++frames;
    }
    return frames;
}

uint64_t run_uring(int tap, uint64_t& sink) {
    int flags = ::fcntl(tap, F_GETFL);
    ::fcntl(tap, F_SETFL, flags | O_NONBLOCK);
    UringReader r(tap);
    uint64_t frames = 0;
    while (!g_stop) {
        auto batch = r.read();
        for (auto f : batch) sink += static_cast<uint8_t>(f[0]);
        frames += batch.size();
    }
    return frames;
}

[[noreturn]] void fd_reader_child(Kind kind, int tap, int cpu, uid_t uid, int out) {
    Report rep;
    try {
        pin(cpu);
        if (::setgroups(0, nullptr) != 0 || ::setresgid(uid, uid, uid) != 0 ||
            ::setresuid(uid, uid, uid) != 0)
            throw std::runtime_error(std::string("dropping to uid: ") + strerror(errno));
        struct sigaction sa {};
        sa.sa_handler = on_stop;  // no SA_RESTART: a blocked read or wait returns EINTR
        ::sigaction(SIGTERM, &sa, nullptr);
        char ready = 'R';
        if (::write(out, &ready, 1) != 1) ::_exit(2);
        uint64_t sink = 0;
        rep.frames = kind == Kind::TapReader   ? run_tap_reader(tap, sink)
                     : kind == Kind::PlainRead ? run_plain_read(tap, sink)
                                               : run_uring(tap, sink);
        if (sink == 1) std::fputc(' ', stderr);  // keeps the touches
    } catch (const std::exception& e) {
        std::snprintf(rep.error, sizeof rep.error, "%s", e.what());
    }
    if (::write(out, &rep, sizeof rep) != sizeof rep) ::_exit(3);
    ::_exit(0);
}

[[noreturn]] void tcpdump_child(const std::string& ifname, int cpu, int err) {
    pin(cpu);
    ::dup2(err, STDERR_FILENO);
    int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    ::dup2(null, STDOUT_FILENO);
    ::setenv("TZ", "UTC", 1);
    ::execlp("tcpdump", "tcpdump", "-n", "-i", ifname.c_str(), "-w", "/dev/null",
             static_cast<char*>(nullptr));
    std::fprintf(stderr, "exec tcpdump: %s\n", strerror(errno));
    ::_exit(127);
}

// Reads FD until TEXT has come (true) or it closes (false); what was read goes to OUT.
bool read_until(int fd, const char* text, std::string& out) {
    char buf[512];
    while (out.find(text) == std::string::npos) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        out.append(buf, static_cast<size_t>(n));
    }
    return true;
}

uint64_t number_before(const std::string& text, const char* what) {
    size_t at = text.find(what);
    if (at == std::string::npos) return 0;
    size_t start = text.rfind('\n', at);
    start = start == std::string::npos ? 0 : start + 1;
    return std::strtoull(text.c_str() + start, nullptr, 10);
}

}  // namespace

const char* kind_name(Kind k) {
    switch (k) {
        case Kind::TapReader:
            return "TapReader";
        case Kind::PlainRead:
            return "read() loop";
        case Kind::Uring:
            return "io_uring multishot";
        case Kind::Tcpdump:
            return "tcpdump";
    }
    return "?";
}

Consumer Consumer::start(Kind kind, int tap, const std::string& ifname, int cpu, uid_t uid) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork");
    if (pid == 0) {
        ::close(p[0]);
        if (kind == Kind::Tcpdump) tcpdump_child(ifname, cpu, p[1]);
        fd_reader_child(kind, tap, cpu, uid, p[1]);
    }
    ::close(p[1]);
    Consumer c(kind, pid, p[0]);
    if (kind == Kind::Tcpdump) {
        read_until(p[0], "listening on", c.early_);
    } else {
        char ready = 0;
        while (::read(p[0], &ready, 1) < 0 && errno == EINTR) {
        }
    }
    return c;
}

Consumer::Consumer(Consumer&& o) noexcept
    : kind_(o.kind_),
      pid_(std::exchange(o.pid_, -1)),
      pipe_(std::exchange(o.pipe_, -1)),
      early_(std::move(o.early_)) {}

Consumer::~Consumer() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    if (pipe_ >= 0) ::close(pipe_);
}

ConsumerResult Consumer::stop() {
    ConsumerResult r;
    ::kill(pid_, kind_ == Kind::Tcpdump ? SIGINT : SIGTERM);
    std::string text = early_;
    Report rep;
    if (kind_ == Kind::Tcpdump) {
        read_until(pipe_, "dropped by kernel", text);
    } else {
        size_t got = 0;
        auto* p = reinterpret_cast<char*>(&rep);
        while (got < sizeof rep) {
            ssize_t n = ::read(pipe_, p + got, sizeof rep - got);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got += static_cast<size_t>(n);
        }
        if (got != sizeof rep) r.error = "the reader died";
    }
    int status = 0;
    rusage ru{};
    ::wait4(pid_, &status, 0, &ru);
    pid_ = -1;
    r.cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                    static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    if (kind_ == Kind::Tcpdump) {
        if (text.find("packets captured") == std::string::npos) r.error = "tcpdump said: " + text;
        r.frames = number_before(text, "packets captured");
        r.kernel_drops = number_before(text, "packets dropped by kernel");
    } else if (r.error.empty()) {
        r.frames = rep.frames;
        r.error = rep.error;
    }
    return r;
}

}  // namespace tapd::bench
