// The capture streamers as tapd sees them: fork, pidfd, the ready report, stop and reap.
#include "capture.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "capture_stream.hpp"
#include "log.hpp"
#include "pcap_format.hpp"

namespace tapd {

namespace {

constexpr int kSocketBuffer = 4 << 20;  // the stream's send buffer

// Buffer sizes need CAP_NET_ADMIN beyond net.core.[rw]mem_max; fall back to what is allowed.
void grow_buffer(int fd, int force_opt, int opt) {
    if (::setsockopt(fd, SOL_SOCKET, force_opt, &kSocketBuffer, sizeof kSocketBuffer) != 0)
        ::setsockopt(fd, SOL_SOCKET, opt, &kSocketBuffer, sizeof kSocketBuffer);
}

// Closes every fd but the ones in KEEP (the child must not hold the bus, netlink or nft sockets).
void close_all_but(std::vector<int> keep) {
    std::sort(keep.begin(), keep.end());
    unsigned next = 0;
    for (int fd : keep) {
        if (static_cast<unsigned>(fd) > next) ::close_range(next, static_cast<unsigned>(fd) - 1, 0);
        next = static_cast<unsigned>(fd) + 1;
    }
    ::close_range(next, ~0U, 0);
}

}  // namespace

Result<std::unique_ptr<Captures>> Captures::open() {
    UniqueFd exits(::epoll_create1(EPOLL_CLOEXEC));
    if (!exits)
        return make_error(ErrorKind::Failed, errno_text("epoll for capture streamers", errno));
    // Streamers are reaped by the kernel as they exit (tapd never waits for children otherwise);
    // pidfds, not pids, name them, so a recycled pid is never signalled.
    struct sigaction sa {};
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = SA_NOCLDWAIT;
    ::sigaction(SIGCHLD, &sa, nullptr);
    return std::unique_ptr<Captures>(new Captures(std::move(exits)));
}

Captures::~Captures() {
    for (auto& s : streamers_) ::syscall(SYS_pidfd_send_signal, s.pidfd.get(), SIGKILL, nullptr, 0);
}

Status Captures::start(const std::string& ifname, int ifindex, uid_t uid, const CaptureOptions& o,
                       Done done) {
    reap();
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        return make_error(ErrorKind::Failed,
                          errno_text("socketpair for capture of '" + ifname + "'", errno));
    UniqueFd ours(pair[0]), theirs(pair[1]);
    // The stream goes one way: the client cannot write into the streamer.
    ::shutdown(theirs.get(), SHUT_WR);
    grow_buffer(ours.get(), SO_SNDBUFFORCE, SO_SNDBUF);
    // The file header goes in now, from tapd: a client always reads one, even when the streamer
    // is stopped before it ever runs (tapd exits, the tap goes). 24 bytes into an empty stream
    // socket never block.
    pcap::FileHeader header;  // microseconds, as the streamer asks libpcap for
    header.snaplen = o.snaplen;
    if (::send(ours.get(), &header, sizeof header, MSG_DONTWAIT | MSG_NOSIGNAL) !=
        static_cast<ssize_t>(sizeof header))
        return make_error(ErrorKind::Failed,
                          errno_text("writing the pcap header for '" + ifname + "'", errno));
    int go[2], ready[2];
    if (::pipe2(go, O_CLOEXEC) != 0)
        return make_error(ErrorKind::Failed,
                          errno_text("pipe2 for capture of '" + ifname + "'", errno));
    UniqueFd go_read(go[0]), go_write(go[1]);
    if (::pipe2(ready, O_CLOEXEC | O_NONBLOCK) != 0)
        return make_error(ErrorKind::Failed,
                          errno_text("pipe2 for capture of '" + ifname + "'", errno));
    UniqueFd ready_read(ready[0]), ready_write(ready[1]);

    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0)
        return make_error(ErrorKind::Failed,
                          errno_text("fork for capture of '" + ifname + "'", errno));
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(1);
        // Not ptrace-able or dumpable by anyone but root: it holds an AF_PACKET socket.
        ::prctl(PR_SET_DUMPABLE, 0);
        close_all_but({0, 1, 2, ours.get(), go_read.get(), ready_write.get()});
        // Wait until tapd holds our pidfd (we must not exit before: the pid could be reused).
        char byte;
        if (::read(go_read.get(), &byte, 1) != 1) ::_exit(1);
        ::close(go_read.get());
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);  // tapd blocks SIGTERM for its signalfd
        run_streamer({ifname, ifindex, o.snaplen, o.filter, ours.get(), ready_write.get()});
    }
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd) {
        int err = errno;
        ::kill(pid, SIGKILL);  // still waiting for the go byte: cannot have exited
        return make_error(ErrorKind::Failed,
                          errno_text("pidfd_open for capture of '" + ifname + "'", err));
    }
    // Watched before it may exit, so that no exit or report goes unnoticed; the pidfd is readable
    // (EPOLLIN) once it has exited, the ready pipe once the streamer has reported.
    for (int fd : {pidfd.get(), ready_read.get()}) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        if (::epoll_ctl(exits_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
            int err = errno;
            ::syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0);
            ::epoll_ctl(exits_.get(), EPOLL_CTL_DEL, ready_read.get(), nullptr);
            return make_error(ErrorKind::Failed,
                              errno_text("watching the capture streamer of '" + ifname + "'", err));
        }
    }
    if (::write(go_write.get(), "g", 1) != 1) {
        int err = errno;
        ::syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0);
        ::epoll_ctl(exits_.get(), EPOLL_CTL_DEL, ready_read.get(), nullptr);
        return make_error(ErrorKind::Failed,
                          errno_text("starting capture of '" + ifname + "'", err));
    }
    streamers_.push_back({ifname, uid, pid, std::move(pidfd), std::move(ready_read),
                          std::move(theirs), std::move(done)});
    return {};
}

