// Netlink sockets: the system calls behind NlChannel, and notification sockets.
#include "netlink.hpp"
#include "profile.hpp"

#include <linux/netlink.h>
#include <sys/socket.h>

#include <sys/time.h>

#include <cerrno>
#include <ctime>
#include <string>

namespace tapd {

// The kernel never sends an rtnetlink datagram over 32 KiB (dumps are cut to the reader's buffer,
// at most 32 KiB), so one 64 KiB buffer reads each whole.
static constexpr size_t kReceiveBuffer = 64 * 1024;

static Result<UniqueFd> open_netlink(int protocol, int flags, const std::string& what) {
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | flags, protocol));
    if (!fd) return errno_error(ErrorKind::Failed, what + ": socket(AF_NETLINK)", errno);
    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;  // nl_pid 0: the kernel picks a free port
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
        return errno_error(ErrorKind::Failed, what + ": bind", errno);
    return fd;
}

Result<std::unique_ptr<NlSocket>> NlSocket::connect() {
    auto fd = open_netlink(NETLINK_ROUTE, 0, "connecting to rtnetlink");
    if (!fd) return fd.error();
    // Sequence numbers start from the clock, as libnl's did: a reply is matched to its request.
    return std::unique_ptr<NlSocket>(
        new NlSocket(std::move(fd.value()), static_cast<uint32_t>(::time(nullptr))));
}

Result<std::unique_ptr<NlSocket>> NlSocket::adopt(UniqueFd fd, int rcvtimeo_ms) {
    int domain = 0, protocol = 0, type = 0;
    socklen_t len = sizeof domain;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
        return errno_error(ErrorKind::InvalidArgument, "the netlink fd is not a socket", errno);
    len = sizeof protocol;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_PROTOCOL, &protocol, &len);
    len = sizeof type;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_TYPE, &type, &len);
    if (domain != AF_NETLINK || protocol != NETLINK_ROUTE ||
        (type != SOCK_RAW && type != SOCK_DGRAM))
        return make_error(ErrorKind::InvalidArgument,
                          "the netlink fd is not a NETLINK_ROUTE socket (domain " +
                              std::to_string(domain) + ", protocol " + std::to_string(protocol) +
                              ")");
    timeval tv{rcvtimeo_ms / 1000, (rcvtimeo_ms % 1000) * 1000};
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
        return errno_error(ErrorKind::Failed, "SO_RCVTIMEO on the netlink fd", errno);
    return std::unique_ptr<NlSocket>(
        new NlSocket(std::move(fd), static_cast<uint32_t>(::time(nullptr))));
}

Status NlSocket::send(NlBytes request, const std::string& what) {
    KernelCall kernel;
    // To the kernel: a netlink socket's default destination (port 0).
    while (::send(fd(), request.data(), request.size(), 0) < 0)
        if (errno != EINTR) return errno_error(ErrorKind::Failed, what + " (sending)", errno);
    return {};
}

Result<NlBytes> NlSocket::receive(const std::string& what) {
    KernelCall kernel;
    if (buf_.empty()) buf_.resize(kReceiveBuffer);
    sockaddr_nl from{};
    socklen_t from_len = sizeof from;
    ssize_t n;
    while ((n = ::recvfrom(fd(), buf_.data(), buf_.size(), MSG_TRUNC,
                           reinterpret_cast<sockaddr*>(&from), &from_len)) < 0)
        if (errno != EINTR) return errno_error(ErrorKind::Failed, what + " (receiving)", errno);
    if (static_cast<size_t>(n) > buf_.size())
        return make_error(ErrorKind::Failed,
                          what + ": an answer of " + std::to_string(n) + " bytes was cut off");
    if (from.nl_pid != 0) return NlBytes{};  // not the kernel's
    return NlBytes(buf_.data(), static_cast<size_t>(n));
}

Result<UniqueFd> open_notifications(int protocol, unsigned group, const std::string& what) {
    auto fd = open_netlink(protocol, SOCK_NONBLOCK, "listening to " + what);
    if (!fd) return fd;
    int g = static_cast<int>(group);
    if (::setsockopt(fd->get(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof g) < 0)
        return errno_error(ErrorKind::Failed, "joining the group of " + what, errno);
    return fd;
}

Result<std::unique_ptr<NlNotificationSocket>> NlNotificationSocket::open(
    const std::vector<unsigned>& groups, int rcvbuf, const std::string& what) {
    auto fd = open_netlink(NETLINK_ROUTE, SOCK_NONBLOCK, "listening to " + what);
    if (!fd) return fd.error();
    for (unsigned group : groups) {
        int g = static_cast<int>(group);
        if (::setsockopt(fd->get(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof g) < 0)
            return errno_error(ErrorKind::Failed,
                               "joining group " + std::to_string(group) + " of " + what, errno);
    }
    if (::setsockopt(fd->get(), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
        ::setsockopt(fd->get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    return std::unique_ptr<NlNotificationSocket>(
        new NlNotificationSocket(std::move(fd.value()), what));
}

Result<NlBytes> NlNotificationSocket::next() {
    KernelCall kernel;
    if (buf_.empty()) buf_.resize(kReceiveBuffer);
    while (true) {
        sockaddr_nl from{};
        socklen_t from_len = sizeof from;
        ssize_t n = ::recvfrom(fd(), buf_.data(), buf_.size(), MSG_DONTWAIT | MSG_TRUNC,
                               reinterpret_cast<sockaddr*>(&from), &from_len);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return NlBytes{};
            return errno_error(ErrorKind::Failed, "reading " + what_, errno);
        }
        if (static_cast<size_t>(n) > buf_.size())
            return errno_error(ErrorKind::Failed, "reading " + what_ + " (cut off)", ENOBUFS);
        if (from.nl_pid != 0) continue;  // not the kernel's
        if (n == 0) continue;
        return NlBytes(buf_.data(), static_cast<size_t>(n));
    }
}

}  // namespace tapd
