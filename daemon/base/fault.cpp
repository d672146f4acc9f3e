// TAPD_FAULT_AT / TAPD_FAIL_AT / TAPD_PAUSE_AT: crash, fail or pause at a named step (test builds
// only).
#include "fault.hpp"

#ifdef TAPD_FAULT_INJECTION
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace tapd {

void fault_point(const char* step) {
    static const char* at = std::getenv("TAPD_FAULT_AT");
    if (at && std::strcmp(at, step) == 0) ::raise(SIGKILL);
}

Status fail_point(const char* step) {
    static const char* at = std::getenv("TAPD_FAIL_AT");
    if (at && std::strcmp(at, step) == 0)
        return make_error(ErrorKind::Failed,
                          std::string("injected failure at step '") + step + "'");
    return {};
}

void pause_point(const char* step) {
    static const char* at = std::getenv("TAPD_PAUSE_AT");
    if (!at) return;
    const char* colon = std::strchr(at, ':');
    size_t len = colon ? static_cast<size_t>(colon - at) : std::strlen(at);
    if (std::strlen(step) != len || std::strncmp(at, step, len) != 0) return;
    ::usleep(static_cast<useconds_t>(colon ? std::atol(colon + 1) * 1000 : 0));
}

}  // namespace tapd
#endif
