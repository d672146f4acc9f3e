// libtapd before the packet library's text forms moved to <tapd/print/...>: the old header, kept
// so that programs written against it still build. New code includes <tapd/print/text_buffer.hpp>
// and names tapd::print.
#pragma once

#include "print/text_buffer.hpp"

namespace tapd::wire {
using print::put_dec;
using print::TextBuffer;
}  // namespace tapd::wire
