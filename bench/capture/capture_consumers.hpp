// The readers capture_bench compares on one flooded tap, each run as its own process: tapctl
// capture -w, tapctl sniff and capture_read (a program on libtapd's capture reader) as uid 65534
// through a tapd (this branch's or an older one), and root's tcpdump -w and tcpdump -n -l on the
// same tap; and the flood itself.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "harness.hpp"

namespace tapd::bench {

enum class Kind {
    TcpdumpWrite,
    Capture,
    CaptureOld,
    TcpdumpLines,
    Sniff,
    SniffOld,
    LibReader  // capture_read: libtapd's capture reader on the outbound capture, counting frames
};

const char* kind_name(Kind k);
// The tcpdump reading that KIND is compared with (itself for tcpdump).
Kind baseline_of(Kind k);
// Whether KIND goes through the older tapd.
inline bool uses_old_tapd(Kind k) {
    return k == Kind::CaptureOld || k == Kind::SniffOld;
}

struct Kept {
    uint64_t frames = 0;        // records in the file, or lines printed
    uint64_t kernel_drops = 0;  // tcpdump's "dropped by kernel" (tapd: see its log)
    double cpu_seconds = 0;     // user + system time of the reader's processes (tapd's streamer
                                // and tapctl, or tcpdump) until it was stopped
    std::string error;          // why it could not run, or ""
};

// One running reader of tap IFNAME. start() returns once it reads (tcpdump said "listening on",
// tapd logged the streamer as started).
class Reader {
  public:
    // ENV: the world whose tap it reads (its tapd, namespace and bus); DIR: a directory where
    // uid 65534 may write; CPU: where the reader runs (-1: anywhere).
    static Reader start(Kind kind, test::Env& env, const std::string& ifname,
                        const std::string& dir, int cpu);
    Reader(Reader&& o) noexcept;
    Reader& operator=(Reader&&) = delete;
    ~Reader();
    // Stops it (SIGINT, as Ctrl-C: both flush what they hold) and counts what it kept.
    Kept stop();

  private:
    Reader(Kind kind, pid_t pid, std::string out, std::string err)
        : kind_(kind), pid_(pid), out_(std::move(out)), err_(std::move(err)) {}
    Kind kind_;
    pid_t pid_ = -1;
    pid_t streamer_ = -1;    // tapd's streamer feeding it (tapctl readers)
    std::string out_, err_;  // its capture file or stdout; its stderr
    std::string early_;      // why it failed to start
};

// Sends 64-byte frames (UDP to 192.168.69.2:9 out through the tap) from namespace NS for SECONDS
// on CPU (-1: anywhere), in a child process; how many it sent and for how long.
struct Flood {
    uint64_t sent = 0;
    double seconds = 0;
};
Flood flood(const std::string& ns, double seconds, int cpu);

// Records in the pcap file PATH (microsecond or nanosecond, either byte order).
uint64_t pcap_records(const std::string& path);

}  // namespace tapd::bench
