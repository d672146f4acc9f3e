// One-line logging to stderr, with sd-daemon priority prefixes when stderr is the journal.
#pragma once

#include <string>

namespace tapd::log {

void info(const std::string& line);
void warn(const std::string& line);
void error(const std::string& line);

// Quotes a value for a key=value log line when it holds spaces, quotes or control bytes.
std::string value(const std::string& v);

}  // namespace tapd::log
