// Test-only fault injection: with -Dfault_injection=true, TAPD_FAULT_AT=STEP makes tapd die
// (SIGKILL-like _exit) right after STEP of a create, to test crash recovery.
#pragma once

namespace tapd {

#ifdef TAPD_FAULT_INJECTION
void fault_point(const char* step);
#else
inline void fault_point(const char*) {}
#endif

}  // namespace tapd
