// Text forms of a decoded frame: tcpdump -nS style one-liners and a verbose every-field dump.
#pragma once

#include <cstdint>

#include "wire/decode.hpp"
#include "wire/text.hpp"

namespace tapd::wire {

// What a capture record says about a frame besides its bytes.
struct FrameMeta {
    uint64_t number = 0;  // 1-based, like tshark's frame.number
    int64_t ts_sec = 0;
    uint32_t ts_nsec = 0;
    uint32_t orig_len = 0;    // length on the wire; >= the captured length
    bool nanosecond = false;  // print 9 fractional digits instead of 6
};

// Formats timestamps as tcpdump does ("HH:MM:SS.uuuuuu", local time), calling localtime_r only
// when the second changes.
class TimeFormatter {
  public:
    void write(TextBuffer& out, int64_t sec, uint32_t nsec, bool nanosecond);
    // "YYYY-MM-DD HH:MM:SS.ffffff" for the verbose form.
    void write_date(TextBuffer& out, int64_t sec, uint32_t nsec, bool nanosecond);

  private:
    void update(int64_t sec);
    int64_t cached_sec_ = INT64_MIN;
    char hms_[8] = {};
    char date_[10] = {};
};

// The protocol part of tcpdump -nS's line (absolute sequence numbers, no application-layer
// decoding, VLAN tags not shown), e.g. "IP 192.168.69.1.40000 > 203.0.113.1.7777: UDP, length 5".
// A malformed frame ends with " [|layer: reason (offset N)]".
void write_summary(TextBuffer& out, const Decoded& d);

// Timestamp, summary and newline.
void write_summary_line(TextBuffer& out, TimeFormatter& tf, const Decoded& d, const FrameMeta& m);

// Multi-line dump of every decoded field, one block per layer, then a hex dump of the payload
// after the last decoded header and a blank line.
void write_verbose(TextBuffer& out, TimeFormatter& tf, const Decoded& d, const FrameMeta& m);

}  // namespace tapd::wire
