// Capture of a tap for its owner: a forked streamer process reads the tap (libpcap's AF_PACKET
// ring, capture_stream.hpp) and streams it as pcap over a socketpair (AF_PACKET sockets are never
// handed out: they cannot be confined to one interface in a shared netns).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "options.hpp"
#include "result.hpp"
#include "unique_fd.hpp"

namespace tapd {

// The running streamers. Theory of operation: tapd makes a socketpair, writes the pcap header
// into it and forks; the child closes every other fd, dies with tapd (PR_SET_PDEATHSIG), and
// waits until tapd holds its pidfd. Then the child does what capture_stream.hpp describes: opens
// the ring, drops its capabilities, compiles the caller's filter, and reports on a ready pipe.
// tapd never waits for that: start() returns at once and the call is answered (DONE) when the
// report arrives, so neither a slow filter compile nor anything else in the child holds up
// tapd's bus loop; the client gets its end of the stream only from a streamer that is reading
// the tap with the filter attached. Frames are dropped, never queued without bound, when the
// client does not keep up, and tapd's bus loop never touches one. A streamer ends when the
// client closes its end, when the tap is deleted (stop(), and ENETDOWN on the ring with the
// interface gone), or when tapd ends.
// Children are reaped by the kernel (SIGCHLD with SA_NOCLDWAIT) and tracked by pidfd, so a pid
// is never reused under tapd's hand. The pidfds and ready pipes sit in an epoll instance
// (exits_fd()) that tapd's poll loop watches: a report or a streamer's exit wakes tapd, which
// answers the call or closes the pidfd at once (reap()), so an exited streamer holds no fd and
// no place in the counts.
class Captures {
  public:
    // Sets SIGCHLD to SA_NOCLDWAIT and makes the exit watch; fails if epoll cannot be had.
    static Result<std::unique_ptr<Captures>> open();
    ~Captures();  // stops every streamer
    Captures(const Captures&) = delete;
    Captures& operator=(const Captures&) = delete;

    // What a started capture comes to: the client's end of the stream, or why there is none.
    // Called exactly once, from reap() or stop() (never from start() itself), unless tapd ends.
    using Done = std::function<void(Result<UniqueFd>)>;

    // Starts a streamer for tap IFNAME (IFINDEX) on behalf of UID; DONE gets the client's end
    // once the streamer is reading. An error here means DONE is never called.
    Status start(const std::string& ifname, int ifindex, uid_t uid, const CaptureOptions& options,
                 Done done);
    // Stops the streamers of IFNAME (the tap is being deleted); a capture still starting is
    // answered with an error.
    void stop(const std::string& ifname);

    // Stops the captures still starting, answering each with Failed naming WHY (tapd stops).
    void stop_starting(const std::string& why);

    // Readable while a streamer has reported or exited and reap() has not seen it yet.
    int exits_fd() const { return exits_.get(); }
    // Answers the starts whose streamers have reported, and forgets the streamers that have
    // exited, closing their pidfds.
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
        // While starting: the ready pipe, the client's end, and the call to answer.
        UniqueFd ready;
        UniqueFd client;
        Done done;
    };
    // Reads S's report (its ready pipe is readable) and answers its call.
    void finish_start(Streamer& s);
    UniqueFd exits_;  // epoll over the streamers' pidfds
    std::vector<Streamer> streamers_;
};

}  // namespace tapd
