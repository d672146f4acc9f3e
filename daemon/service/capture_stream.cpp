// The capture streamer's child process: ring, privileges, filter, then pcap records in batches.
#include "capture_stream.hpp"

#include <linux/capability.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "capture_ring.hpp"
#include "fault.hpp"
#include "pcap_format.hpp"

namespace tapd {

namespace {

// Records gathered before one send(): large enough that a flood costs one system call per
// thousands of 64-byte frames, small enough to stay in the cache.
constexpr size_t kBatchBytes = 256 << 10;

// Every capability goes: the open ring is all the child needs. Under tapd.service's system-call
// filter capset() is refused (@privileged); the child then keeps tapd's two capabilities and
// still runs sandboxed by the unit.
void drop_capabilities() {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    if (::syscall(SYS_capset, &header, data) != 0)
        ::dprintf(2, "tapd capture[%d]: capset: %s; keeping tapd's capabilities\n", ::getpid(),
                  std::strerror(errno));
}

// Tells tapd KIND (and MESSAGE) on the ready pipe FD, in one write.
void report(int fd, char kind, const std::string& message) {
    std::string m = kind + message.substr(0, kMaxReadyMessage - 1);
    (void)!::write(fd, m.data(), m.size());
}

// What SIGALRM writes while the filter compiles: prepared beforehand (a handler may only write).
int g_alarm_fd = -1;
char g_alarm_message[kMaxReadyMessage];
size_t g_alarm_length = 0;

void on_alarm(int) {
    (void)!::write(g_alarm_fd, g_alarm_message, g_alarm_length);
    ::_exit(1);
}

// Compiles and attaches SPEC's filter within kFilterSeconds, setting *UNFILTERED to the frames
// the stream must skip (attach_filter()); false after reporting why not.
bool filter_in_time(const PcapRing& ring, const StreamerSpec& spec, unsigned long* unfiltered) {
    std::string late = std::string(1, kStreamerBadFilter) + "option 'filter': compiling it took " +
                       "longer than " + std::to_string(kFilterSeconds) + " s";
    g_alarm_length = std::min(late.size(), sizeof g_alarm_message);
    std::memcpy(g_alarm_message, late.data(), g_alarm_length);
    g_alarm_fd = spec.ready;
    struct sigaction sa {};
    sa.sa_handler = on_alarm;
    ::sigaction(SIGALRM, &sa, nullptr);
    ::alarm(kFilterSeconds);
    // Tests hold the compilation open (TAPD_PAUSE_AT=filter_compile:MS): how long libpcap takes
    // depends on the machine.
    pause_point("filter_compile");
    auto st = attach_filter(ring, spec.filter);
    ::alarm(0);
    if (st) {
        *unfiltered = st.value();
        return true;
    }
    report(spec.ready,
           st.error().kind == ErrorKind::InvalidArgument ? kStreamerBadFilter : kStreamerFailed,
           st.error().message);
    return false;
}

// The frames between the ring and the client: whole pcap records, never half of one.
struct Stream {
    pcap_t* ring = nullptr;
    int out = -1;
    uint32_t snaplen = 0;
    std::unique_ptr<char[]> buf;
    size_t capacity = 0;  // kBatchBytes and one more record: the one that found it full
    size_t used = 0;
    unsigned long frames = 0, dropped = 0;
    unsigned long skip = 0;  // frames the ring took before the filter's hold (attach_filter())
    bool reader_gone = false;

    // Sends what the batch holds without blocking, keeping the unsent rest (the socket is
    // full). False when the reader has gone.
    bool flush() {
        size_t sent = 0;
        while (sent < used) {
            ssize_t n = ::send(out, buf.get() + sent, used - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                reader_gone = true;
                return false;
            }
            sent += static_cast<size_t>(n);
        }
        if (sent > 0) {
            std::memmove(buf.get(), buf.get() + sent, used - sent);
            used -= sent;
        }
        return true;
    }

