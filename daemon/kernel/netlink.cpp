// The rtnetlink socket: setup, and the system calls behind NlChannel.
#include "netlink.hpp"

#include <fcntl.h>
#include <sys/socket.h>

#include <cerrno>

#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

namespace tapd {

// The kernel never sends an rtnetlink datagram over 32 KiB (dumps are cut to the reader's buffer,
// at most 32 KiB), so one 64 KiB buffer reads each whole.
static constexpr size_t kReceiveBuffer = 64 * 1024;

Result<std::unique_ptr<NlSocket>> NlSocket::connect() {
    nl_sock* sk = nl_socket_alloc();
    if (!sk) return make_error(ErrorKind::Failed, "nl_socket_alloc: out of memory");
    int err = nl_connect(sk, NETLINK_ROUTE);
    if (err < 0) {
        nl_socket_free(sk);
        return nl_error("connecting to rtnetlink", err);
    }
    // Older libnl opened its socket without SOCK_CLOEXEC; make sure no child inherits it.
    fcntl(nl_socket_get_fd(sk), F_SETFD, FD_CLOEXEC);
    return std::unique_ptr<NlSocket>(new NlSocket(sk));
}

NlSocket::~NlSocket() {
    nl_socket_free(sk_);
}

int NlSocket::fd() const {
    return nl_socket_get_fd(sk_);
}

uint32_t NlSocket::next_seq() {
    return nl_socket_use_seq(sk_);
}

Status NlSocket::send(NlBytes request, const std::string& what) {
    // To the kernel: the socket's default destination (port 0).
    while (::send(fd(), request.data(), request.size(), 0) < 0)
        if (errno != EINTR) return errno_error(ErrorKind::Failed, what + " (sending)", errno);
    return {};
}

Result<NlBytes> NlSocket::receive(const std::string& what) {
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

Result<nl_sock*> open_notifications(int protocol, unsigned group, const std::string& what) {
    nl_sock* sk = nl_socket_alloc();
    if (!sk) return make_error(ErrorKind::Failed, "nl_socket_alloc: out of memory");
    nl_socket_disable_seq_check(sk);
    nl_join_groups(sk, 0);
    if (int err = nl_connect(sk, protocol); err < 0) {
        nl_socket_free(sk);
        return nl_error("connecting for " + what, err);
    }
    fcntl(nl_socket_get_fd(sk), F_SETFD, FD_CLOEXEC);
    if (int err = nl_socket_add_membership(sk, static_cast<int>(group)); err < 0) {
        nl_socket_free(sk);
        return nl_error("joining the group of " + what, err);
    }
    nl_socket_set_nonblocking(sk);
    return sk;
}

Error nl_error(const std::string& what, int nle) {
    int code = nle < 0 ? -nle : nle;
    ErrorKind kind = ErrorKind::Failed;
    switch (code) {
        case NLE_EXIST:
            kind = ErrorKind::Conflict;
            break;
        case NLE_OBJ_NOTFOUND:
        case NLE_NODEV:
            kind = ErrorKind::NotFound;
            break;
        case NLE_INVAL:
        case NLE_RANGE:
            kind = ErrorKind::InvalidArgument;
            break;
        default:
            break;
    }
    return make_error(kind, what + ": " + nl_geterror(code));
}

}  // namespace tapd
