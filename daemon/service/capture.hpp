// Capture of a tap for its owner: tapd's own AF_PACKET socket on the tap, streamed as pcap over
// a socketpair by a forked streamer process (AF_PACKET sockets are never handed out: they cannot
// be confined to one interface in a shared netns).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
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
// is never reused under tapd's hand. The pidfds sit in an epoll instance (exits_fd()) that tapd's
// poll loop watches: a streamer's exit wakes tapd, which closes its pidfd at once (reap()), so an
// exited streamer holds no fd and no place in the counts.
class Captures {
  public:
    // Sets SIGCHLD to SA_NOCLDWAIT and makes the exit watch; fails if epoll cannot be had.
    static Result<std::unique_ptr<Captures>> open();
    ~Captures();  // stops every streamer
    Captures(const Captures&) = delete;
    Captures& operator=(const Captures&) = delete;

    // Starts a streamer for tap IFNAME (IFINDEX) on behalf of UID; returns the client's end of
    // the stream.
    Result<UniqueFd> start(const std::string& ifname, int ifindex, uid_t uid,
                           const CaptureOptions& options);
    // Stops the streamers of IFNAME (the tap is being deleted).
    void stop(const std::string& ifname);

    // Readable while a streamer that has exited is not yet reaped.
    int exits_fd() const { return exits_.get(); }
    // Forgets the streamers that have exited, closing their pidfds.
    void reap();
    // Streamers running for UID, and in all (those that exited since the last reap() included).
    size_t running_for(uid_t uid) const;
    size_t running() const { return streamers_.size(); }

  private:
    explicit Captures(UniqueFd exits) : exits_(std::move(exits)) {}
    struct Streamer {
        std::string ifname;
        uid_t uid = 0;
        pid_t pid = -1;  // for logs only: signals go through the pidfd
        UniqueFd pidfd;
    };
    UniqueFd exits_;  // epoll over the streamers' pidfds
    std::vector<Streamer> streamers_;
};

}  // namespace tapd
