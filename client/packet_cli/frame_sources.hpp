// The two loops the capture commands run: over the frames of a tap fd, and over the records of
// a pcap or pcapng stream.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "packet_cli/report.hpp"
#include "packet_cli/stop_signals.hpp"
#include "wire/pcap.hpp"

namespace tapd::cli {

struct TapFrame {
    wire::Bytes data;
    int64_t sec;
    uint32_t nsec;
};

enum class TapRead { Frame, Stopped, End, Failed };

// One frame per read(2) from a tap fd; up to 64 KiB MTU plus Ethernet and VLAN headers.
inline constexpr size_t kTapFrameMax = 65536 + 64;

// One frame from a tap fd read through src into buf (errno set on Failed), timestamped now.
TapRead read_tap_frame(StoppableSource& src, const StopSignals& sig, std::vector<std::byte>& buf,
                       TapFrame& f);

// Reads frames from the tap fd fd through src while more() holds, calling on_frame for each.
// Returns 0 at a stop, at the end or when more() says so, or 1 after reporting a failed read.
template <class More, class OnFrame>
int read_tap_frames(StoppableSource& src, const StopSignals& sig, int fd, More&& more,
                    OnFrame&& on_frame) {
    std::vector<std::byte> buf(kTapFrameMax);
    TapFrame f;
    while (more()) {
        TapRead r = read_tap_frame(src, sig, buf, f);
        if (r == TapRead::Frame) {
            on_frame(f);
            continue;
        }
        if (r == TapRead::Failed) {
            report_errno("read from tap fd " + std::to_string(fd), errno);
            return 1;
        }
        break;
    }
    return 0;
}

// Drains a capture stream, calling on_record for each record until it returns false.
// Returns 0, or 1 after reporting a read or format error against name.
template <class OnRecord>
int drain(wire::CaptureReader& r, StopSignals& sig, const std::string& name, OnRecord&& on_record) {
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

}  // namespace tapd::cli
