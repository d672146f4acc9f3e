// TAPD_FAULT_AT: kills tapd at a named step of a create (test builds only).
#include "fault.hpp"

#ifdef TAPD_FAULT_INJECTION
#include <signal.h>

#include <cstdlib>
#include <cstring>

namespace tapd {

void fault_point(const char* step) {
    static const char* at = std::getenv("TAPD_FAULT_AT");
    if (at && std::strcmp(at, step) == 0) ::raise(SIGKILL);
}

}  // namespace tapd
#endif
