// tapctl's capture side: decode and print, or save, frames from tap fds, pcap streams and files.
#include "packet_cli.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "../common/unique_fd.hpp"
#include "print/json.hpp"
#include "print/summary.hpp"
#include "print/text_buffer.hpp"
#include "print/verbose.hpp"
#include "wire/decode.hpp"
#include "wire/pcap.hpp"

namespace tapd::cli {
namespace {

using wire::Bytes;

volatile sig_atomic_t g_stop = 0;
extern "C" void on_stop_signal(int) {
    g_stop = 1;
}

// Catches SIGINT/SIGTERM into a flag. With block set (fds we wait on with ppoll()), they stay
// blocked except inside ppoll(), so a signal can only interrupt the wait, never a half-written
// record. Without it (regular files, where reads do not block for long), the handler runs
// anywhere and loops check stopped() per record. Restores mask and handlers on destruction.
class StopSignals {
  public:
    explicit StopSignals(bool block = true) {
        g_stop = 0;
        struct sigaction sa {};
        sa.sa_handler = on_stop_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0;  // no SA_RESTART: the wait must return EINTR
        sigaction(SIGINT, &sa, &old_int_);
        sigaction(SIGTERM, &sa, &old_term_);
        bool block_signals = block;
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        pthread_sigmask(block_signals ? SIG_BLOCK : SIG_UNBLOCK, &set, &old_mask_);
        wait_mask_ = old_mask_;
        sigdelset(&wait_mask_, SIGINT);
        sigdelset(&wait_mask_, SIGTERM);
    }
    ~StopSignals() {
        // Unblock first so a pending signal still lands in our handler, then restore handlers.
        pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
        sigaction(SIGINT, &old_int_, nullptr);
        sigaction(SIGTERM, &old_term_, nullptr);
    }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    bool stopped() const { return g_stop != 0; }

    enum class Wait { Ready, Stopped, Failed };
    // Waits until fd is readable (timeout_ms -1 = forever, 0 = just look). Ready on timeout
    // too when timeout_ms is 0 and the fd is not readable: callers tell the two apart with
    // readable.
    Wait wait(int fd, int timeout_ms, bool& readable) {
        readable = false;
        if (g_stop) return Wait::Stopped;
        struct pollfd p {
            fd, POLLIN, 0
        };
        struct timespec ts {
            timeout_ms / 1000, (timeout_ms % 1000) * 1000000L
        };
        for (;;) {
            int r = ppoll(&p, 1, timeout_ms < 0 ? nullptr : &ts, &wait_mask_);
            if (r < 0) {
                if (errno == EINTR) {
                    if (g_stop) return Wait::Stopped;
                    continue;
                }
                return Wait::Failed;
            }
            readable = r > 0;
            return Wait::Ready;
        }
    }

  private:
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
    sigset_t old_mask_{};
    sigset_t wait_mask_{};
};

void report(std::string_view what, std::string_view detail) {
    std::fprintf(stderr, "tapctl: %.*s: %.*s\n", static_cast<int>(what.size()), what.data(),
                 static_cast<int>(detail.size()), detail.data());
}

void report_errno(std::string_view what, int err) {
    report(what, std::strerror(err));
}

// Decodes and prints frames to stdout in the chosen form.
class Printer {
  public:
    explicit Printer(const DecodeOptions& o) : opts_(o), out_(STDOUT_FILENO) {}

    void frame(Bytes data, int64_t sec, uint32_t nsec, uint32_t orig_len, bool ns) {
        // Only JSON and the verbose dump show checksum verdicts; summaries skip the pass over
        // the payload.
        wire::decode(data, decoded_, {.verify_checksums = opts_.json || opts_.verbose}, orig_len);
        meta_.number = ++count_;
        meta_.ts_sec = sec;
        meta_.ts_nsec = nsec;
        meta_.orig_len = orig_len;
        meta_.nanosecond = ns;
        if (opts_.json)
            print::write_json(out_, decoded_, meta_);
        else if (opts_.verbose)
            print::write_verbose(out_, tf_, decoded_, meta_);
        else
            print::write_summary_line(out_, tf_, decoded_, meta_);
    }
    bool done() const {
        return (opts_.count >= 0 && count_ >= static_cast<uint64_t>(opts_.count)) || out_.error();
    }
    void flush() { out_.flush(); }
    // Exit code for the output side: a closed pipe (EPIPE) is how `| head` says "enough".
    int finish() {
        out_.flush();
        if (out_.error() && out_.error() != EPIPE) {
            report_errno("writing to stdout", out_.error());
            return 1;
        }
        return 0;
    }

