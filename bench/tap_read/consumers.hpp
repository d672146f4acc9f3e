// The tap readers tap_read_bench compares, each run as a child process: TapReader, a plain
// read() loop and io_uring multishot reads (as an unprivileged uid, on the inherited tap fd),
// and root's tcpdump on the same tap.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace tapd::bench {

enum class Kind { TapReader, PlainRead, Uring, Tcpdump };

const char* kind_name(Kind k);

struct ConsumerResult {
    uint64_t frames = 0;        // frames the consumer got
    uint64_t kernel_drops = 0;  // tcpdump's "dropped by kernel" (the fd readers: see the tap's)
    double cpu_seconds = 0;     // the consumer's user + system time
    std::string error;          // why it could not run, or ""
};

// One running consumer. Made by start(), which returns once it is ready to read.
class Consumer {
  public:
    // KIND reading the tap IFNAME / fd TAP on CPU (-1: any); the fd readers as UID.
    static Consumer start(Kind kind, int tap, const std::string& ifname, int cpu, uid_t uid);
    Consumer(Consumer&& o) noexcept;
    Consumer& operator=(Consumer&&) = delete;
    ~Consumer();
    // Stops it (SIGTERM; tcpdump SIGINT) and collects what it counted.
    ConsumerResult stop();

  private:
    Consumer(Kind kind, pid_t pid, int pipe) : kind_(kind), pid_(pid), pipe_(pipe) {}
    Kind kind_;
    pid_t pid_ = -1;
    int pipe_ = -1;      // the fd readers' result, tcpdump's stderr
    std::string early_;  // what tcpdump printed before it was ready
};

}  // namespace tapd::bench
