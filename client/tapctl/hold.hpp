// HoldSignals: an ephemeral lease (create --ephemeral, netns attach --ephemeral) held until
// SIGINT, SIGTERM or SIGHUP. The signals wait (blocked) from construction, so a Ctrl-C during the
// call that makes the lease cannot fail it (EINTR in sd-bus's poll) with the link already made;
// wait() then returns at the first of them. The mask is restored on destruction.
#pragma once

#include <signal.h>

namespace tapd::tapctl {

class HoldSignals {
  public:
    HoldSignals();
    ~HoldSignals();
    HoldSignals(const HoldSignals&) = delete;
    HoldSignals& operator=(const HoldSignals&) = delete;
    // Returns once one of the signals came (at once if it came meanwhile).
    void wait();

  private:
    sigset_t before_{};
};

}  // namespace tapd::tapctl
