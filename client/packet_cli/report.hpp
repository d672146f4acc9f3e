// How the capture commands report a failure: "tapctl: WHAT: DETAIL" on stderr.
#pragma once

#include <string_view>

namespace tapd::cli {

void report(std::string_view what, std::string_view detail);
// DETAIL is strerror(err).
void report_errno(std::string_view what, int err);

}  // namespace tapd::cli
