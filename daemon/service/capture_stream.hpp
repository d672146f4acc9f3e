// The capture streamer's own side (the forked child of capture.cpp): it opens the tap's ring,
// drops its capabilities, compiles and attaches the caller's filter, tells tapd whether it is
// ready, and then copies frames to the client as pcap records, many per write.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tapd {

// The one message a streamer writes on its ready pipe: a kind byte, then (for an error) the
// message. At most kMaxReadyMessage bytes, so one write(2) on a pipe (PIPE_BUF) is atomic.
inline constexpr char kStreamerReady = 'k';      // streaming: the client may have its end
inline constexpr char kStreamerBadFilter = 'a';  // InvalidArgument: the filter expression
inline constexpr char kStreamerFailed = 'f';     // Failed: the ring could not be had
inline constexpr size_t kMaxReadyMessage = 1024;

// How long compiling a filter may take: libpcap's compiler is superlinear in the expression
// (a 4 KiB chain of "port N or ..." takes ~40 s of CPU), so the streamer bounds it itself
// (alarm(2)) and tapd, which never compiles, never waits on it.
inline constexpr unsigned kFilterSeconds = 5;

struct StreamerSpec {
    std::string ifname;
    int ifindex = 0;
    uint32_t snaplen = 0;
    std::string filter;  // pcap-filter(7) expression; "" = every frame
    int out = -1;        // our end of the client's stream (the pcap header is already in)
    int ready = -1;      // the ready pipe's write end
};

// Child main. Theory of operation, by stage:
//   1. with tapd's CAP_NET_RAW: libpcap opens the tap's TPACKET_V3 ring (open_ring());
//   2. every capability is dropped; nothing after this needs one (SO_ATTACH_FILTER does not);
//   3. a program that keeps no frame holds the socket while the caller's expression is
//      compiled (the parser never runs with privileges, nor in tapd); the expression's program
//      then replaces it in the kernel, under an alarm of kFilterSeconds, and the few frames
//      stored before the hold are skipped (attach_filter());
//   4. "ready" (or the reason it is not) goes to tapd, which only then hands the client its end;
//   5. frames are copied (their kernel length and timestamp, never parsed) into batches of
//      pcap records, each sent with one non-blocking send(). While the client's socket is full
//      the streamer stops reading: frames wait in the ring and, when it is full, the kernel drops
//      them and counts them (pcap_stats); nothing is queued without bound.
// It ends when the client closes its end, when the tap is deleted, or with tapd (PDEATHSIG),
// logging its counts to stderr.
[[noreturn]] void run_streamer(const StreamerSpec& spec);

}  // namespace tapd
