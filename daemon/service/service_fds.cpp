// Service operations that hand out fds besides tap fds: confined raw IP sockets and captures.
// Each reads as every mutating call does: validate → authorize (grant, then ownership) → quota
// (what is open now against the caller's and tapd's limits) → apply.
#include <sys/socket.h>

#include "policy.hpp"
#include "raw_socket.hpp"
#include "service.hpp"

namespace tapd {

std::optional<nat::RawEntry> Service::raw_entry(const TapRecord& r) {
    auto mark = raw_socket_mark(r.ifindex);
    if (!mark) return std::nullopt;  // no pair: open_raw_socket refuses this tap too
    return nat::RawEntry{mark.value(), r.name};
}

std::optional<nat::ElementBatch> Service::raw_batch(const TapRecord& r, bool add) {
    // Removed, its raw sockets stay open in their holders' hands, but everything they send is
    // dropped (the rule fails closed on an unknown mark).
    auto e = raw_entry(r);
    if (!e) return std::nullopt;
    return nat::raw_elements(add, *e);
}

Status Service::allow_raw(const TapRecord& r) {
    auto batch = raw_batch(r, true);
    if (!batch) return {};
    return nat_->apply(*batch, "allowing raw sockets of " + r.name);
}

Result<UniqueFd> Service::open_raw_socket(const Caller& caller, const std::string& name, int family,
                                          int protocol) {
    if (auto st = check_raw_socket_args(family, protocol); !st) return st.error();
    Grant grant = grant_for(caller);
    if (!grant.unlimited && !grant.raw_sockets)
        return make_error(ErrorKind::PermissionDenied, "the policy does not allow you raw sockets");
    auto r = live_tap(caller, name);
    if (!r) return r.error();
    const TapRecord& rec = *r.value();
    auto open = raw_sockets_->count(caller.uid);
    if (!open) return open.error();
    if (auto st = check_raw_socket_quota(grant, current_policy().limits, open->of_uid, open->total);
        !st)
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

Result<UniqueFd> Service::open_capture(const Caller& caller, const std::string& name,
                                       const CaptureOptions& options) {
    Grant grant = grant_for(caller);
    if (!grant.unlimited && !grant.capture)
        return make_error(ErrorKind::PermissionDenied, "the policy does not allow you capture");
    auto r = live_tap(caller, name);
    if (!r) return r.error();
    const TapRecord& rec = *r.value();
    captures_->reap();  // an exit not yet seen by the poll loop frees its place now
    if (auto st = check_capture_quota(grant, current_policy().limits,
                                      captures_->running_for(caller.uid), captures_->running());
        !st)
        return st.error();
    return captures_->start(rec.name, rec.ifindex, caller.uid, options);
}

size_t Service::captures_of(const Caller& caller) {
    captures_->reap();
    return captures_->running_for(caller.uid);
}

Result<size_t> Service::raw_sockets_of(const Caller& caller) const {
    auto open = raw_sockets_->count(caller.uid);
    if (!open) return open.error();
    return open->of_uid;
}

}  // namespace tapd
