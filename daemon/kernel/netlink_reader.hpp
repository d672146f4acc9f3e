// Reading the kernel's answers to one netlink request: ReplyReader (pure: fed datagrams, tested
// from bytes), and dump(), get() and ack() over an NlChannel (a socket, or a test's script).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "netlink_message.hpp"
#include "result.hpp"

namespace tapd {

// The replies to one request, datagram by datagram. Messages of another sequence number are
// skipped (a stale reply is never taken for this one's).
class ReplyReader {
  public:
    enum class Kind {
        Dump,  // NLM_F_DUMP: NLM_F_MULTI messages up to NLMSG_DONE
        Get,   // one answer (or an error)
        Ack,   // NLM_F_ACK: NLMSG_ERROR, 0 for success
    };
    ReplyReader(Kind kind, uint32_t seq) : kind_(kind), seq_(seq) {}

    enum class State { Reading, Done, Failed };
    // Passes every answer message of DATAGRAM (not NLMSG_DONE, NLMSG_ERROR or NLMSG_NOOP) to
    // EACH, and says whether more datagrams are to come. Nothing is passed once it has failed.
    State feed(NlBytes datagram, const std::function<void(const NlMessage&)>& each);
    State state() const { return state_; }

    // A dump whose messages the kernel marked NLM_F_DUMP_INTR: the table changed while it was
    // read, so what was passed may be inconsistent (an object missed or seen twice).
    bool interrupted() const { return interrupted_; }
    // Once Failed: the positive errno of the kernel's NLMSG_ERROR (or of NLMSG_DONE's error
    // code), or 0 if the answer was malformed.
    int error() const { return error_; }

  private:
    void message(const NlMessage& m, const std::function<void(const NlMessage&)>& each);
    void fail(int err) {
        state_ = State::Failed;
        error_ = err;
    }
    Kind kind_;
    uint32_t seq_;
    State state_ = State::Reading;
    bool interrupted_ = false;
    int error_ = 0;
};

// Where requests go and answers come from: NlSocket, or a unit test's script.
class NlChannel {
  public:
    // A sequence number for the next request.
    virtual uint32_t next_seq() = 0;
    virtual Status send(NlBytes request, const std::string& what) = 0;
    // One datagram; its bytes stay valid until the next call.
    virtual Result<NlBytes> receive(const std::string& what) = 0;

  protected:
    ~NlChannel() = default;
};

// The Error for a netlink request the kernel refused with ERR (positive errno): "what:
// strerror", and the kind by errno (as libnl's NLE_* codes had it): EEXIST, EADDRINUSE Conflict;
// ENOENT, ESRCH, ENODEV NotFound; EINVAL, ENOPROTOOPT, EFAULT, ERANGE InvalidArgument; the rest
// Failed.
Error netlink_error(const std::string& what, int err);

// Sends a dump request of TYPE with FAMILY_HEADER (ifinfomsg, ifaddrmsg, rtmsg) and calls EACH
// for every message of the answer. A dump the kernel marks interrupted (NLM_F_DUMP_INTR: the
// table changed while it was read, as other links' events do all the time on a busy host) is
// read to its end and asked for again, after RESTART has dropped what EACH collected, up to
// kDumpAttempts times in all; then it fails, saying so. WHAT names the dump in errors.
inline constexpr int kDumpAttempts = 10;
Status dump(NlChannel& nl, uint16_t type, NlBytes family_header,
            const std::function<void(const NlMessage&)>& each, const std::function<void()>& restart,
            const std::string& what);

// Sends a get request of TYPE (FAMILY_HEADER and attributes as for dump()) and calls EACH for
// the answer. A refusal is netlink_error(WHAT, errno).
Status get(NlChannel& nl, uint16_t type, NlBytes family_header,
           const std::function<void(const NlMessage&)>& each, const std::string& what);

// Sends REQUEST (which must ask for NLM_F_ACK with the sequence number SEQ) and waits for the
// kernel's acknowledgement. A refusal is netlink_error(WHAT, errno).
Status ack(NlChannel& nl, NlBytes request, uint32_t seq, const std::string& what);

}  // namespace tapd
