// Printing frames (tapctl sniff and read): from a tap fd, a pcap stream on an fd, or a file.
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "packet_cli/frame_printer.hpp"
#include "packet_cli/frame_sources.hpp"
#include "packet_cli/packet_cli.hpp"
#include "packet_cli/report.hpp"
#include "packet_cli/stop_signals.hpp"
#include "unique_fd.hpp"

namespace tapd::cli {

int print_frames_from_tap_fd(int fd, const DecodeOptions& opts) {
    StopSignals sig;
    FramePrinter p(opts);
    StoppableSource src(fd, sig, [&] { p.flush(); });
    int rc = read_tap_frames(
        src, sig, fd, [&] { return !p.done(); },
        [&](const TapFrame& f) {
            p.frame(f.data, f.sec, f.nsec, static_cast<uint32_t>(f.data.size()), false);
        });
    int out = p.finish();
    return rc ? rc : out;
}

int print_frames_from_pcap_fd(int fd, const DecodeOptions& opts) {
    StopSignals sig;
    FramePrinter p(opts);
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
    FramePrinter p(opts);
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
