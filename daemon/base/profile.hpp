// StepClock: where a call's time goes, logged per step when TAPD_PROFILE is set (bench/README).
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "log.hpp"

namespace tapd {

// TAPD_PROFILE is set.
inline bool profiling() {
    static const bool on = std::getenv("TAPD_PROFILE") != nullptr;
    return on;
}

// The time this thread has spent in the kernel's calls that KernelCall times, when profiling.
inline std::chrono::steady_clock::duration& kernel_time() {
    thread_local std::chrono::steady_clock::duration total{};
    return total;
}

// Times one call into the kernel (a syscall, or a netlink request and its answer) into
// kernel_time(), so that a profile tells a call's own work from the kernel's. The outermost of
// nested ones counts. Costs one test of a flag unless profiling.
class KernelCall {
  public:
    KernelCall() {
        if (profiling() && depth()++ == 0) start_ = std::chrono::steady_clock::now();
    }
    ~KernelCall() {
        if (profiling() && --depth() == 0)
            kernel_time() += std::chrono::steady_clock::now() - start_;
    }
    KernelCall(const KernelCall&) = delete;
    KernelCall& operator=(const KernelCall&) = delete;

  private:
    static int& depth() {
        thread_local int d = 0;
        return d;
    }
    std::chrono::steady_clock::time_point start_{};
};

class StepClock {
  public:
    explicit StepClock(std::string what) : what_(std::move(what)) {}
    ~StepClock() { done(); }
    // Logs the line now (the destructor then logs nothing).
    // The line ends with the time spent in timed kernel calls (KernelCall) and the rest, the
    // call's own work: "..., kernel calls K ms, own O ms, total T ms", then the page faults the
    // call took (its own time includes them: touching heap that malloc_trim() gave back).
    void done() {
        if (enabled() && !done_) {
            auto total = Clock::now() - start_;
            auto kernel = kernel_time() - kernel_at_start_;
            log::info("profile: " + what_ + line_ + " kernel calls " + ms(kernel) + ", own " +
                      ms(total - kernel) + ", total " + ms(total) + "; page faults " +
                      std::to_string(faults() - faults_at_start_));
            // Each step's own work (its time without the kernel's calls).
            if (!own_line_.empty()) {
                own_line_.pop_back();
                log::info("profile own: " + what_ + own_line_);
            }
        }
        done_ = true;
    }
    // Ends the step named STEP (it began at the previous mark).
    void mark(const char* step) {
        if (!enabled()) return;
        auto now = Clock::now();
        auto kernel = kernel_time();
        line_ += std::string(" ") + step + " " + ms(now - last_) + ",";
        own_line_ +=
            std::string(" ") + step + " " + ms((now - last_) - (kernel - kernel_at_mark_)) + ",";
        last_ = now;
        kernel_at_mark_ = kernel;
    }

    // TAPD_PROFILE is set.
    static bool enabled() { return profiling(); }

  private:
    using Clock = std::chrono::steady_clock;
    static std::string ms(Clock::duration d) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.3f ms",
                      std::chrono::duration<double, std::milli>(d).count());
        return buf;
    }
    static long faults() {
        rusage u{};
        ::getrusage(RUSAGE_THREAD, &u);
        return u.ru_minflt + u.ru_majflt;
    }
    std::string what_, line_, own_line_;
    bool done_ = false;
    long faults_at_start_ = enabled() ? faults() : 0;
    Clock::time_point start_ = Clock::now(), last_ = start_;
    Clock::duration kernel_at_start_ = kernel_time(), kernel_at_mark_ = kernel_at_start_;
};

}  // namespace tapd
