// NlSocket: one rtnetlink socket (libnl-route) owned for the daemon's life; NLE_* → Error, once.
#pragma once

#include <memory>
#include <string>

#include "result.hpp"

struct nl_sock;

namespace tapd {

// tapd's own rtm_protocol number for the routes it adds: "ip route" shows "proto 177" and
// reconcile can find them from the kernel alone (not in /etc/iproute2/rt_protos).
inline constexpr unsigned char kRouteProtocol = 177;

class NlSocket {
  public:
    // Connects NETLINK_ROUTE; the error names the failure.
    static Result<std::unique_ptr<NlSocket>> connect();
    ~NlSocket();
    NlSocket(const NlSocket&) = delete;
    NlSocket& operator=(const NlSocket&) = delete;

    nl_sock* get() const { return sk_; }

  private:
    explicit NlSocket(nl_sock* sk) : sk_(sk) {}
    nl_sock* sk_;
};

// Converts a negative libnl return code into an Error "what: reason". EEXIST/NLE_EXIST becomes
// Conflict, NLE_OBJ_NOTFOUND/NLE_NODEV NotFound, NLE_INVAL InvalidArgument, the rest Failed.
Error nl_error(const std::string& what, int nle);

}  // namespace tapd
