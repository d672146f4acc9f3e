// StepClock: where a call's time goes, logged per step when TAPD_PROFILE is set (bench/README).
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "log.hpp"

namespace tapd {

class StepClock {
  public:
    explicit StepClock(std::string what) : what_(std::move(what)) {}
    ~StepClock() { done(); }
    // Logs the line now (the destructor then logs nothing).
    void done() {
        if (enabled() && !done_)
            log::info("profile: " + what_ + line_ + " total " + ms(Clock::now() - start_));
        done_ = true;
    }
    // Ends the step named STEP (it began at the previous mark).
    void mark(const char* step) {
        if (!enabled()) return;
        auto now = Clock::now();
        line_ += std::string(" ") + step + " " + ms(now - last_) + ",";
        last_ = now;
    }

    // TAPD_PROFILE is set.
    static bool enabled() {
        static const bool on = std::getenv("TAPD_PROFILE") != nullptr;
        return on;
    }

  private:
    using Clock = std::chrono::steady_clock;
    static std::string ms(Clock::duration d) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.3f ms",
                      std::chrono::duration<double, std::milli>(d).count());
        return buf;
    }
    std::string what_, line_;
    bool done_ = false;
    Clock::time_point start_ = Clock::now(), last_ = start_;
};

}  // namespace tapd
