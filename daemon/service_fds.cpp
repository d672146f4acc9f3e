// Service operations that hand out fds besides tap fds: confined raw IP sockets and captures.
// Each reads as every mutating call does: validate → authorize (grant, then ownership) → apply.
#include <sys/socket.h>

#include "log.hpp"
#include "policy.hpp"
#include "raw_socket.hpp"
#include "service.hpp"

namespace tapd {

std::optional<nat::RawEntry> Service::raw_entry(const TapRecord& r) {
    auto mark = raw_socket_mark(r.ifindex);
    if (!mark) return std::nullopt;  // no pair: open_raw_socket refuses this tap too
    return nat::RawEntry{mark.value(), r.name};
}

Status Service::allow_raw(const TapRecord& r) {
    auto e = raw_entry(r);
    if (!e) return {};
    return nat_->apply(nat::raw_elements(true, *e), "allowing raw sockets of " + r.name);
}

void Service::forget_fds(const TapRecord& r) {
    captures_->stop(r.name);
    // Its raw sockets stay open in their holders' hands; without the pair, everything they
    // send is dropped (the rule fails closed on an unknown mark).
    if (auto e = raw_entry(r))
        if (auto st =
                nat_->apply(nat::raw_elements(false, *e), "forgetting raw sockets of " + r.name);
            !st)
            log::error(st.error().message);
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
