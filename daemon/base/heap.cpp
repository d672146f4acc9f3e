// release_free_heap: malloc_trim, and under TAPD_PROFILE the heap's figures after it.
#include "heap.hpp"

#include <malloc.h>

#include <fstream>
#include <string>

#include "log.hpp"
#include "profile.hpp"

namespace tapd {

void release_free_heap() {
    malloc_trim(0);
    if (!StepClock::enabled()) return;
    struct mallinfo2 m = mallinfo2();
    std::string rss = "?";
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmRSS:", 0) == 0) rss = line.substr(line.find_first_not_of(" \t", 6));
    log::info("profile: heap in use " + std::to_string(m.uordblks / 1024) + " KiB, free " +
              std::to_string(m.fordblks / 1024) + " KiB, mmapped " +
              std::to_string(m.hblkhd / 1024) + " KiB; RSS " + rss);
}

void consolidate_heap(size_t taps) {
    StepClock clock("heap consolidated after a call about " + std::to_string(taps) + " taps");
    malloc_trim(0);
}

}  // namespace tapd
