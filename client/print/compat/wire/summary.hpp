// libtapd before the packet library's text forms moved to <tapd/print/...>: the old header, kept
// so that programs written against it still build. New code includes <tapd/print/summary.hpp>
// and <tapd/print/verbose.hpp> and names tapd::print.
#pragma once

#include "print/summary.hpp"
#include "print/verbose.hpp"
#include "wire/text.hpp"

namespace tapd::wire {
using print::FrameMeta;
using print::TimeFormatter;
using print::write_summary;
using print::write_summary_line;
using print::write_verbose;
}  // namespace tapd::wire
