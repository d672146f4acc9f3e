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

namespace {

// Reads the answer to the request just sent, calling EACH for every valid message.
int receive(NlSocket& nl, const std::function<void(nlmsghdr*)>& each) {
    std::unique_ptr<nl_cb, void (*)(nl_cb*)> cb(nl_cb_clone(nl_socket_get_cb(nl.get())), nl_cb_put);
    if (!cb) return -NLE_NOMEM;
    auto on_valid = [](nl_msg* msg, void* arg) {
        (*static_cast<const std::function<void(nlmsghdr*)>*>(arg))(nlmsg_hdr(msg));
        return static_cast<int>(NL_OK);
    };
    nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid,
              const_cast<void*>(static_cast<const void*>(&each)));
    return nl_recvmsgs(nl.get(), cb.get());
}

}  // namespace

Status dump(NlSocket& nl, int type, const void* header, size_t header_len,
            const std::function<void(nlmsghdr*)>& each, const std::function<void()>& restart,
            const std::string& what) {
    for (int attempt = 1;; ++attempt) {
        if (int err = nl_send_simple(nl.get(), type, NLM_F_DUMP, const_cast<void*>(header),
                                     static_cast<int>(header_len));
            err < 0)
            return nl_error(what, err);
        // libnl reads an interrupted dump to its end before it reports NLE_DUMP_INTR, so the
        // socket holds nothing of it when it is asked again.
        int err = receive(nl, each);
        if (err >= 0) return {};
        if (err != -NLE_DUMP_INTR) return nl_error(what, err);
        if (attempt == kDumpAttempts)
            return nl_error(what + " (interrupted " + std::to_string(attempt) + " times)", err);
        restart();
    }
}

Status get(NlSocket& nl, int type, const void* header, size_t header_len,
           const std::function<void(nlmsghdr*)>& each, const std::string& what) {
    if (int err = nl_send_simple(nl.get(), type, 0, const_cast<void*>(header),
                                 static_cast<int>(header_len));
        err < 0)
        return nl_error(what, err);
    // The answer, then (libnl asks for one) the kernel's ACK; an error answer is the ACK.
    if (int err = receive(nl, each); err < 0) return nl_error(what, err);
    if (int err = nl_wait_for_ack(nl.get()); err < 0) return nl_error(what, err);
    return {};
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
