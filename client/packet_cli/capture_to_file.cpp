// Saving frames (tapctl capture): from a tap fd or a pcap stream on an fd, into a pcap or pcapng
// file or stdout.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "packet_cli/frame_sources.hpp"
#include "packet_cli/packet_cli.hpp"
#include "packet_cli/report.hpp"
#include "packet_cli/stop_signals.hpp"
#include "unique_fd.hpp"

namespace tapd::cli {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Where a capture goes: a file (owned), or stdout; in the format its name says.
struct Output {
    int fd = -1;
    wire::CaptureFormat format = wire::CaptureFormat::Pcap;
    UniqueFd owned;
};

// Opens path for a capture and picks the format from its name; false with a report on failure.
bool open_output(const std::string& path, Output& out) {
    if (path == "-") {
        out.fd = STDOUT_FILENO;
        return true;
    }
    if (ends_with(path, ".pcapng")) {
        out.format = wire::CaptureFormat::Pcapng;
    } else if (!ends_with(path, ".pcap")) {
        report(path, "unknown capture file type; name it *.pcap or *.pcapng (or - for stdout)");
        return false;
    }
    out.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out.fd < 0) {
        report_errno("open " + path, errno);
        return false;
    }
    out.owned = UniqueFd(out.fd);
    return true;
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

}  // namespace

int capture_tap_fd_to_file(int fd, const std::string& path, long count) {
    Output out;
    if (!open_output(path, out)) return 1;
    StopSignals sig;
    const bool pcapng = out.format == wire::CaptureFormat::Pcapng;
    auto w = wire::CaptureWriter::create(out.fd, out.format, pcapng);
    StoppableSource src(fd, sig, [&] { w->flush(); });
    int rc = read_tap_frames(
        src, sig, fd,
        [&] { return (count < 0 || w->records() < static_cast<uint64_t>(count)) && !w->error(); },
        [&](const TapFrame& f) {
            w->write({f.sec, f.nsec, static_cast<uint32_t>(f.data.size()), f.data});
        });
    int fin = finish_capture(*w, out.owned, path);
    return rc ? rc : fin;
}

int capture_pcap_fd_to_file(int fd, const std::string& path, long count) {
    Output out;
    if (!open_output(path, out)) return 1;
    StopSignals sig;
    const bool pcapng = out.format == wire::CaptureFormat::Pcapng;
    std::unique_ptr<wire::CaptureWriter> w;
    // Flushing while no data waits makes a capture to a pipe (-w -) prompt.
    StoppableSource src(fd, sig, [&] {
        if (w) w->flush();
    });
    wire::CaptureReader r(src);
    std::string name = "capture stream on fd " + std::to_string(fd);
    int rc = drain(r, sig, name, [&](const wire::CaptureRecord& rec) {
        // The writer is created at the first record, when the stream's resolution is known.
        if (!w) w = wire::CaptureWriter::create(out.fd, out.format, r.nanosecond() || pcapng);
        w->write(rec);
        if (w->error()) return false;
        return count < 0 || w->records() < static_cast<uint64_t>(count);
    });
    if (!w) w = wire::CaptureWriter::create(out.fd, out.format, pcapng);
    int fin = finish_capture(*w, out.owned, path);
    return rc ? rc : fin;
}

}  // namespace tapd::cli
