// RTM_GETLINK for one link's counters: request, bounds-checked reply parser, and the socket.
#include "link_stats.hpp"

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace tapd {

namespace {

// Netlink aligns messages and attributes to 4 bytes (NLMSG_ALIGN, RTA_ALIGN).
constexpr size_t align4(size_t n) {
    return (n + 3) & ~size_t{3};
}

template <class T>
T load(std::span<const std::byte> b, size_t at) {
    T v;
    std::memcpy(&v, b.data() + at, sizeof v);
    return v;
}

void put_attr(std::vector<std::byte>& out, uint16_t type, const void* data, size_t len) {
    rtattr a{};
    a.rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
    a.rta_type = type;
    size_t at = out.size();
    out.resize(at + align4(a.rta_len));
    std::memcpy(out.data() + at, &a, sizeof a);
    std::memcpy(out.data() + at + RTA_LENGTH(0), data, len);
}

// The attributes of one RTM_NEWLINK body (after its ifinfomsg) into C; false if one is cut.
bool parse_link_attrs(std::span<const std::byte> attrs, LinkCounters& c, bool& have_stats) {
    size_t at = 0;
    while (at + sizeof(rtattr) <= attrs.size()) {
        auto a = load<rtattr>(attrs, at);
        if (a.rta_len < sizeof(rtattr) || a.rta_len > attrs.size() - at) return false;
        auto payload = attrs.subspan(at + RTA_LENGTH(0), a.rta_len - RTA_LENGTH(0));
        switch (a.rta_type) {
            case IFLA_IFNAME: {
                const char* p = reinterpret_cast<const char*>(payload.data());
                c.name.assign(p, strnlen(p, payload.size()));
                break;
            }
            case IFLA_ADDRESS:
                if (payload.size() == c.mac.size()) {
                    std::memcpy(c.mac.data(), payload.data(), c.mac.size());
                    c.has_mac = true;
                }
                break;
            case IFLA_STATS64:
                // Older kernels send a shorter struct; the four counters we use lead it.
                if (payload.size() >= offsetof(rtnl_link_stats64, tx_dropped) + 8) {
                    c.rx_packets = load<uint64_t>(payload, offsetof(rtnl_link_stats64, rx_packets));
                    c.tx_packets = load<uint64_t>(payload, offsetof(rtnl_link_stats64, tx_packets));
                    c.rx_dropped = load<uint64_t>(payload, offsetof(rtnl_link_stats64, rx_dropped));
                    c.tx_dropped = load<uint64_t>(payload, offsetof(rtnl_link_stats64, tx_dropped));
                    have_stats = true;
                }
                break;
            default:
                break;
        }
        at += align4(a.rta_len);
    }
    return true;
}

}  // namespace

std::vector<std::byte> link_request(const std::string& name, uint32_t seq) {
    std::vector<std::byte> out(NLMSG_LENGTH(sizeof(ifinfomsg)));
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    std::memcpy(out.data() + NLMSG_HDRLEN, &ifi, sizeof ifi);
    // IFLA_IFNAME selects the link when ifi_index is 0; the kernel wants the NUL with it.
    put_attr(out, IFLA_IFNAME, name.c_str(), name.size() + 1);
    nlmsghdr h{};
    h.nlmsg_len = static_cast<uint32_t>(out.size());
    h.nlmsg_type = RTM_GETLINK;
    h.nlmsg_flags = NLM_F_REQUEST;
    h.nlmsg_seq = seq;
    std::memcpy(out.data(), &h, sizeof h);
    return out;
}

LinkReply parse_link_reply(std::span<const std::byte> reply, uint32_t seq) {
    size_t at = 0;
    while (at + sizeof(nlmsghdr) <= reply.size()) {
        auto h = load<nlmsghdr>(reply, at);
        if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > reply.size() - at) break;
        auto body = reply.subspan(at + NLMSG_HDRLEN, h.nlmsg_len - NLMSG_HDRLEN);
        at += align4(h.nlmsg_len);
        if (h.nlmsg_seq != seq) continue;
        if (h.nlmsg_type == NLMSG_ERROR) {
            if (body.size() < sizeof(nlmsgerr)) break;
            int err = load<nlmsgerr>(body, 0).error;
            return {.error = err < 0 ? err : -EBADMSG, .counters = {}};
        }
        if (h.nlmsg_type != RTM_NEWLINK) continue;
        if (body.size() < NLMSG_ALIGN(sizeof(ifinfomsg))) break;
        LinkReply r;
        bool have_stats = false;
        if (!parse_link_attrs(body.subspan(NLMSG_ALIGN(sizeof(ifinfomsg))), r.counters,
                              have_stats) ||
            !have_stats)
            break;
        return r;
    }
    return {.error = -EBADMSG, .counters = {}};
}

LinkStatsSocket::LinkStatsSocket()
    : fd_(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)), buf_(32768) {
    if (!fd_) throw std::system_error(errno, std::generic_category(), "socket(NETLINK_ROUTE)");
}

LinkReply LinkStatsSocket::query(const std::string& name) {
    for (;;) {
        uint32_t seq = ++seq_;
        auto req = link_request(name, seq);
        sockaddr_nl kernel{};
        kernel.nl_family = AF_NETLINK;
        if (::sendto(fd_.get(), req.data(), req.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
                     sizeof kernel) < 0)
            throw std::system_error(errno, std::generic_category(), "RTM_GETLINK '" + name + "'");
        // One answer per request (no NLM_F_DUMP); answers to an earlier query that threw carry
        // an older sequence number and are skipped.
        for (;;) {
            ssize_t n = ::recv(fd_.get(), buf_.data(), buf_.size(), MSG_TRUNC);
            if (n < 0) {
                if (errno == EINTR) continue;
                throw std::system_error(errno, std::generic_category(),
                                        "RTM_GETLINK '" + name + "' reply");
            }
            if (static_cast<size_t>(n) > buf_.size()) {
                // Cut (a link with very many attributes): ask again with room for it.
                buf_.resize(static_cast<size_t>(n));
                break;
            }
            auto reply = std::span(buf_.data(), static_cast<size_t>(n));
            if (n >= static_cast<ssize_t>(sizeof(nlmsghdr)) &&
                load<nlmsghdr>(reply, 0).nlmsg_seq != seq)
                continue;
            return parse_link_reply(reply, seq);
        }
    }
}

}  // namespace tapd
