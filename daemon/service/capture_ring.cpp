// The streamer's libpcap handle on its tap and the caller's filter on it.
#include "capture_ring.hpp"

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

Status attach_filter(const PcapRing& ring, const std::string& expression) {
    auto refused = [&](const char* reason) {
        return make_error(ErrorKind::InvalidArgument,
                          "option 'filter': '" + printable_utf8(expression, kShownExpression) +
                              "': " + printable_utf8(reason, 512));
    };
    bpf_program prog{};
    if (::pcap_compile(ring.get(), &prog, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
        return refused(::pcap_geterr(ring.get()));
    int st = ::pcap_setfilter(ring.get(), &prog);
    ::pcap_freecode(&prog);
    if (st != 0)
        return make_error(ErrorKind::Failed, std::string("attaching the filter: ") +
                                                 printable_utf8(::pcap_geterr(ring.get()), 512));
    return {};
}

}  // namespace tapd
