// Service: start-up, listing, deletion, leases and revocation. Creation is in create_tap.cpp,
// changes of a tap in change_tap.cpp, raw sockets and captures in open_raw_socket.cpp and
// open_capture.cpp.
#include "service.hpp"

#include "log.hpp"
#include "profile.hpp"
#include "reconciler.hpp"
#include "tap.hpp"

namespace tapd {

Result<std::unique_ptr<Service>> Service::start(
    const std::string& state_dir, PolicyInForce& policy, std::string policy_path,
    const std::function<bool(const std::string&)>& lease_alive) {
    StepClock clock("service start");
    std::unique_ptr<Service> s(new Service(policy, std::move(policy_path)));
    auto nl = NlSocket::connect();
    if (!nl) return nl.error();
    s->nl_ = std::move(nl.value());
    s->deleter_ = std::make_unique<LinkDeleter>();
    // Host prefixes: subscribed now, dumped at the first check (HostPrefixes). Each tap brings
    // ~10 notifications of ~1 kB (in the kernel's accounting): room for thousands between two
    // reads; an overrun costs a dump, nothing else.
    auto events = NlNotificationSocket::open(HostPrefixes::groups(), 8 << 20,
                                             "address and route notifications");
    if (!events) return events.error();
    s->prefix_events_ = std::move(events.value());
    // Watching before reconcile lists the links: nothing changes unseen in between.
    auto guard = TunGuard::open();
    if (!guard) return guard.error();
    s->guard_ = std::move(guard.value());
    auto captures = Captures::open();
    if (!captures) return captures.error();
    s->captures_ = std::move(captures.value());
    auto raw = HandedOut::open("raw sockets");
    if (!raw) return raw.error();
    s->raw_sockets_ = std::move(raw.value());
    auto firewall = Firewall::open();
    if (!firewall) return firewall.error();
    s->firewall_ = std::move(firewall.value());
    s->file_ = std::make_unique<StateFile>(state_dir);
    if (auto st = s->file_->prepare(); !st) return st.error();
    clock.mark("sockets+firewall");

    auto adopted = reconcile(*s->nl_, *s->file_, *s->guard_, lease_alive);
    if (!adopted) return adopted.error();
    clock.mark("reconcile");
    std::vector<FirewallTap> rules;
    s->removed_at_start_ = adopted->removed;
    for (const auto& r : adopted->taps) {
        s->taps_.add(r);
        rules.push_back(firewall_tap(r));
    }
    // The table anew from what was adopted (stale elements and rules go).
    if (auto st = s->firewall_->adopt(rules, adopted->saved_ip_forward); !st) return st.error();
    clock.mark("firewall adopt");
    // The file is rewritten only when it no longer says what tapd holds; a journal left by the
    // last run is folded in once idle (Service::idle_work_in), as during a run.
    if (adopted->rewrite || s->firewall_->saved_ip_forward() != adopted->saved_ip_forward) {
        if (auto st = s->save(); !st) return st.error();
    } else {
        s->saved_forward_on_file_ = adopted->saved_ip_forward;
    }
    clock.mark("save");
    s->apply_integrations();
    clock.mark("integrations");
    // The findings are listed once tapd is ready and idle (idle_work()), or at the first
    // GetFindings: at 1,000 taps the listing was a third of the time to ready.
    return s;
}

std::vector<FirewallTap> Service::masquerading() const {
    std::vector<FirewallTap> out;
    for (const auto& [name, r] : taps_.all())
        if (r.masquerade) out.push_back(firewall_tap(r));
    return out;
}

std::optional<uint64_t> Service::default_route_epoch() {
    // Notifications still pending would be older news than /proc/net/route.
    if (!host_prefixes_.refresh(*prefix_events_, *nl_) || !host_prefixes_.current())
        return std::nullopt;
    return host_prefixes_.default_route_epoch();
}

void Service::check_new_findings() {
    host_check_.set_route_epoch(default_route_epoch());
    // tapd's own rules went into (or out of) DOCKER-USER: the last listing no longer shows them.
    if (firewall_->take_foreign_change()) {
        findings_for_.clear();
        list_host();
        return;
    }
    std::vector<FirewallTap> added;
    for (const auto& name : std::exchange(findings_for_, {}))
        if (const TapRecord* r = taps_.find(name); r && r->masquerade)
            added.push_back(firewall_tap(*r));
    if (!added.empty()) host_check_.check_new(added);
    if (host_check_.full_check_due()) host_check_.check(masquerading());
}

std::vector<Finding> Service::findings(const Caller& caller) {
    host_check_.set_route_epoch(default_route_epoch());
    if (!host_listed_ || firewall_->take_foreign_change()) {
        list_host();
    } else if (caller.uid == 0) {
        host_check_.check(masquerading());
    } else {
        // The caller's taps and the host's sysctls anew, from the last listing: not every tap's
        // (two sysctl reads and a walk of the forward chains each, at every create).
        std::vector<FirewallTap> mine;
        std::vector<std::string> unmasqueraded;
        for (const TapRecord* r : owned(caller))
            if (r->masquerade)
                mine.push_back(firewall_tap(*r));
            else
                unmasqueraded.push_back(r->name);
        host_check_.check_new(mine, unmasqueraded);
        if (host_check_.full_check_due()) host_check_.check(masquerading());
    }
    std::vector<Finding> out;
    for (const auto& f : host_check_.findings()) {
        const TapRecord* r = f.tap.empty() ? nullptr : taps_.find(f.tap);
        if (caller.uid == 0 || f.tap.empty() || (r && r->owner == caller.uid)) out.push_back(f);
    }
    return out;
}

void Service::apply_integrations() {
    const auto& want = policy_.get()->integrations;
    firewall_->set_docker(want.docker);
    if (firewalld_) firewalld_->set_zone(want.firewalld_zone);
}

FirewallTap Service::firewall_tap(const TapRecord& r) {
    return FirewallTap{r.name, r.ifindex, r.masquerade, r.masquerade_subnets()};
}

Status Service::save() {
    State s;
    for (const TapRecord* r : taps_.sorted()) s.taps.push_back(*r);
    s.saved_ip_forward = firewall_->saved_ip_forward();
    if (auto st = file_->save(s); !st) return st;
    saved_forward_on_file_ = s.saved_ip_forward;
    return {};
}

Status Service::record(const std::string& name) {
    const TapRecord* r = taps_.find(name);
    if (auto st = r ? file_->put(*r) : file_->erase(name); !st) return st;
    auto forward = firewall_->saved_ip_forward();
    if (forward != saved_forward_on_file_) {
        if (auto st = file_->put_saved_ip_forward(forward); !st) return st;
        saved_forward_on_file_ = forward;
    }
    // A journal that outgrows the state it describes is folded in at once (amortized: one
    // compaction per kCompactLines calls at least), so that start-up never replays much.
    if (file_->journal_lines() > 4 * (taps_.size() + kCompactLines)) compact_state();
    return {};
}

long Service::idle_work_in() const {
    if (!host_listed_) return 0;
    size_t lines = file_->journal_lines();
    if (lines == 0) return -1;
    return lines >= kCompactLines ? kCompactSoonMs : kCompactIdleMs;
}

void Service::idle_work() {
    if (!host_listed_) {
        list_host();
        return;
    }
    compact_state();
}

void Service::list_host() {
    // After the integrations at start: Docker's DOCKER-USER holds tapd's accepts. tapd's table
    // was written from its records (firewall adopt): no element to miss.
    StepClock clock("findings");
    host_listed_ = true;
    firewall_->take_foreign_change();  // the listing sees it
    host_check_.set_route_epoch(default_route_epoch());
    host_check_.relist(*firewall_, masquerading(), nullptr);
    clock.mark("listed");
}

void Service::compact_state() {
    StepClock clock("compact state");
    if (auto st = save(); !st) log::error("compacting the state journal: " + st.error().message);
    clock.mark("save");
}

Status Service::reload_policy(const Caller& caller) {
    if (caller.uid != 0)
        return make_error(ErrorKind::PermissionDenied, "only root may reload the policy");
    if (auto st = policy_.reload(policy_path_); !st)
        return make_error(st.error().kind, st.error().message + "; the policy in force stays");
    apply_integrations();
    return {};
}

std::vector<const TapRecord*> Service::owned(const Caller& caller) const {
    std::vector<const TapRecord*> out;
    for (const auto& name : taps_.names_of(caller.uid)) out.push_back(taps_.find(name));
    return out;
}

Result<std::vector<const TapRecord*>> Service::all(const Caller& caller) const {
    if (caller.uid != 0)
        return make_error(ErrorKind::PermissionDenied, "only root may list every user's taps");
    return taps_.sorted();
}

Result<TapRecord*> Service::owned_tap(const Caller& caller, const IfName& name) {
    TapRecord* r = taps_.find(name.str());
    // Another user's tap answers exactly like a missing one: names are not an oracle.
    if (!r || (caller.uid != 0 && r->owner != caller.uid))
        return make_error(ErrorKind::NotFound, "no tap '" + name.str() + "' of yours");
    return r;
}

Result<TapRecord*> Service::live_tap(const Caller& caller, const IfName& name) {
    auto r = owned_tap(caller, name);
    if (!r) return r;
    // The link must still be the one tapd made (the holder of an fd can unpersist it).
    auto link = link_name(*nl_, r.value()->ifindex);
    if (!link) return link.error();
    if (!link.value() || *link.value() != name.str())
        return make_error(ErrorKind::NotFound, "tap '" + name.str() + "' no longer exists");
    return r;
}

Result<std::vector<UniqueFd>> Service::open(const Caller& caller, const IfName& name,
                                            const OpenOptions& options) {
    auto r = live_tap(caller, name);
    if (!r) return r.error();
    const TapRecord& rec = *r.value();
    if (rec.veth)
        return make_error(ErrorKind::InvalidArgument,
                          "'" + name.str() + "' is a namespace's link, not a tap: it has no fd");
    if (options.queues > 1 && !rec.multi_queue)
        return make_error(ErrorKind::InvalidArgument,
                          "option 'queues': " + std::to_string(options.queues) + " on tap '" +
                              name.str() +
                              "', which has one queue (create it with multi_queue for more)");
    if (options.offloads && !rec.vnet_hdr)
        return make_error(ErrorKind::InvalidArgument,
                          "option 'offloads': " + options.offloads->text() + " on tap '" +
                              name.str() +
                              "', which has no vnet_hdr (create it with vnet_hdr for offloads)");
    // Tap fds are not counted as raw sockets are: a tap has one queue, or kMaxTapQueues at most
    // (the kernel refuses more), and the policy bounds the caller's taps.
    auto fds = attach_queues(name.str(), {rec.vnet_hdr, rec.multi_queue}, options.queues);
    if (!fds) return fds.error();
    // One fd is enough: the kernel keeps the offloads per device.
    if (options.offloads)
        if (auto st = set_offloads(fds->front().get(), name.str(), *options.offloads); !st)
            return st.error();
    return fds;
}

Status Service::remove(const Caller& caller, const IfName& name) {
    auto r = owned_tap(caller, name);
    if (!r) return r.error();
    return destroy(name.str());
}

Result<std::vector<std::string>> Service::cleanup(const Caller& caller, bool everything) {
    if (everything && caller.uid != 0)
        return make_error(ErrorKind::PermissionDenied, "only root may delete every user's taps");
    std::vector<std::string> names;
    if (everything)
        for (const TapRecord* r : taps_.sorted()) names.push_back(r->name);
    else
        names = taps_.names_of(caller.uid);
    Status result;
    for (const auto& name : names)
        if (auto st = destroy(name); !st && result) result = st;
    if (!result) return result.error();
    return names;
}

Status Service::destroy(const std::string& name) {
    const TapRecord* found = taps_.find(name);
    if (!found) return {};
    StepClock clock("DeleteTap " + name);
    TapRecord r = *found;
    // Deleting the link takes its addresses and routes with it and detaches every fd. It runs
    // on a second thread while the NAT and fd bookkeeping proceed here, and counts as done once
    // the kernel has unregistered the link; the kernel's freeing of it goes on in the background
    // (link_deleter.hpp).
    Status begun = deleter_->begin(r.ifindex, r.name);
    taps_.remove(name);
    host_check_.forget(name);
    // Masquerade and the rawallow pair (its raw sockets lose their way out) in one transaction.
    Status result = firewall_->remove_tap(r.name);
    captures_->stop(r.name);
    clock.mark("nat+fds");
    Status link = begun ? deleter_->wait_unregistered() : delete_link(*nl_, r.ifindex, r.name);
    if (!link && result) result = link;
    clock.mark("link (unregistered)");
    if (auto st = record(name); !st && result) result = st;
    clock.mark("state");
    changed(TapChange::Removed, name);
    return result;
}

void Service::destroy_all(const std::vector<std::string>& names, const std::string& why) {
    for (const auto& name : names) {
        auto st = destroy(name);
        log::info(why + " tap=" + name +
                  " result=" + (st ? "removed" : log::value(st.error().message)));
    }
}

void Service::client_gone(const std::string& sender) {
    destroy_all(taps_.leases().taps_of(sender), "lease ended: client=" + sender);
}

void Service::shutdown() {
    // A capture still starting is answered now; running ones end with tapd (PDEATHSIG).
    captures_->stop_starting("tapd is stopping");
    std::vector<std::string> names;
    for (const TapRecord* r : taps_.sorted())
        if (!r->persistent) names.push_back(r->name);
    destroy_all(names, "shutdown:");
}

bool Service::links_changed() {
    revoke(guard_->read(*nl_, taps_));
    forget_gone_veths();
    return guard_->recheck_due();
}

void Service::recheck_links() {
    revoke(guard_->recheck(*nl_, taps_));
}

void Service::revoke(const std::vector<Revocation>& revocations) {
    for (const auto& v : revocations) {
        const TapRecord* r = taps_.find(v.name);
        if (!r || r->ifindex != v.ifindex) continue;  // gone meanwhile
        uid_t owner = r->owner;
        auto st = destroy(v.name);
        log::warn("revoked tap=" + v.name + " owner=" + std::to_string(owner) + ": " + v.why +
                  " (TUNSETOWNER/TUNSETGROUP by a holder of its fd would let others open it by "
                  "name) result=" +
                  (st ? "removed" : log::value(st.error().message)));
    }
}

}  // namespace tapd
