// CreateTap: authorize (name, quota, permissions) → validate (the host's interfaces, addresses
// and routes) → apply with undo (tap, link settings, persistence, addresses, routes,
// nf_tables) → record (state file) → forwarding.
#include <sys/socket.h>

#include <algorithm>

#include "address.hpp"
#include "fault.hpp"
#include "host_prefixes.hpp"
#include "link.hpp"
#include "log.hpp"
#include "profile.hpp"
#include "route.hpp"
#include "service.hpp"
#include "tap.hpp"
#include "undo.hpp"

namespace tapd {

namespace {

void log_undo_failure(const Status& st) {
    if (!st) log::error("undo failed: " + st.error().message);
}

}  // namespace

// When a tap's address and one of its routes name the same prefix, tapd's route (with its
// protocol number) is the one route for it: the address goes in without the kernel's prefix
// route, at CreateTap as at AddAddress.
AddressOptions address_options(const TapRecord& r, const Prefix& address) {
    return {std::find(r.routes.begin(), r.routes.end(), address.network()) != r.routes.end()};
}

Status Service::check_conflicts(const std::vector<Prefix>& wanted, int except_ifindex) {
    if (wanted.empty()) return {};
    // The index with every change the kernel has announced (one made just before this call
    // included): no dump unless notifications were lost.
    if (auto st = host_prefixes_.refresh(*prefix_events_, *nl_); !st) return st;
    auto first = [&]() -> std::optional<std::pair<Prefix, HostPrefixes::Conflict>> {
        for (const auto& w : wanted)
            if (auto c = host_prefixes_.find_conflict(w, except_ifindex)) return {{w, *c}};
        return std::nullopt;
    };
    auto found = first();
    // The index may hold an entry the kernel dropped without saying so (host_prefixes.hpp),
    // never miss one: a refusal is confirmed against a fresh dump.
    if (found) {
        if (auto st = host_prefixes_.resync(*prefix_events_, *nl_); !st) return st;
        found = first();
    }
    if (!found) return {};
    const auto& [w, c] = *found;
    auto l = link_name(*nl_, c.overlap.holder.ifindex);
    std::string on = l && l.value() ? *l.value() : "#" + std::to_string(c.overlap.holder.ifindex);
    if (c.route)
        return make_error(ErrorKind::Conflict,
                          w.str() + " overlaps route " + c.overlap.network.str() + " via " + on);
    return make_error(ErrorKind::Conflict,
                      w.str() + " overlaps " + c.overlap.shown().str() + " on " + on);
}

Result<const TapRecord*> Service::create(const Caller& caller, const IfName& ifname,
                                         const CreateOptions& o) {
    const std::string& name = ifname.str();
    StepClock clock("CreateTap " + name);
    // Authorize. The name first (matched against the policy's prefixes), so that nothing about
    // other interfaces is revealed to a caller who may not use the name anyway.
    auto policy = policy_.get();
    Grant grant = policy->grant_for(caller);
    if (auto st = Policy::check_name(grant, name); !st) return st.error();
    if (taps_.find(name))
        return make_error(ErrorKind::Conflict, "tap '" + name + "' already exists");
    auto existing = link_index(*nl_, name);
    if (!existing) return existing.error();
    if (existing.value() != 0)
        return make_error(ErrorKind::Conflict, "interface '" + name + "' already exists");
    if (auto st = Policy::check_create(grant, o, taps_.owned_by(caller.uid)); !st)
        return st.error();
    // Validate.
    for (const auto& a : o.addresses)
        if (auto st = check_tap_address(a); !st) return st.error();
    clock.mark("policy+names");
    // Two requests of one call may not overlap each other across families of use either.
    for (size_t i = 0; i < o.addresses.size(); ++i)
        for (size_t j = i + 1; j < o.addresses.size(); ++j)
            if (o.addresses[i].network().overlaps(o.addresses[j].network()) &&
                counts_for_conflicts(o.addresses[i]))
                return make_error(ErrorKind::InvalidArgument, "addresses " + o.addresses[i].str() +
                                                                  " and " + o.addresses[j].str() +
                                                                  " overlap");
    std::vector<Prefix> wanted = o.addresses;
    wanted.insert(wanted.end(), o.routes.begin(), o.routes.end());
    if (auto st = check_conflicts(wanted, 0); !st) return st.error();
    clock.mark("conflicts");

    TapRecord r;
    r.name = name;
    r.owner = caller.uid;
    r.addresses = o.addresses;
    r.routes = o.routes;
    r.masquerade = o.masquerade;
    r.persistent = o.persistent;
    r.owner_access = o.owner_access;
    r.vnet_hdr = o.vnet_hdr;
    r.multi_queue = o.multi_queue;
    r.lease = o.persistent ? "" : caller.sender;

    // Apply, each step with its undo.
    bool saved = false;  // (declared before undo, which refers to it)
    Undo undo;
    // Runs last on failure: once the state file holds the tap, it must drop it again.
    undo.push([this, &saved, &name] {
        if (saved) log_undo_failure(record(name));
    });
    auto made = make_tap(r);
    if (!made) return made.error();
    UniqueFd fd = std::move(made.value());
    undo.push([this, &r] { log_undo_failure(delete_link(*nl_, r.ifindex, r.name)); });
    // A persistent tap has no carrier once tapd's fd is closed, after the reply: without it
    // from the start, coming up costs the kernel no IPv6 start and no route flaps. Not a
    // multi-queue tap: its owner may attach a queue while tapd's fd is still open, and the
    // kernel turns the carrier on only for a tap's first queue.
    if (r.persistent && !r.multi_queue)
        if (auto st = set_no_carrier(fd.get(), name); !st) return st.error();
    fault_point("tap");
    if (auto st = fail_point("tap"); !st) return st.error();
    clock.mark("tap");

    // Alias, MTU and MAC, then persistence, while the link is down; then up, alone. The kernel
    // announces a change of an up link (the alias, persistence: netdev_state_change) to IPv6,
    // which walks every IPv6 route of the host for a link without carrier: 0.5-0.8 ms each at
    // 1,000 taps. Of a down link it announces nothing. Up before routes (the kernel refuses a
    // route through a down link) and before any fd leaves.
    LinkChange change;
    change.alias = tap_alias(r);
    change.mtu = o.mtu;
    change.mac = o.mac;
    if (auto st = change_link(*nl_, r.ifindex, name, change); !st) return st.error();
    // Crash safety without a write-ahead record: until here the tap dies with tapd's fd (a
    // crash leaves no link); from here on it carries tapd's alias, by which reconcile finds and
    // removes it unless the state file records it whole.
    if (auto st = make_persistent(fd.get(), name); !st) return st.error();
    LinkChange up;
    up.up = true;
    if (auto st = change_link(*nl_, r.ifindex, name, up); !st) return st.error();
    clock.mark("link");
    for (const auto& a : o.addresses) {
        if (auto st = tapd::add_address(*nl_, r.ifindex, a, address_options(r, a)); !st)
            return st.error();
        fault_point("address");
        if (auto st = fail_point("address"); !st) return st.error();
    }
    clock.mark("addresses");
    for (const auto& rt : o.routes) {
        if (auto st = tapd::add_route(*nl_, r.ifindex, rt); !st) return st.error();
        fault_point("route");
        if (auto st = fail_point("route"); !st) return st.error();
    }
    clock.mark("routes");
    if (auto fresh = link_mtu_mac(*nl_, r.name)) {
        r.mtu = fresh->mtu;
        r.mac = fresh->mac;
    }
    clock.mark("link info");
    // The tap's pair in rawallow (its raw sockets may send through it) goes in with the
    // masquerade elements, in one nf_tables transaction.
    auto forwarding_due = firewall_->add_tap(firewall_tap(r));
    if (!forwarding_due) return forwarding_due.error();
    undo.push([this, &r] { log_undo_failure(firewall_->remove_tap(r.name)); });
    if (o.masquerade) {
        findings_for_.push_back(name);  // HostCheck after the reply
        fault_point("masquerade");
        if (auto st = fail_point("masquerade"); !st) return st.error();
    }
    clock.mark("nf_tables");

    // Record.
    taps_.add(r);
    undo.push([this, name] { taps_.remove(name); });
    if (auto st = fail_point("state"); !st) return st.error();
    if (auto st = record(name); !st) return st.error();
    saved = true;
    clock.mark("state");
    fault_point("state");
    // Forwarding goes on only now that the state file holds its earlier value: a crash before
    // this leaves it untouched, a crash after it lets reconcile restore it.
    if (auto st = fail_point("forwarding"); !st) return st.error();
    if (forwarding_due.value())
        if (auto st = firewall_->start_forwarding("masquerading tap=" + name); !st)
            return st.error();
    clock.mark("forwarding");
    undo.commit();
    closing_.push_back(std::move(fd));
    changed(TapChange::Added, name);
    return taps_.find(name);
}

Result<UniqueFd> Service::make_tap(TapRecord& r) {
    // Owner: the caller with owner_access (programs that open the tap by name work), else root.
    // Until TUNSETOWNER a new tap has no owner: any process holding a tun fd may attach a queue
    // to a multi-queue tap in that window, and keep it. Only tapd's own queue may exist then; a
    // tap with another is deleted and made again, kCreateAttempts times at most, so that an
    // attacker spinning on the name can make a create fail but never get a queue. (A
    // single-queue tap refuses a second queue while tapd's fd is attached.)
    for (int attempt = 1;; ++attempt) {
        auto made = create_tap(r.name, r.tun_owner(), {r.vnet_hdr, r.multi_queue});
        if (!made) return made.error();
        auto index = link_index(*nl_, r.name);
        if (!index) return index.error();  // closing the fd removes the tap: not persistent
        if (index.value() == 0)
            return make_error(ErrorKind::Failed, "tap '" + r.name + "' vanished after creation");
        r.ifindex = index.value();
        if (!r.multi_queue) return made;
        auto st = check_queues(r);
        if (st) return made;
        // The other queue keeps the tap alive without tapd's fd: delete the link.
        log_undo_failure(delete_link(*nl_, r.ifindex, r.name));
        if (attempt == kCreateAttempts) return st.error();
    }
}

Status Service::check_queues(const TapRecord& r) {
    auto link = get_link(*nl_, r.ifindex);
    if (!link) return link.error();
    if (!link.value() || !link.value()->tun)
        return make_error(ErrorKind::Failed, "tap '" + r.name + "' vanished after creation");
    const TunInfo& tun = *link.value()->tun;
    std::string wrong = TunGuard::tampered(r, *link.value());
    if (wrong.empty() && (tun.queues.value_or(0) != 1 || tun.disabled_queues.value_or(0) != 0))
        wrong = "it has " + std::to_string(tun.queues.value_or(0)) + " queues and " +
                std::to_string(tun.disabled_queues.value_or(0)) +
                " disabled queues where tapd opened one: another process attached to it before "
                "its owner was set";
    if (wrong.empty()) return {};
    log::warn("CreateTap " + r.name + ": " + wrong + "; deleting it");
    return make_error(ErrorKind::Failed,
                      "tap '" + r.name + "' was deleted at creation: " + wrong + " (try again)");
}

}  // namespace tapd
