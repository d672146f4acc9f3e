// The streamer's libpcap handle on its tap and the caller's filter on it.
#include "capture_ring.hpp"

#include <linux/filter.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include <cerrno>

#include "utf8.hpp"

namespace tapd {

namespace {

// How much of a caller's expression an error quotes.
constexpr size_t kShownExpression = 256;

Error ring_error(const std::string& ifname, const std::string& what, const char* reason) {
    return make_error(ErrorKind::Failed,
                      "capture of '" + ifname + "': " + what + ": " + printable_utf8(reason, 512));
}

}  // namespace

Result<PcapRing> open_ring(const std::string& ifname, int ifindex, uint32_t snaplen) {
    char err[PCAP_ERRBUF_SIZE] = "";
    PcapRing ring(::pcap_create(ifname.c_str(), err));
    pcap_t* p = ring.get();
    if (!p) return ring_error(ifname, "pcap_create", err);
    // Immediate mode stays off: libpcap then uses TPACKET_V3, whose blocks hand over many
    // frames per wakeup; the block timeout bounds a quiet tap's latency.
    ::pcap_set_snaplen(p, static_cast<int>(snaplen));
    ::pcap_set_promisc(p, 0);
    ::pcap_set_timeout(p, kBlockTimeoutMs);
    ::pcap_set_buffer_size(p, kRingBytes);
    ::pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO);  // the stream's resolution
    // Non-blocking from the start (libpcap >= 1.10 takes it before activation): no eventfd for
    // pcap_breakloop() is made; set again below for older ones.
    ::pcap_setnonblock(p, 1, err);
    int st = ::pcap_activate(p);
    if (st < 0)
        return ring_error(ifname, std::string("pcap_activate: ") + ::pcap_statustostr(st),
                          ::pcap_geterr(p));
    if (::pcap_datalink(p) != DLT_EN10MB)
        return ring_error(
            ifname, "link type",
            ("DLT " + std::to_string(::pcap_datalink(p)) + " is not Ethernet").c_str());
    if (::pcap_setnonblock(p, 1, err) != 0) return ring_error(ifname, "pcap_setnonblock", err);
    // pcap_create() looked the name up; the socket must be on the tap that was authorized.
    sockaddr_ll sll{};
    socklen_t len = sizeof sll;
    if (::getsockname(::pcap_get_selectable_fd(p), reinterpret_cast<sockaddr*>(&sll), &len) != 0)
        return errno_error(ErrorKind::Failed, "getsockname of the capture of '" + ifname + "'",
                           errno);
    if (sll.sll_ifindex != ifindex)
        return make_error(ErrorKind::Failed, "tap '" + ifname + "' changed (ifindex " +
                                                 std::to_string(sll.sll_ifindex) + ", not " +
                                                 std::to_string(ifindex) + ")");
    return ring;
}

Result<unsigned long> attach_filter(const PcapRing& ring, const std::string& expression) {
    auto refused = [&](const char* reason) {
        return make_error(ErrorKind::InvalidArgument,
                          "option 'filter': '" + printable_utf8(expression, kShownExpression) +
                              "': " + printable_utf8(reason, 512));
    };
    // Until the program is attached, one that keeps no frame holds the socket, so that nothing
    // unfiltered reaches the ring while the expression compiles.
    int fd = ::pcap_get_selectable_fd(ring.get());
    sock_filter none = BPF_STMT(BPF_RET | BPF_K, 0);
    sock_fprog hold{1, &none};
    if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &hold, sizeof hold) != 0)
        return errno_error(ErrorKind::Failed, "holding the frames of the capture", errno);
    bpf_program prog{};
    if (::pcap_compile(ring.get(), &prog, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
        return refused(::pcap_geterr(ring.get()));
    // The frames stored before the hold: every frame the socket took (those in the ring and
    // those it dropped) minus those dropped. Counted now, long after the hold (the compilation
    // took a while), so that a frame that passed no filter just before it is stored already.
    pcap_stat stats{};
    if (::pcap_stats(ring.get(), &stats) != 0) {
        ::pcap_freecode(&prog);
        return make_error(ErrorKind::Failed, std::string("pcap_stats: ") +
                                                 printable_utf8(::pcap_geterr(ring.get()), 512));
    }
    unsigned long unfiltered = stats.ps_recv - stats.ps_drop;
    // Attached by hand, not by pcap_setfilter(): that one also filters the ring's next block in
    // userland, where "inbound", "outbound" and "ifindex" (the kernel's packet metadata) match
    // nothing, so the first frames such a filter should keep were lost (libpcap issues #1254
    // and #1482). The program replaces the hold in one step. libpcap's programs for Ethernet
    // need no rewriting for the kernel (it rewrites only cooked captures' offsets).
    static_assert(sizeof(bpf_insn) == sizeof(sock_filter));
    sock_fprog kernel{static_cast<unsigned short>(prog.bf_len),
                      reinterpret_cast<sock_filter*>(prog.bf_insns)};
    int st = 0;
    if (prog.bf_len > BPF_MAXINSNS ||
        ::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &kernel, sizeof kernel) != 0) {
        // Too long for the kernel (more than 4,096 instructions, or more than optmem_max
        // bytes): libpcap filters every frame in userland, as tcpdump would, those stored
        // before the hold too, so none is skipped.
        int unused = 0;
        ::setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof unused);
        st = ::pcap_setfilter(ring.get(), &prog);
        unfiltered = 0;
    }
    ::pcap_freecode(&prog);
    if (st != 0)
        return make_error(ErrorKind::Failed, std::string("attaching the filter: ") +
                                                 printable_utf8(::pcap_geterr(ring.get()), 512));
    return unfiltered;
}

}  // namespace tapd
