// Link notifications: an rtnetlink socket in RTNLGRP_LINK, parsed by parse_link().
#include "link_watcher.hpp"

#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <vector>

#include "netlink.hpp"

namespace tapd {

Result<std::unique_ptr<LinkWatcher>> LinkWatcher::open() {
    auto sock = open_notifications(NETLINK_ROUTE, RTNLGRP_LINK, "link notifications");
    if (!sock) return sock.error();
    int fd = sock->get();
    // Each tap's creation, carrier change and deletion is a notification of ~1.5 kB: room for a
    // few thousand between two reads (CAP_NET_ADMIN may exceed rmem_max). An overrun is not
    // fatal (drain() says so and the caller looks again), only slower.
    int size = 8 << 20;
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    return std::unique_ptr<LinkWatcher>(new LinkWatcher(std::move(sock.value())));
}

bool LinkWatcher::drain(const std::function<void(const LinkInfo&)>& each) {
    std::vector<char>& buf = buf_;
    bool complete = true;
    // A holder of a tap fd can make notifications at will (SIOCSIFHWADDR needs no capability):
    // at most kMaxReads datagrams a call, then back to the poll loop and the bus.
    for (int reads = 0; reads < kMaxReads; ++reads) {
        ssize_t n = ::recv(fd(), buf.data(), buf.size(), MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOBUFS) {
                complete = false;
                continue;
            }
            break;  // EAGAIN: all read
        }
        if (static_cast<size_t>(n) > buf.size()) {  // cut off: as good as lost
            complete = false;
            continue;
        }
        for_each_message(nl_bytes(buf.data(), static_cast<size_t>(n)), [&](const NlMessage& m) {
            if (m.type() != RTM_NEWLINK) return;
            if (auto l = parse_link(m)) each(*l);
        });
    }
    return complete;
}

}  // namespace tapd
