// Service operations that hand out fds besides tap fds: confined raw IP sockets and captures.
// Each reads as every mutating call does: validate → authorize (grant, then ownership) → apply.
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
    auto mark = raw_socket_mark(rec.ifindex);
    if (!mark) return mark.error();
    return tapd::open_raw_socket(rec.name, family, protocol, mark.value());
}

Result<UniqueFd> Service::open_capture(const Caller& caller, const std::string& name,
                                       const CaptureOptions& options) {
    Grant grant = grant_for(caller);
    if (!grant.unlimited && !grant.capture)
        return make_error(ErrorKind::PermissionDenied, "the policy does not allow you capture");
    auto r = live_tap(caller, name);
    if (!r) return r.error();
    const TapRecord& rec = *r.value();
    return captures_->start(rec.name, rec.ifindex, options);
}

}  // namespace tapd
