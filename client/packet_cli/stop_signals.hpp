// StopSignals: SIGINT and SIGTERM end a capture between frames; StoppableSource: reads that they
// can interrupt.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstddef>
#include <functional>

#include "wire/pcap.hpp"

namespace tapd::cli {

// Catches SIGINT/SIGTERM into a flag. With block set (fds we wait on with ppoll()), they stay
// blocked except inside ppoll(), so a signal can only interrupt the wait, never a half-written
// record. Without it (regular files, where reads do not block for long), the handler runs
// anywhere and loops check stopped() per record. Restores mask and handlers on destruction.
class StopSignals {
  public:
    explicit StopSignals(bool block = true);
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    bool stopped() const;

    enum class Wait { Ready, Stopped, Failed };
    // Waits until fd is readable (timeout_ms -1 = forever, 0 = just look). Ready on timeout
    // too when timeout_ms is 0 and the fd is not readable: callers tell the two apart with
    // readable.
    Wait wait(int fd, int timeout_ms, bool& readable);

  private:
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
    sigset_t old_mask_{};
    sigset_t wait_mask_{};
};

// Reads from fd through ppoll(), so SIGINT ends a blocking read (-1, errno EINTR); calls
// on_idle first whenever no data is waiting: given a flush of the output, it keeps live output
// prompt without a write per frame.
class StoppableSource final : public wire::ByteSource {
  public:
    StoppableSource(int fd, StopSignals& sig, std::function<void()> on_idle)
        : fd_(fd), sig_(sig), on_idle_(std::move(on_idle)) {}
    ssize_t read(void* buf, size_t n) override;

  private:
    int fd_;
    StopSignals& sig_;
    std::function<void()> on_idle_;
};

}  // namespace tapd::cli
