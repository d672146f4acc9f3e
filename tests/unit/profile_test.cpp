// Tests for daemon/base/profile.hpp: the profile lines a StepClock logs (TAPD_PROFILE), read back
// with the parser the benches use (bench/bench_stats.hpp).
#include <gtest/gtest.h>

#include <thread>

#include "../../bench/bench_stats.hpp"
#include "profile.hpp"

namespace tapd {
namespace {

using namespace std::chrono_literals;

// Logs one call of two steps, the first with a timed kernel call; the log.
std::string profiled_call() {
    bool was = profiling_switch();
    profiling_switch() = true;
    ::testing::internal::CaptureStderr();
    {
        StepClock clock("TestCall tap0");
        {
            KernelCall kernel;
            std::this_thread::sleep_for(3ms);
        }
        clock.mark("first");
        std::this_thread::sleep_for(1ms);  // not timed as a kernel call: own work
        clock.mark("second");
    }  // the destructor logs
    std::string log = ::testing::internal::GetCapturedStderr();
    profiling_switch() = was;
    return log;
}

TEST(StepClock, LogsEachStepWithTheKernelsShareAndTheRestAsOwnWork) {
    std::string log = profiled_call();
    auto steps = bench::profile_steps(log, "profile: TestCall tap0");
    ASSERT_EQ(steps.order,
              (std::vector<std::string>{"first", "second", "kernel calls", "own", "total"}))
        << log;
    ASSERT_EQ(steps.calls(), 1u);
    auto at = [&](const char* step) { return steps.steps.at(step).ms.at(0); };
    // The sleeps last at least as long as asked; each figure is rounded to 0.001 ms.
    EXPECT_GE(at("first"), 3.0);
    EXPECT_GE(at("kernel calls"), 3.0);
    EXPECT_LE(at("kernel calls"), at("first") + 0.001);
    EXPECT_GE(at("second"), 1.0);
    EXPECT_NEAR(at("own"), at("total") - at("kernel calls"), 0.002);
    EXPECT_GE(at("total") + 0.002, at("first") + at("second"));
    EXPECT_EQ(steps.counts.count("page faults"), 1u) << log;

    // Each step's own work: its time without the kernel's calls inside it.
    auto own = bench::profile_steps(log, "profile own: TestCall tap0");
    ASSERT_EQ(own.order, (std::vector<std::string>{"first", "second"})) << log;
    auto own_at = [&](const char* step) { return own.steps.at(step).ms.at(0); };
    EXPECT_NEAR(own_at("first"), at("first") - at("kernel calls"), 0.002);
    EXPECT_NEAR(own_at("second"), at("second"), 0.001);
}

TEST(StepClock, LogsNothingUnlessProfiling) {
    bool was = profiling_switch();
    profiling_switch() = false;
    ::testing::internal::CaptureStderr();
    {
        StepClock clock("TestCall tap0");
        clock.mark("first");
    }
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
    profiling_switch() = was;
}

TEST(StepClock, ShowsTheFirstSixteenMarksOfACallThatMakesMore) {
    bool was = profiling_switch();
    profiling_switch() = true;
    ::testing::internal::CaptureStderr();
    {
        StepClock clock("TestCall tap0");
        const char* names[] = {"s0",  "s1",  "s2",  "s3",  "s4",  "s5",  "s6",  "s7",  "s8", "s9",
                               "s10", "s11", "s12", "s13", "s14", "s15", "s16", "s17", "s18"};
        for (const char* n : names) clock.mark(n);
    }
    std::string log = ::testing::internal::GetCapturedStderr();
    profiling_switch() = was;
    auto own = bench::profile_steps(log, "profile own: TestCall tap0");
    ASSERT_EQ(own.order.size(), 16u) << log;
    EXPECT_EQ(own.order.front(), "s0");
    EXPECT_EQ(own.order.back(), "s15");
}

}  // namespace
}  // namespace tapd
