// release_free_heap: gives the heap's free pages back to the kernel once tapd is idle.
#pragma once

namespace tapd {

// malloc_trim(0): start-up, a listing of the ruleset or a burst of calls leave freed heap in the
// middle of the arena that glibc keeps resident. With TAPD_PROFILE set, logs the heap in use,
// what stays free in it and the RSS (bench/README: where tapd's memory goes).
void release_free_heap();

}  // namespace tapd
