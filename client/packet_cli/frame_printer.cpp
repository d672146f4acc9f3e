// FramePrinter: one decode and one text form per frame, into a buffered stdout.
#include "packet_cli/frame_printer.hpp"

#include <unistd.h>

#include <cerrno>

#include "packet_cli/report.hpp"
#include "print/json.hpp"
#include "print/summary.hpp"
#include "print/verbose.hpp"

namespace tapd::cli {

FramePrinter::FramePrinter(const DecodeOptions& o) : opts_(o), out_(STDOUT_FILENO) {}

void FramePrinter::frame(wire::Bytes data, int64_t sec, uint32_t nsec, uint32_t orig_len, bool ns) {
    // Only JSON and the verbose dump show checksum verdicts; summaries skip the pass over the
    // payload.
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

bool FramePrinter::done() const {
    return (opts_.count >= 0 && count_ >= static_cast<uint64_t>(opts_.count)) || out_.error();
}

int FramePrinter::finish() {
    out_.flush();
    if (out_.error() && out_.error() != EPIPE) {
        report_errno("writing to stdout", out_.error());
        return 1;
    }
    return 0;
}

}  // namespace tapd::cli
