// TAPD_FAULT_AT / TAPD_FAIL_AT: crash or fail at a named step of a create (test builds only).
#include "fault.hpp"

#ifdef TAPD_FAULT_INJECTION
#include <signal.h>

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

}  // namespace tapd
#endif
