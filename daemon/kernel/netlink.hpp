// NlSocket: one rtnetlink socket owned for the daemon's life, the NlChannel on which tapd's
// requests go and their answers come back (netlink_reader.hpp reads them).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "netlink_reader.hpp"
#include "result.hpp"

struct nl_sock;

namespace tapd {

class NlSocket final : public NlChannel {
  public:
    // Connects NETLINK_ROUTE; the error names the failure.
    static Result<std::unique_ptr<NlSocket>> connect();
    ~NlSocket();
    NlSocket(const NlSocket&) = delete;
    NlSocket& operator=(const NlSocket&) = delete;

    nl_sock* get() const { return sk_; }
    int fd() const;

    uint32_t next_seq() override;
    Status send(NlBytes request, const std::string& what) override;
    // The next datagram from the kernel (one from anyone else is dropped: an empty answer).
    Result<NlBytes> receive(const std::string& what) override;

  private:
    explicit NlSocket(nl_sock* sk) : sk_(sk) {}
    nl_sock* sk_;
    std::vector<std::byte> buf_;  // receive()'s, sized at the first call
};

// A non-blocking netlink socket of PROTOCOL that receives multicast GROUP (notifications; no
// sequence checks, since nobody asked for them). The caller frees it (nl_socket_free). WHAT
// names the notifications in errors.
Result<nl_sock*> open_notifications(int protocol, unsigned group, const std::string& what);

// Converts a negative libnl return code into an Error "what: reason" (err 0: libnl's codes are
// not errno values). NLE_EXIST becomes Conflict, NLE_OBJ_NOTFOUND/NLE_NODEV NotFound, NLE_INVAL
// and NLE_RANGE InvalidArgument, the rest Failed.
Error nl_error(const std::string& what, int nle);

}  // namespace tapd
