// FramePrinter: decodes frames and prints them to stdout as a summary line, the verbose dump or
// JSON Lines.
#pragma once

#include <cstdint>

#include "packet_cli/packet_cli.hpp"
#include "print/frame_meta.hpp"
#include "print/text_buffer.hpp"
#include "print/time_format.hpp"
#include "wire/decode.hpp"

namespace tapd::cli {

class FramePrinter {
  public:
    explicit FramePrinter(const DecodeOptions& o);

    // Decodes and prints one frame (orig_len: its length on the wire; ns: print nanoseconds).
    void frame(wire::Bytes data, int64_t sec, uint32_t nsec, uint32_t orig_len, bool ns);
    // The count of frames is reached, or stdout failed.
    bool done() const;
    void flush() { out_.flush(); }
    // Exit code for the output side: a closed pipe (EPIPE) is how `| head` says "enough".
    int finish();

  private:
    DecodeOptions opts_;
    print::TextBuffer out_;
    print::TimeFormatter tf_;
    wire::Decoded decoded_;
    print::FrameMeta meta_;
    uint64_t count_ = 0;
};

}  // namespace tapd::cli
