// One-line logging to stderr, with sd-daemon priority prefixes when stderr is the journal.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tapd::log {

// A line is written as valid UTF-8 (printable_utf8) of at most kMaxLine bytes.
inline constexpr size_t kMaxLine = 4096;
// A value in a key=value log line shows at most this many bytes (escapes included).
inline constexpr size_t kMaxValue = 256;

void info(const std::string& line);
void warn(const std::string& line);
void error(const std::string& line);

// Quotes a value for a key=value log line when it holds spaces, quotes, control bytes or
// non-ASCII bytes (those as \xNN, so the value is ASCII). The value is bounded: what does not fit
// in MAX_BYTES is cut and "..." shown in its place, so no caller's argument floods the log.
std::string value(std::string_view v, size_t max_bytes = kMaxValue);

}  // namespace tapd::log