    // One frame from the ring (libpcap's callback).
    static void on_frame(u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
        auto& s = *reinterpret_cast<Stream*>(user);
        if (s.skip > 0) {
            --s.skip;
            return;
        }
        ++s.frames;
        uint32_t incl = std::min(h->caplen, s.snaplen);
        size_t need = sizeof(pcap::RecordHeader) + incl;
        if (s.used + need > kBatchBytes) {
            if (!s.flush()) {
                ::pcap_breakloop(s.ring);
                return;
            }
            if (s.used + need > kBatchBytes) {
                // The client is behind: leave the rest in the ring, where the kernel counts
                // what no longer fits.
                ::pcap_breakloop(s.ring);
                if (s.used + need > s.capacity) {
                    ++s.dropped;
                    return;
                }
            }
        }
        pcap::RecordHeader rec;
        rec.ts_sec = static_cast<uint32_t>(h->ts.tv_sec);
        rec.ts_frac = static_cast<uint32_t>(h->ts.tv_usec);
        rec.incl_len = incl;
        rec.orig_len = h->len;
        std::memcpy(s.buf.get() + s.used, &rec, sizeof rec);
        std::memcpy(s.buf.get() + s.used + sizeof rec, bytes, incl);
        s.used += need;
    }
};

bool tap_still_there(const std::string& ifname, int ifindex) {
    char name[IF_NAMESIZE];
    return ::if_indextoname(static_cast<unsigned>(ifindex), name) && ifname == name;
}

// Copies frames until the client goes or the tap does; returns why it ended.
std::string stream(Stream& s, const std::string& ifname, int ifindex) {
    int packet = ::pcap_get_selectable_fd(s.ring);
    for (;;) {
        if (s.used > 0 && !s.flush()) return "client closed the stream";
        bool behind = s.used > 0;  // the socket is full: wait for it, not for frames
        pollfd fds[2] = {{packet, static_cast<short>(behind ? 0 : POLLIN), 0},
                         {s.out, static_cast<short>(behind ? POLLOUT : 0), 0}};
        // After ENETDOWN libpcap asks to be called again soon, to see whether the tap is gone.
        int timeout = -1;
        if (const timeval* t = ::pcap_get_required_select_timeout(s.ring))
            timeout = std::max(1, static_cast<int>(t->tv_sec * 1000 + t->tv_usec / 1000));
        int n = ::poll(fds, 2, timeout);
        if (n < 0) {
            if (errno == EINTR) continue;
            return std::string("poll: ") + std::strerror(errno);
        }
        if (fds[1].revents & (POLLHUP | POLLERR)) return "client closed the stream";
        if (n > 0 && fds[0].revents == 0) continue;
        int r = ::pcap_dispatch(s.ring, -1, Stream::on_frame, reinterpret_cast<u_char*>(&s));
        if (s.reader_gone) return "client closed the stream";
        // NETDEV_DOWN sets ENETDOWN on the ring's socket; the tap being deleted is the only way
        // tapd's taps go down. Went the interface, so does the capture.
        bool error_seen = n == 0 || (fds[0].revents & POLLERR) || r == PCAP_ERROR;
        if (error_seen && !tap_still_there(ifname, ifindex)) return "the tap was deleted";
        if (r == PCAP_ERROR) return std::string("libpcap: ") + ::pcap_geterr(s.ring);
    }
}

}  // namespace

void run_streamer(const StreamerSpec& spec) {
    auto ring = open_ring(spec.ifname, spec.ifindex, spec.snaplen);
    if (!ring) {
        report(spec.ready, kStreamerFailed, ring.error().message);
        ::_exit(1);
    }
    drop_capabilities();
    unsigned long unfiltered = 0;
    if (!spec.filter.empty() && !filter_in_time(ring.value(), spec, &unfiltered)) ::_exit(1);
    report(spec.ready, kStreamerReady, "");
    ::close(spec.ready);

    Stream s;
    s.ring = ring.value().get();
    s.out = spec.out;
    s.snaplen = spec.snaplen;
    s.skip = unfiltered;
    s.capacity = kBatchBytes + sizeof(pcap::RecordHeader) + spec.snaplen;
    s.buf = std::make_unique<char[]>(s.capacity);
    std::string reason = stream(s, spec.ifname, spec.ifindex);
    pcap_stat stats{};
    ::pcap_stats(s.ring, &stats);
    ::dprintf(2,
              "tapd capture[%d]: tap=%s ended: %s; frames=%lu dropped_slow_client=%lu "
              "dropped_kernel=%u\n",
              ::getpid(), spec.ifname.c_str(), reason.c_str(), s.frames, s.dropped, stats.ps_drop);
    ::_exit(0);
}

}  // namespace tapd
