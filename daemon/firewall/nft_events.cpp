// NftEvents: who changed nf_tables, from the notifications' senders.
#include "nft_events.hpp"

#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "netlink.hpp"

namespace tapd {

bool foreign_nft_change(const void* buf, size_t len, const std::vector<uint32_t>& own) {
    if (own.empty()) return len > 0;
    auto* nh = static_cast<const nlmsghdr*>(buf);
    int left = static_cast<int>(len);
    if (!NLMSG_OK(nh, left)) return len > 0;
    for (; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left))
        if (std::find(own.begin(), own.end(), nh->nlmsg_pid) == own.end()) return true;
    return left != 0;  // bytes that are not a whole message
}

std::vector<uint32_t> own_netfilter_ports() {
    std::vector<uint32_t> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
        int fd = std::atoi(e.path().filename().c_str());
        int protocol = 0;
        socklen_t len = sizeof protocol;
        if (::getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) < 0 ||
            protocol != NETLINK_NETFILTER)
            continue;
        sockaddr_nl addr{};
        len = sizeof addr;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0 &&
            addr.nl_family == AF_NETLINK && addr.nl_pid != 0)
            out.push_back(addr.nl_pid);
    }
    return out;
}

Result<std::unique_ptr<NftEvents>> NftEvents::open() {
    auto sock = open_notifications(NETLINK_NETFILTER, NFNLGRP_NFTABLES, "nf_tables notifications");
    if (!sock) return sock.error();
    return std::unique_ptr<NftEvents>(new NftEvents(std::move(sock.value())));
}

bool NftEvents::drain(const std::vector<uint32_t>& own_ports) {
    bool foreign = false;
    alignas(nlmsghdr) char buf[16384];
    for (;;) {
        ssize_t n = ::recv(fd(), buf, sizeof buf, MSG_DONTWAIT | MSG_TRUNC);
        if (n > 0) {
            // A datagram larger than the buffer was cut: its rest is unknown, so it counts.
            if (static_cast<size_t>(n) > sizeof buf ||
                foreign_nft_change(buf, static_cast<size_t>(n), own_ports))
                foreign = true;
            continue;
        }
        // ENOBUFS: notifications were lost, so something may have changed.
        if (n < 0 && errno == ENOBUFS) {
            foreign = true;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        return foreign;
    }
}

}  // namespace tapd
