// rtnetlink socket setup and libnl error conversion.
#include "netlink.hpp"

#include <fcntl.h>

#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

namespace tapd {

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
    // libnl peeks at every message to size its buffer, then reads it again: two recvmsg per
    // message. The kernel never sends an rtnetlink datagram over 32 KiB (dumps are cut to the
    // reader's buffer, at most 32 KiB), so one 64 KiB buffer reads each message once.
    if (int e = nl_socket_set_msg_buf_size(sk, 64 * 1024); e < 0) {
        nl_socket_free(sk);
        return nl_error("sizing the rtnetlink buffer", e);
    }
    nl_socket_disable_msg_peek(sk);
    return std::unique_ptr<NlSocket>(new NlSocket(sk));
}

NlSocket::~NlSocket() {
    nl_socket_free(sk_);
}

Status dump(NlSocket& nl, int type, const void* header, size_t header_len,
            const std::function<void(nlmsghdr*)>& each, const std::string& what) {
    if (int err = nl_send_simple(nl.get(), type, NLM_F_DUMP, const_cast<void*>(header),
                                 static_cast<int>(header_len));
        err < 0)
        return nl_error(what, err);
    std::unique_ptr<nl_cb, void (*)(nl_cb*)> cb(nl_cb_clone(nl_socket_get_cb(nl.get())), nl_cb_put);
    if (!cb) return make_error(ErrorKind::Failed, what + ": out of memory");
    auto on_valid = [](nl_msg* msg, void* arg) {
        (*static_cast<const std::function<void(nlmsghdr*)>*>(arg))(nlmsg_hdr(msg));
        return static_cast<int>(NL_OK);
    };
    nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid,
              const_cast<void*>(static_cast<const void*>(&each)));
    if (int err = nl_recvmsgs(nl.get(), cb.get()); err < 0) return nl_error(what, err);
    return {};
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
