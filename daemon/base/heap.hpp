// release_free_heap, consolidate_heap: give the heap's free pages back to the kernel.
#pragma once

#include <cstddef>

namespace tapd {

// malloc_trim(0): start-up, a listing of the ruleset or a burst of calls leave freed heap in the
// middle of the arena that glibc keeps resident. With TAPD_PROFILE set, logs the heap in use,
// what stays free in it and the RSS (bench/README: where tapd's memory goes).
void release_free_heap();
// malloc_trim(0), after the reply to a call that answered about TAPS taps and freed thousands of
// small chunks doing so (a listing of 1,000 taps): glibc would sort them into its bins in the next
// allocation too large for its fast lists, in the middle of the next call (2.5–3 ms measured at
// 1,000 taps). Costs about that once, after the reply, and gives their pages back. With
// TAPD_PROFILE set, logs it.
void consolidate_heap(size_t taps);

}  // namespace tapd
