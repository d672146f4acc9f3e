// The capture streamer: an AF_PACKET socket on one tap, copied as a pcap stream by a child process.
#include "capture.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "log.hpp"
#include "pcap_format.hpp"

namespace tapd {

namespace {

constexpr int kSocketBuffer = 4 << 20;  // AF_PACKET receive and stream send buffers

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

// Every capability goes: the open socket is all the child needs. Under tapd.service's system-call
// filter capset() is refused (@privileged); the child then keeps tapd's two capabilities and
// still runs sandboxed by the unit.
void drop_capabilities() {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    if (::syscall(SYS_capset, &header, data) != 0)
        ::dprintf(2, "tapd capture[%d]: capset: %s; keeping tapd's capabilities\n", ::getpid(),
                  std::strerror(errno));
}

// Child main: copies frames from PACKET into OUT as pcap records until OUT's reader goes or the
// interface is deleted. Never parses a frame: only the kernel's length and timestamp are used.
[[noreturn]] void stream(int packet, int out, const std::string& ifname, int ifindex,
                         uint32_t snaplen) {
    std::vector<char> frame(snaplen);
    std::vector<char> pending;  // the unsent rest of one record (a stream must never hold half)
    size_t sent = 0;
    unsigned long frames = 0, dropped_slow = 0;
    const char* reason = "stopped";

    // Returns false when the reader is gone.
    auto flush = [&]() -> bool {
        while (sent < pending.size()) {
            ssize_t n = ::send(out, pending.data() + sent, pending.size() - sent,
                               MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
            sent += static_cast<size_t>(n);
        }
        pending.clear();
        sent = 0;
        return true;
    };

    for (;;) {
        if (!flush()) {
            reason = "client closed the stream";
            break;
        }
        pollfd fds[2] = {{packet, POLLIN, 0},
                         {out, static_cast<short>(pending.empty() ? 0 : POLLOUT), 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            reason = "poll failed";
            break;
        }
        if (fds[1].revents & (POLLHUP | POLLERR)) {
            reason = "client closed the stream";
            break;
        }
        if (fds[0].revents & POLLERR) {
            // NETDEV_DOWN sets ENETDOWN on a bound packet socket; the tap being deleted is the
            // only way tapd's taps go down. Went the interface, so does the capture.
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(packet, SOL_SOCKET, SO_ERROR, &err, &len);
            char name[IF_NAMESIZE];
            if (!::if_indextoname(static_cast<unsigned>(ifindex), name) || ifname != name) {
                reason = "the tap was deleted";
                break;
            }
            continue;
        }
        if (!(fds[0].revents & POLLIN)) continue;
        iovec iov{frame.data(), frame.size()};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timeval))];
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        // MSG_TRUNC: the frame's whole length even when only snaplen bytes are copied.
        ssize_t n = ::recvmsg(packet, &msg, MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0) continue;
        ++frames;
        if (!pending.empty()) {  // the client is behind: drop this frame, never block
            ++dropped_slow;
            continue;
        }
        timeval tv{};
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMP)
                std::memcpy(&tv, CMSG_DATA(c), sizeof tv);
        pcap::RecordHeader rec;
        rec.ts_sec = static_cast<uint32_t>(tv.tv_sec);
        rec.ts_frac = static_cast<uint32_t>(tv.tv_usec);
        rec.orig_len = static_cast<uint32_t>(n);
        rec.incl_len = std::min(rec.orig_len, snaplen);
        pending.assign(reinterpret_cast<const char*>(&rec),
                       reinterpret_cast<const char*>(&rec) + sizeof rec);
        pending.insert(pending.end(), frame.data(), frame.data() + rec.incl_len);
    }
    tpacket_stats stats{};
    socklen_t len = sizeof stats;
    ::getsockopt(packet, SOL_PACKET, PACKET_STATISTICS, &stats, &len);
    ::dprintf(2,
              "tapd capture[%d]: tap=%s ended: %s; frames=%lu dropped_slow_client=%lu "
              "dropped_kernel=%u\n",
              ::getpid(), ifname.c_str(), reason, frames, dropped_slow, stats.tp_drops);
    ::_exit(0);
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

Result<UniqueFd> Captures::start(const std::string& ifname, int ifindex, uid_t uid,
                                 const CaptureOptions& o) {
    reap();
    // Protocol 0 at socket(): nothing is queued until bind() names the tap and ETH_P_ALL.
    UniqueFd packet(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
    if (!packet)
        return make_error(ErrorKind::Failed,
                          errno_text("AF_PACKET socket for '" + ifname + "'", errno));
    grow_buffer(packet.get(), SO_RCVBUFFORCE, SO_RCVBUF);
    int on = 1;
    if (::setsockopt(packet.get(), SOL_SOCKET, SO_TIMESTAMP, &on, sizeof on) != 0)
        return make_error(ErrorKind::Failed, errno_text("SO_TIMESTAMP " + ifname, errno));
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);  // both directions: PACKET_OUTGOING included
    sll.sll_ifindex = ifindex;
    if (::bind(packet.get(), reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0)
        return make_error(ErrorKind::Failed,
                          errno_text("bind AF_PACKET to '" + ifname + "'", errno));

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
    pcap::FileHeader header;  // microseconds: SO_TIMESTAMP's resolution
    header.snaplen = o.snaplen;
    if (::send(ours.get(), &header, sizeof header, MSG_DONTWAIT | MSG_NOSIGNAL) !=
        static_cast<ssize_t>(sizeof header))
        return make_error(ErrorKind::Failed,
                          errno_text("writing the pcap header for '" + ifname + "'", errno));
    int go[2];
    if (::pipe2(go, O_CLOEXEC) != 0)
        return make_error(ErrorKind::Failed,
                          errno_text("pipe2 for capture of '" + ifname + "'", errno));
    UniqueFd go_read(go[0]), go_write(go[1]);

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
        close_all_but({0, 1, 2, packet.get(), ours.get(), go_read.get()});
        // Wait until tapd holds our pidfd (we must not exit before: the pid could be reused).
        char byte;
        if (::read(go_read.get(), &byte, 1) != 1) ::_exit(1);
        ::close(go_read.get());
        drop_capabilities();
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);  // tapd blocks SIGTERM for its signalfd
        stream(packet.get(), ours.get(), ifname, ifindex, o.snaplen);
    }
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd) {
        int err = errno;
        ::kill(pid, SIGKILL);  // still waiting for the go byte: cannot have exited
        return make_error(ErrorKind::Failed,
                          errno_text("pidfd_open for capture of '" + ifname + "'", err));
    }
    // Watched before it may exit, so that no exit goes unnoticed; readable (EPOLLIN) once it has.
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = pidfd.get();
    if (::epoll_ctl(exits_.get(), EPOLL_CTL_ADD, pidfd.get(), &ev) != 0) {
        int err = errno;
        ::syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0);
        return make_error(ErrorKind::Failed,
                          errno_text("watching the capture streamer of '" + ifname + "'", err));
    }
    if (::write(go_write.get(), "g", 1) != 1) {
        int err = errno;
        ::syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0);
        return make_error(ErrorKind::Failed,
                          errno_text("starting capture of '" + ifname + "'", err));
    }
    streamers_.push_back({ifname, uid, pid, std::move(pidfd)});
    log::info("capture of tap=" + ifname + " started: streamer pid=" + std::to_string(pid) +
              " snaplen=" + std::to_string(o.snaplen));
    return theirs;
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
        it = streamers_.erase(it);
    }
}

void Captures::reap() {
    // A pidfd polls readable once its process has exited; closing it also takes it out of
    // exits_, which stays readable only while another exited one is left.
    std::erase_if(streamers_, [](const Streamer& s) {
        pollfd p{s.pidfd.get(), POLLIN, 0};
        return ::poll(&p, 1, 0) == 1;
    });
}

size_t Captures::running_for(uid_t uid) const {
    return static_cast<size_t>(std::count_if(streamers_.begin(), streamers_.end(),
                                             [uid](const Streamer& s) { return s.uid == uid; }));
}

}  // namespace tapd
