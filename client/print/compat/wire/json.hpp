// libtapd before the packet library's text forms moved to <tapd/print/...>: the old header, kept
// so that programs written against it still build. New code includes <tapd/print/json.hpp> and
// names tapd::print.
#pragma once

#include "print/json.hpp"
#include "wire/summary.hpp"

namespace tapd::wire {
using print::write_json;
using print::write_json_string;
}  // namespace tapd::wire
