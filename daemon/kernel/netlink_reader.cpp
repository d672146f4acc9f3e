// ReplyReader's rules for the kernel's answers, and the dump/get/ack loops over an NlChannel.
#include "netlink_reader.hpp"

#include <cerrno>

namespace tapd {

// The kernel's error codes are -errno, -1 to -4095 (MAX_ERRNO); anything else is no errno.
static bool is_errno(int code) {
    return code < 0 && code >= -4095;
}

void ReplyReader::message(const NlMessage& m, const std::function<void(const NlMessage&)>& each) {
    if (state_ != State::Reading || m.seq() != seq_ || m.type() == NLMSG_NOOP) return;
    // The kernel marks any message of a dump, NLMSG_DONE among them, when its table changed.
    if (m.flags() & NLM_F_DUMP_INTR) interrupted_ = true;
    if (m.type() == NLMSG_ERROR) {
        auto e = m.header<int>();  // nlmsgerr opens with the error; the request may be cut off
        if (!e || (*e != 0 && !is_errno(*e))) return fail(0);
        if (*e != 0) return fail(-*e);
        state_ = State::Done;  // an acknowledgement
        return;
    }
    if (m.type() == NLMSG_DONE) {
        // Since Linux 2.6.x NLMSG_DONE carries the dump's own error code (0, or -errno).
        if (auto e = m.header<int>(); e && *e < 0) return fail(is_errno(*e) ? -*e : 0);
        state_ = State::Done;
        return;
    }
    if (m.type() < NLMSG_MIN_TYPE) return fail(0);  // NLMSG_OVERRUN and the reserved types
    if (kind_ == Kind::Ack) return;                 // an echo: only the ack counts
    each(m);
    if (kind_ == Kind::Get && !(m.flags() & NLM_F_MULTI)) state_ = State::Done;
}

ReplyReader::State ReplyReader::feed(NlBytes datagram,
                                     const std::function<void(const NlMessage&)>& each) {
    if (state_ != State::Reading) return state_;
    bool whole = for_each_message(datagram, [&](const NlMessage& m) { message(m, each); });
    if (!whole && state_ == State::Reading) fail(0);
    return state_;
}

Error netlink_error(const std::string& what, int err) {
    ErrorKind kind = ErrorKind::Failed;
    switch (err) {
        case EEXIST:
        case EADDRINUSE:
            kind = ErrorKind::Conflict;
            break;
        case ENOENT:
        case ESRCH:
        case ENODEV:
            kind = ErrorKind::NotFound;
            break;
        case EINVAL:
        case ENOPROTOOPT:
        case EFAULT:
        case ERANGE:
            kind = ErrorKind::InvalidArgument;
            break;
        default:
            break;
    }
    return errno_error(kind, what, err);
}

namespace {

// Reads the answer to the request just sent until READER is done.
Status read_answer(NlChannel& nl, ReplyReader& reader,
                   const std::function<void(const NlMessage&)>& each, const std::string& what) {
    while (reader.state() == ReplyReader::State::Reading) {
        auto datagram = nl.receive(what);
        if (!datagram) return datagram.error();
        reader.feed(datagram.value(), each);
    }
    if (reader.state() == ReplyReader::State::Done) return {};
    if (reader.error()) return netlink_error(what, reader.error());
    return make_error(ErrorKind::Failed, what + ": malformed answer from the kernel");
}

const std::function<void(const NlMessage&)> kIgnore = [](const NlMessage&) {};

}  // namespace

Status dump(NlChannel& nl, uint16_t type, NlBytes family_header,
            const std::function<void(const NlMessage&)>& each, const std::function<void()>& restart,
            const std::string& what) {
    for (int attempt = 1;; ++attempt) {
        uint32_t seq = nl.next_seq();
        NlRequest request(type, NLM_F_DUMP, seq);
        request.family(family_header.data(), family_header.size());
        if (auto st = nl.send(request.bytes(), what); !st) return st;
        // Read to its end even when interrupted: the socket then holds nothing of it.
        ReplyReader reader(ReplyReader::Kind::Dump, seq);
        if (auto st = read_answer(nl, reader, each, what); !st) return st;
        if (!reader.interrupted()) return {};
        if (attempt == kDumpAttempts)
            return make_error(ErrorKind::Failed,
                              what + ": the dump was interrupted " + std::to_string(attempt) +
                                  " times (NLM_F_DUMP_INTR: the table changed while it was read)");
        restart();
    }
}

Status get(NlChannel& nl, uint16_t type, NlBytes family_header,
           const std::function<void(const NlMessage&)>& each, const std::string& what) {
    uint32_t seq = nl.next_seq();
    NlRequest request(type, 0, seq);
    request.family(family_header.data(), family_header.size());
    if (auto st = nl.send(request.bytes(), what); !st) return st;
    ReplyReader reader(ReplyReader::Kind::Get, seq);
    return read_answer(nl, reader, each, what);
}

Status ack(NlChannel& nl, NlBytes request, uint32_t seq, const std::string& what) {
    if (auto st = nl.send(request, what); !st) return st;
    ReplyReader reader(ReplyReader::Kind::Ack, seq);
    return read_answer(nl, reader, kIgnore, what);
}

}  // namespace tapd
