// Test-only fault injection, compiled in with -Dfault_injection=true (never in a release build):
// TAPD_FAULT_AT=STEP kills tapd (SIGKILL) right after STEP of a create, to test crash recovery;
// TAPD_FAIL_AT=STEP makes STEP fail, to test that a failed create undoes everything;
// TAPD_PAUSE_AT=STEP:MS sleeps MS milliseconds at STEP, to hold a race window open.
#pragma once

#include "result.hpp"

namespace tapd {

#ifdef TAPD_FAULT_INJECTION
void fault_point(const char* step);
Status fail_point(const char* step);
void pause_point(const char* step);
#else
inline void pause_point(const char*) {}
inline void fault_point(const char*) {}
inline Status fail_point(const char*) {
    return {};
}
#endif

}  // namespace tapd
