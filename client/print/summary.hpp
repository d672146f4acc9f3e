// The one-line text of a decoded frame, as tcpdump -nS prints it.
#pragma once

#include "print/frame_meta.hpp"
#include "print/text_buffer.hpp"
#include "print/time_format.hpp"
#include "wire/decode.hpp"

namespace tapd::print {

// The protocol part of tcpdump -nS's line (absolute sequence numbers, no application-layer
// decoding, VLAN tags not shown), e.g. "IP 192.168.69.1.40000 > 203.0.113.1.7777: UDP, length 5".
// A malformed frame ends with " [|layer: reason (offset N)]".
void write_summary(TextBuffer& out, const wire::Decoded& d);

// Timestamp, summary and newline.
void write_summary_line(TextBuffer& out, TimeFormatter& tf, const wire::Decoded& d,
                        const FrameMeta& m);

}  // namespace tapd::print
