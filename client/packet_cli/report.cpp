// report(): the capture commands' messages on stderr.
#include "packet_cli/report.hpp"

#include <cstdio>
#include <cstring>

namespace tapd::cli {

void report(std::string_view what, std::string_view detail) {
    std::fprintf(stderr, "tapctl: %.*s: %.*s\n", static_cast<int>(what.size()), what.data(),
                 static_cast<int>(detail.size()), detail.data());
}

void report_errno(std::string_view what, int err) {
    report(what, std::strerror(err));
}

}  // namespace tapd::cli
