// OpenCapture: authorize (grant, ownership) → quota (the captures running, the caller's and
// everyone's) → start a streamer, which answers once it reads the tap with the filter attached.
#include "service.hpp"

namespace tapd {

Status Service::open_capture(const Caller& caller, const IfName& name,
                             const CaptureOptions& options, Captures::Done done) {
    auto policy = policy_.get();
    Grant grant = policy->grant_for(caller);
    if (!grant.unlimited && !grant.capture)
        return make_error(ErrorKind::PermissionDenied, "the policy does not allow you capture");
    auto r = live_tap(caller, name);
    if (!r) return r.error();
    const TapRecord& rec = *r.value();
    captures_->reap();  // an exit not yet seen by the poll loop frees its place now
    if (auto st = policy->check_capture_quota(grant, captures_->running_for(caller.uid),
                                              captures_->running());
        !st)
        return st.error();
    return captures_->start(rec.name, rec.ifindex, caller.uid, options, std::move(done));
}

size_t Service::captures_of(const Caller& caller) {
    captures_->reap();
    return captures_->running_for(caller.uid);
}

}  // namespace tapd
