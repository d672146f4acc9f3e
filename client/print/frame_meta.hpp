// FrameMeta: what a capture record says about a frame besides its bytes.
#pragma once

#include <cstdint>

namespace tapd::print {

struct FrameMeta {
    uint64_t number = 0;  // 1-based, like tshark's frame.number
    int64_t ts_sec = 0;
    uint32_t ts_nsec = 0;
    uint32_t orig_len = 0;    // length on the wire; >= the captured length
    bool nanosecond = false;  // print 9 fractional digits instead of 6
};

}  // namespace tapd::print
