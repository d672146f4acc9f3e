// The verbose text of a decoded frame: every field of every layer.
#pragma once

#include "print/frame_meta.hpp"
#include "print/text_buffer.hpp"
#include "print/time_format.hpp"
#include "wire/decode.hpp"

namespace tapd::print {

// Multi-line dump of every decoded field, one block per layer, then a hex dump of the payload
// after the last decoded header and a blank line.
void write_verbose(TextBuffer& out, TimeFormatter& tf, const wire::Decoded& d, const FrameMeta& m);

}  // namespace tapd::print