  private:
    DecodeOptions opts_;
    print::TextBuffer out_;
    print::TimeFormatter tf_;
    wire::Decoded decoded_;
    print::FrameMeta meta_;
    uint64_t count_ = 0;
};

// Reads from fd through ppoll(), so SIGINT ends a blocking read (-1, errno EINTR); calls
// on_idle first whenever no data is waiting: given a flush of the output, it keeps live output
// prompt without a write per frame.
class StoppableSource final : public wire::ByteSource {
  public:
    StoppableSource(int fd, StopSignals& sig, std::function<void()> on_idle)
        : fd_(fd), sig_(sig), on_idle_(std::move(on_idle)) {}
    ssize_t read(void* buf, size_t n) override {
        for (;;) {
            bool readable;
            auto w = sig_.wait(fd_, 0, readable);
            if (w == StopSignals::Wait::Ready && !readable) {
                on_idle_();
                w = sig_.wait(fd_, -1, readable);
            }
            if (w == StopSignals::Wait::Stopped) {
                errno = EINTR;
                return -1;
            }
            if (w == StopSignals::Wait::Failed) return -1;
            ssize_t r = ::read(fd_, buf, n);
            if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            return r;
        }
    }

  private:
    int fd_;
    StopSignals& sig_;
    std::function<void()> on_idle_;
};

// One frame per read(2) from a tap fd; up to 64 KiB MTU plus Ethernet and VLAN headers.
constexpr size_t kTapFrameMax = 65536 + 64;

struct Frame {
    Bytes data;
    int64_t sec;
    uint32_t nsec;
};

enum class TapRead { Frame, Stopped, End, Failed };

// One frame from a tap fd read through src (errno set on Failed), timestamped now.
TapRead read_tap_frame(StoppableSource& src, const StopSignals& sig, std::vector<std::byte>& buf,
                       Frame& f) {
    ssize_t n = src.read(buf.data(), buf.size());
    if (n < 0) return errno == EINTR && sig.stopped() ? TapRead::Stopped : TapRead::Failed;
    if (n == 0) return TapRead::End;
    struct timespec ts {};
    clock_gettime(CLOCK_REALTIME, &ts);
    f = {Bytes(buf.data(), static_cast<size_t>(n)), ts.tv_sec, static_cast<uint32_t>(ts.tv_nsec)};
    return TapRead::Frame;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Opens path for a capture and picks the format from its name; -1 with a report on failure.
int open_output(const std::string& path, wire::CaptureFormat& format, UniqueFd& owned) {
    if (path == "-") {
        format = wire::CaptureFormat::Pcap;
        return STDOUT_FILENO;
    }
    if (ends_with(path, ".pcapng")) {
        format = wire::CaptureFormat::Pcapng;
    } else if (ends_with(path, ".pcap")) {
        format = wire::CaptureFormat::Pcap;
    } else {
        report(path, "unknown capture file type; name it *.pcap or *.pcapng (or - for stdout)");
        return -1;
    }
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        report_errno("open " + path, errno);
        return -1;
    }
    owned = UniqueFd(fd);
    return fd;
}

int finish_capture(wire::CaptureWriter& w, UniqueFd& owned, const std::string& path) {
    w.flush();
    int rc = 0;
    if (w.error()) {
        report_errno("write " + path, w.error());
        rc = 1;
    }
    // close(2)'s error, which for files on NFS can be the first report of a failed write.
    if (int fd = owned.release(); fd >= 0 && ::close(fd) != 0) {
        report_errno("close " + path, errno);
        rc = 1;
    }
    std::fprintf(stderr, "%llu packet%s captured\n", static_cast<unsigned long long>(w.records()),
                 w.records() == 1 ? "" : "s");
    return rc;
}

// Drains a capture stream, calling on_record for each record until it returns false.
// Returns 0, or 1 after reporting a read or format error against name.
template <class F>
int drain(wire::CaptureReader& r, StopSignals& sig, const std::string& name, F&& on_record) {
    wire::CaptureRecord rec;
    for (;;) {
        auto s = r.next(rec);
        if (s == wire::CaptureReader::Status::End) return 0;
        if (s == wire::CaptureReader::Status::Error) {
            if (sig.stopped() && r.sys_error() == EINTR) return 0;
            char text[256];
            r.describe_error(text, sizeof text);
            report(name, text);
            return 1;
        }
        if (!on_record(rec)) return 0;
        if (sig.stopped()) return 0;
    }
}

}  // namespace

int print_frames_from_tap_fd(int fd, const DecodeOptions& opts) {
    StopSignals sig;
    Printer p(opts);
    StoppableSource src(fd, sig, [&] { p.flush(); });
    std::vector<std::byte> buf(kTapFrameMax);
    Frame f;
    int rc = 0;
    while (!p.done()) {
        auto r = read_tap_frame(src, sig, buf, f);
        if (r == TapRead::Frame) {
            p.frame(f.data, f.sec, f.nsec, static_cast<uint32_t>(f.data.size()), false);
            continue;
        }
        if (r == TapRead::Failed) {
            report_errno("read from tap fd " + std::to_string(fd), errno);
            rc = 1;
        }
        break;
    }
    int out = p.finish();
    return rc ? rc : out;
}

int print_frames_from_pcap_fd(int fd, const DecodeOptions& opts) {
    StopSignals sig;
    Printer p(opts);
    StoppableSource src(fd, sig, [&] { p.flush(); });
    wire::CaptureReader r(src);
    std::string name = "capture stream on fd " + std::to_string(fd);
    int rc = drain(r, sig, name, [&](const wire::CaptureRecord& rec) {
        p.frame(rec.data, rec.ts_sec, rec.ts_nsec, rec.orig_len, r.nanosecond());
        return !p.done();
    });
    int out = p.finish();
    return rc ? rc : out;
}

int capture_tap_fd_to_file(int fd, const std::string& path, long count) {
    wire::CaptureFormat format;
    UniqueFd owned;
    int out = open_output(path, format, owned);
    if (out < 0) return 1;
    StopSignals sig;
    auto w = wire::CaptureWriter::create(out, format, format == wire::CaptureFormat::Pcapng);
    StoppableSource src(fd, sig, [&] { w->flush(); });
    std::vector<std::byte> buf(kTapFrameMax);
    Frame f;
    int rc = 0;
    while ((count < 0 || w->records() < static_cast<uint64_t>(count)) && !w->error()) {
        auto r = read_tap_frame(src, sig, buf, f);
        if (r == TapRead::Frame) {
            w->write({f.sec, f.nsec, static_cast<uint32_t>(f.data.size()), f.data});
            continue;
        }
        if (r == TapRead::Failed) {
            report_errno("read from tap fd " + std::to_string(fd), errno);
            rc = 1;
        }
        break;
    }
    int fin = finish_capture(*w, owned, path);
    return rc ? rc : fin;
}

int capture_pcap_fd_to_file(int fd, const std::string& path, long count) {
    wire::CaptureFormat format;
    UniqueFd owned;
    int out = open_output(path, format, owned);
    if (out < 0) return 1;
    StopSignals sig;
    std::unique_ptr<wire::CaptureWriter> w;
    // Flushing while no data waits makes a capture to a pipe (-w -) prompt.
    StoppableSource src(fd, sig, [&] {
        if (w) w->flush();
    });
    wire::CaptureReader r(src);
    std::string name = "capture stream on fd " + std::to_string(fd);
    int rc = drain(r, sig, name, [&](const wire::CaptureRecord& rec) {
        // The writer is created at the first record, when the stream's resolution is known.
        if (!w)
            w = wire::CaptureWriter::create(
                out, format, r.nanosecond() || format == wire::CaptureFormat::Pcapng);
        w->write(rec);
        if (w->error()) return false;
        return count < 0 || w->records() < static_cast<uint64_t>(count);
    });
    if (!w) w = wire::CaptureWriter::create(out, format, format == wire::CaptureFormat::Pcapng);
    int fin = finish_capture(*w, owned, path);
    return rc ? rc : fin;
}

int print_file(const std::string& path, const DecodeOptions& opts) {
    UniqueFd owned;
    int fd = STDIN_FILENO;
    if (path != "-") {
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            report_errno("open " + path, errno);
            return 1;
        }
        owned = UniqueFd(fd);
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    StopSignals sig(/*block=*/false);
    Printer p(opts);
    wire::FdSource src(fd);
    src.stop_on_eintr = true;
    wire::CaptureReader r(src);
    bool bad_link = false;
    int rc = drain(r, sig, path, [&](const wire::CaptureRecord& rec) {
        if (r.linktype() != wire::linktype::kEthernet) {
            bad_link = true;
            return false;
        }
        p.frame(rec.data, rec.ts_sec, rec.ts_nsec, rec.orig_len, r.nanosecond());
        return !p.done();
    });
    if (bad_link) {
        report(path, "link type " + std::to_string(r.linktype()) + " is not Ethernet (1)");
        rc = 1;
    }
    int out = p.finish();
    return rc ? rc : out;
}

}  // namespace tapd::cli
