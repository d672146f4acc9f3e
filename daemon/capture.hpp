// Capture of a tap for its owner: tapd's own AF_PACKET socket on the tap, streamed as pcap over
// a socketpair by a forked streamer process (AF_PACKET sockets are never handed out: they cannot
// be confined to one interface in a shared netns).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "options.hpp"
#include "result.hpp"
#include "unique_fd.hpp"

namespace tapd {

// The running streamers. Theory of operation: tapd (CAP_NET_RAW) opens the AF_PACKET socket,
// binds it to the tap and makes a socketpair, then forks; the child closes every other fd, dies
// with tapd (PR_SET_PDEATHSIG), drops every capability it can, and copies frames (kernel length
// and timestamp, never parsing them) into its end as pcap records with non-blocking writes:
// when the client does not keep up, whole frames are dropped and counted, never half records,
// and tapd's bus loop is never involved. It ends when the client closes its end, when the tap is
// deleted (stop(), and ENETDOWN on the socket with the interface gone), or when tapd ends.
// Children are reaped by the kernel (SIGCHLD with SA_NOCLDWAIT) and tracked by pidfd, so a pid
// is never reused under tapd's hand.
class Captures {
  public:
    Captures();
    ~Captures();  // stops every streamer
    Captures(const Captures&) = delete;
    Captures& operator=(const Captures&) = delete;

    // Starts a streamer for tap IFNAME (IFINDEX); returns the client's end of the stream.
    Result<UniqueFd> start(const std::string& ifname, int ifindex, const CaptureOptions& options);
    // Stops the streamers of IFNAME (the tap is being deleted).
    void stop(const std::string& ifname);

  private:
    struct Streamer {
        std::string ifname;
        pid_t pid = -1;
        UniqueFd pidfd;
    };
    void reap();
    std::vector<Streamer> streamers_;
};

}  // namespace tapd
