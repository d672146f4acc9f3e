// OpenRawSocket: validate the family and protocol → authorize (grant, ownership) → quota (the
// sockets still open, the caller's and everyone's) → open and count it.
#include "raw_socket.hpp"
#include "service.hpp"

namespace tapd {

Result<UniqueFd> Service::open_raw_socket(const Caller& caller, const IfName& name, int family,
                                          int protocol) {
    if (auto st = check_raw_socket_args(family, protocol); !st) return st.error();
    auto policy = policy_.get();
    Grant grant = policy->grant_for(caller);
    if (!grant.unlimited && !grant.raw_sockets)
        return make_error(ErrorKind::PermissionDenied, "the policy does not allow you raw sockets");
    auto r = live_tap(caller, name);
    if (!r) return r.error();
    const TapRecord& rec = *r.value();
    auto open = raw_sockets_->count(caller.uid);
    if (!open) return open.error();
    if (auto st = policy->check_raw_socket_quota(grant, open->of_uid, open->total); !st)
        return st.error();
    auto mark = raw_socket_mark(rec.ifindex);
    if (!mark) return mark.error();
    auto fd = tapd::open_raw_socket(rec.name, family, protocol, mark.value());
    if (!fd) return fd.error();
    // Counted for the caller until its last descriptor closes, wherever it went: a socket that
    // cannot be counted is not handed out.
    if (auto st = raw_sockets_->add(fd->get(), caller.uid); !st) return st.error();
    return fd;
}

Result<size_t> Service::raw_sockets_of(const Caller& caller) const {
    auto open = raw_sockets_->count(caller.uid);
    if (!open) return open.error();
    return open->of_uid;
}

}  // namespace tapd
