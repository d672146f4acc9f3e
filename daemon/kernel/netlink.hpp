// NlSocket: one rtnetlink socket owned for the daemon's life, the NlChannel on which tapd's
// requests go and their answers come back (netlink_reader.hpp reads them); notification sockets.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "netlink_reader.hpp"
#include "result.hpp"
#include "unique_fd.hpp"

namespace tapd {

class NlSocket final : public NlChannel {
  public:
    // A NETLINK_ROUTE socket bound to a port the kernel picks; the error names the failing call.
    static Result<std::unique_ptr<NlSocket>> connect();
    // FD, a NETLINK_ROUTE socket someone else opened (AttachNamespace's, inside a caller's
    // namespace: the kernel runs its requests there). Answers are awaited RCVTIMEO_MS at most
    // (SO_RCVTIMEO): its opener may read them away.
    static Result<std::unique_ptr<NlSocket>> adopt(UniqueFd fd, int rcvtimeo_ms);
    NlSocket(const NlSocket&) = delete;
    NlSocket& operator=(const NlSocket&) = delete;

    int fd() const { return fd_.get(); }

    uint32_t next_seq() override { return ++seq_; }
    Status send(NlBytes request, const std::string& what) override;
    // The next datagram from the kernel (one from anyone else is dropped: an empty answer).
    Result<NlBytes> receive(const std::string& what) override;

  private:
    NlSocket(UniqueFd fd, uint32_t seq) : fd_(std::move(fd)), seq_(seq) {}
    UniqueFd fd_;
    uint32_t seq_;
    std::vector<std::byte> buf_;  // receive()'s, sized at the first call
};

// Where notification datagrams come from: NlNotificationSocket, or a unit test's script.
class NlNotifications {
  public:
    // The next pending datagram, without waiting; an empty one when none is pending. An Error
    // with err ENOBUFS if the kernel dropped notifications since the last call (the socket's
    // buffer overran) or a datagram was cut off: what was read may have missed changes.
    // The bytes stay valid until the next call.
    virtual Result<NlBytes> next() = 0;

  protected:
    ~NlNotifications() = default;
};

// A non-blocking NETLINK_ROUTE socket in the multicast GROUPS (RTNLGRP_*), with a receive buffer
// of RCVBUF bytes (SO_RCVBUFFORCE, which CAP_NET_ADMIN allows past rmem_max; else SO_RCVBUF).
class NlNotificationSocket final : public NlNotifications {
  public:
    // WHAT names the notifications in errors.
    static Result<std::unique_ptr<NlNotificationSocket>> open(const std::vector<unsigned>& groups,
                                                              int rcvbuf, const std::string& what);
    NlNotificationSocket(const NlNotificationSocket&) = delete;
    NlNotificationSocket& operator=(const NlNotificationSocket&) = delete;

    int fd() const { return fd_.get(); }
    Result<NlBytes> next() override;

  private:
    NlNotificationSocket(UniqueFd fd, std::string what)
        : fd_(std::move(fd)), what_(std::move(what)) {}
    UniqueFd fd_;
    std::string what_;
    std::vector<std::byte> buf_;  // next()'s, sized at the first call
};

// A non-blocking netlink socket of PROTOCOL in multicast GROUP: notifications, read with recv()
// and for_each_message(). WHAT names the notifications in errors.
Result<UniqueFd> open_notifications(int protocol, unsigned group, const std::string& what);

}  // namespace tapd