void Captures::finish_start(Streamer& s) {
    char msg[kMaxReadyMessage];
    ssize_t n = ::read(s.ready.get(), msg, sizeof msg);
    ::epoll_ctl(exits_.get(), EPOLL_CTL_DEL, s.ready.get(), nullptr);
    s.ready.reset();
    Done done = std::move(s.done);
    s.done = nullptr;
    if (n >= 1 && msg[0] == kStreamerReady) {
        log::info("capture of tap=" + s.ifname + " started: streamer pid=" + std::to_string(s.pid));
        done(std::move(s.client));
        return;
    }
    s.client.reset();
    ::syscall(SYS_pidfd_send_signal, s.pidfd.get(), SIGKILL, nullptr, 0);
    if (n < 1) {
        done(make_error(ErrorKind::Failed,
                        "the capture streamer of '" + s.ifname + "' ended before it was ready"));
        return;
    }
    std::string text(msg + 1, static_cast<size_t>(n) - 1);
    done(make_error(msg[0] == kStreamerBadFilter ? ErrorKind::InvalidArgument : ErrorKind::Failed,
                    text));
}

void Captures::stop(const std::string& ifname) {
    reap();
    for (auto it = streamers_.begin(); it != streamers_.end();) {
        if (it->ifname != ifname) {
            ++it;
            continue;
        }
        ::syscall(SYS_pidfd_send_signal, it->pidfd.get(), SIGKILL, nullptr, 0);
        log::info("capture of tap=" + ifname + " stopped: streamer pid=" + std::to_string(it->pid));
        if (it->done) {
            ::epoll_ctl(exits_.get(), EPOLL_CTL_DEL, it->ready.get(), nullptr);
            Done done = std::move(it->done);
            it = streamers_.erase(it);
            done(make_error(ErrorKind::NotFound,
                            "tap '" + ifname + "' was deleted while its capture started"));
            continue;
        }
        it = streamers_.erase(it);
    }
}

void Captures::stop_starting(const std::string& why) {
    reap();
    for (auto it = streamers_.begin(); it != streamers_.end();) {
        if (!it->done) {
            ++it;
            continue;
        }
        ::syscall(SYS_pidfd_send_signal, it->pidfd.get(), SIGKILL, nullptr, 0);
        ::epoll_ctl(exits_.get(), EPOLL_CTL_DEL, it->ready.get(), nullptr);
        Done done = std::move(it->done);
        it = streamers_.erase(it);
        done(make_error(ErrorKind::Failed, why));
    }
}

void Captures::reap() {
    // A ready pipe is readable once its streamer has reported (or exited); a pidfd once its
    // process has exited. Closing a pidfd also takes it out of exits_, which stays readable only
    // while another report or exit is left.
    for (auto& s : streamers_) {
        pollfd p{s.ready.get(), POLLIN, 0};
        if (s.ready && ::poll(&p, 1, 0) == 1) finish_start(s);
    }
    for (auto it = streamers_.begin(); it != streamers_.end();) {
        pollfd p{it->pidfd.get(), POLLIN, 0};
        if (::poll(&p, 1, 0) != 1) {
            ++it;
            continue;
        }
        // Exited without a report that reached us (another child may still hold its pipe).
        if (it->ready) finish_start(*it);
        it = streamers_.erase(it);
    }
}

size_t Captures::running_for(uid_t uid) const {
    return static_cast<size_t>(std::count_if(streamers_.begin(), streamers_.end(),
                                             [uid](const Streamer& s) { return s.uid == uid; }));
}

}  // namespace tapd
