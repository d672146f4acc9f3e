// TimeFormatter: capture timestamps as tcpdump prints them, in local time.
#pragma once

#include <cstdint>

#include "print/text_buffer.hpp"

namespace tapd::print {

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

}  // namespace tapd::print
