// StepClock: where a call's time goes, logged per step when TAPD_PROFILE is set (bench/README).
#pragma once

#include <sys/resource.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "log.hpp"

namespace tapd {

// Whether tapd profiles: TAPD_PROFILE is set (tests may turn it on).
inline bool& profiling_switch() {
    static bool on = std::getenv("TAPD_PROFILE") != nullptr;
    return on;
}
inline bool profiling() {
    return profiling_switch();
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
            long faults_taken = faults() - faults_at_start_;
            // Formatted only now: the text of a step, built at its mark, would count as the
            // next step's own work (a fifth of a profiled CreateTap's instructions).
            std::string line, own_line;
            auto last = start_;
            auto kernel_last = kernel_at_start_;
            for (size_t i = 0; i < marks_used_; ++i) {
                const Mark& m = marks_[i];
                line += std::string(" ") + m.step + " " + ms(m.at - last) + ",";
                own_line += std::string(" ") + m.step + " " +
                            ms((m.at - last) - (m.kernel - kernel_last)) +
                            (i + 1 < marks_used_ ? "," : "");
                last = m.at;
                kernel_last = m.kernel;
            }
            log::info("profile: " + what_ + line + " kernel calls " + ms(kernel) + ", own " +
                      ms(total - kernel) + ", total " + ms(total) + "; page faults " +
                      std::to_string(faults_taken));
            // Each step's own work (its time without the kernel's calls).
            if (marks_used_ > 0) log::info("profile own: " + what_ + own_line);
        }
        done_ = true;
    }
    // Ends the step named STEP (it began at the previous mark): one clock reading, nothing
    // formatted until done(). Marks past kMaxMarks are not shown.
    void mark(const char* step) {
        if (!enabled() || marks_used_ == marks_.size()) return;
        marks_[marks_used_++] = {step, Clock::now(), kernel_time()};
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
    struct Mark {
        const char* step;
        Clock::time_point at;
        Clock::duration kernel;
    };
    static constexpr size_t kMaxMarks = 16;
    std::string what_;
    std::array<Mark, kMaxMarks> marks_{};
    size_t marks_used_ = 0;
    bool done_ = false;
    long faults_at_start_ = enabled() ? faults() : 0;
    Clock::time_point start_ = Clock::now();
    Clock::duration kernel_at_start_ = kernel_time();
};

}  // namespace tapd
