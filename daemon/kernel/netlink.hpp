// NlSocket: one rtnetlink socket (libnl-route) owned for the daemon's life; NLE_* → Error, once.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "result.hpp"

struct nl_sock;
struct nlmsghdr;

namespace tapd {

// tapd's own rtm_protocol number for the routes it adds: "ip route" shows "proto 177" (not in
// /etc/iproute2/rt_protos), so tapd's routes can be told from everyone else's.
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

// Sends a dump request of TYPE (its family header HEADER, HEADER_LEN bytes) and calls EACH for
// every message of the answer, without libnl's object caches (which allocate and parse every
// attribute of every object: most of a dump's cost for the few fields tapd reads). WHAT names
// the dump in errors. A dump the kernel marks interrupted (NLM_F_DUMP_INTR: the table changed
// while it was read, as other links' events do all the time on a busy host) is read again,
// after RESTART has dropped what EACH collected, up to kDumpAttempts times in all.
inline constexpr int kDumpAttempts = 10;
Status dump(NlSocket& nl, int type, const void* header, size_t header_len,
            const std::function<void(nlmsghdr*)>& each, const std::function<void()>& restart,
            const std::string& what);

// Sends a get request of TYPE (HEADER as for dump()) and calls EACH for the answer. ENODEV and
// the like are NotFound.
Status get(NlSocket& nl, int type, const void* header, size_t header_len,
           const std::function<void(nlmsghdr*)>& each, const std::string& what);

// A non-blocking netlink socket of PROTOCOL that receives multicast GROUP (notifications; no
// sequence checks, since nobody asked for them). The caller frees it (nl_socket_free). WHAT
// names the notifications in errors.
Result<nl_sock*> open_notifications(int protocol, unsigned group, const std::string& what);

// Converts a negative libnl return code into an Error "what: reason". EEXIST/NLE_EXIST becomes
// Conflict, NLE_OBJ_NOTFOUND/NLE_NODEV NotFound, NLE_INVAL InvalidArgument, the rest Failed.
Error nl_error(const std::string& what, int nle);

}  // namespace tapd
