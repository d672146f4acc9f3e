// AttachNamespace: authorize (name, the namespace's owner, quota, permissions) → validate (the
// host's interfaces, addresses and routes; the namespace's netlink socket) → apply with undo
// (write-ahead record, veth pair with its peer born inside, host side, inside, nf_tables) →
// record (state file) → forwarding.
#include <fcntl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "address.hpp"
#include "fault.hpp"
#include "link.hpp"
#include "log.hpp"
#include "netns_owner.hpp"
#include "profile.hpp"
#include "service.hpp"
#include "undo.hpp"
#include "veth.hpp"

namespace tapd {

namespace {

void log_undo_failure(const Status& st) {
    if (!st) log::error("undo failed: " + st.error().message);
}

// The loopback device is ifindex 1 in every network namespace (LOOPBACK_IFINDEX).
constexpr int kLoopbackIfindex = 1;

// Inside the namespace, through its own socket: lo and the peer up, the peer's addresses, and the
// default route of each family that has one via the first gateway of that family. Nothing to undo:
// deleting the pair takes them all.
Status configure_inside(NlSocket& inside, const TapRecord& r, const std::vector<Prefix>& gateways) {
    LinkChange lo;
    lo.up = true;
    if (auto st = change_link(inside, kLoopbackIfindex, "lo", lo); !st) return st;
    auto peer = link_index(inside, r.peer_name);
    if (!peer) return peer.error();
    if (peer.value() == 0)
        return make_error(ErrorKind::Failed,
                          "the peer '" + r.peer_name + "' vanished from the namespace");
    LinkChange up;
    up.up = true;
    if (auto st = change_link(inside, peer.value(), r.peer_name, up); !st) return st;
    for (const auto& a : r.peer_addresses) {
        if (auto st = add_address(inside, peer.value(), a); !st) return st;
        fault_point("peer_address");
        if (auto st = fail_point("peer_address"); !st) return st;
    }
    for (int family : {AF_INET, AF_INET6}) {
        bool addressed = false;
        for (const auto& a : r.peer_addresses) addressed = addressed || a.address.family == family;
        if (!addressed) continue;
        for (const auto& g : gateways)
            if (g.address.family == family) {
                if (auto st = add_default_route(inside, peer.value(), g.address); !st) return st;
                break;
            }
    }
    return {};
}

}  // namespace

Result<const TapRecord*> Service::attach_namespace(const Caller& caller, const IfName& ifname,
                                                   const IfName& peer_name, int netns_fd,
                                                   AttachOptions o) {
    const std::string& name = ifname.str();
    StepClock clock("AttachNamespace " + name);
    // Authorize: the name first, as CreateTap's; then the namespace's owner, before anything is
    // looked at through it.
    auto policy = policy_.get();
    Grant grant = policy->grant_for(caller);
    if (auto st = Policy::check_name(grant, name); !st) return st.error();
    if (auto st = check_netns_owner(netns_fd, caller.uid); !st) return st.error();
    if (taps_.find(name))
        return make_error(ErrorKind::Conflict, "tap '" + name + "' already exists");
    auto existing = link_index(*nl_, name);
    if (!existing) return existing.error();
    if (existing.value() != 0)
        return make_error(ErrorKind::Conflict, "interface '" + name + "' already exists");
    // The host side's addresses are the gateways: the policy checks them as a tap's (the
    // peer's lie inside their networks), and the pair counts as one of the caller's taps.
    CreateOptions as_tap;
    as_tap.addresses = o.gateways;
    as_tap.masquerade = o.masquerade;
    as_tap.persistent = o.persistent;
    if (auto st = Policy::check_create(grant, as_tap, taps_.owned_by(caller.uid)); !st)
        return st.error();
    // Validate.
    for (const auto& list : {&o.gateways, &o.addresses})
        for (const auto& a : *list)
            if (auto st = check_tap_address(a); !st) return st.error();
    for (size_t i = 0; i < o.gateways.size(); ++i)
        for (size_t j = i + 1; j < o.gateways.size(); ++j)
            if (o.gateways[i].network().overlaps(o.gateways[j].network()))
                return make_error(
                    ErrorKind::InvalidArgument,
                    "gateways " + o.gateways[i].str() + " and " + o.gateways[j].str() + " overlap");
    if (auto st = check_conflicts(o.gateways, 0); !st) return st.error();
    std::unique_ptr<NlSocket> inside;
    if (o.netlink) {
        UniqueFd dup(::fcntl(o.netlink->get(), F_DUPFD_CLOEXEC, 3));
        if (!dup) return errno_error(ErrorKind::Failed, "dup of the netlink fd", errno);
        auto s = namespace_socket(std::move(dup), netns_fd);
        if (!s) return s.error();
        inside = std::move(s.value());
    }
    clock.mark("policy+checks");

    TapRecord r;
    r.name = name;
    r.owner = caller.uid;
    r.addresses = o.gateways;
    r.masquerade = o.masquerade;
    r.persistent = o.persistent;
    r.lease = o.persistent ? "" : caller.sender;
    r.veth = true;
    r.peer_name = peer_name.str();
    r.peer_addresses = o.addresses;

    // Apply, each step with its undo. A veth cannot carry tapd's alias from its creation: the
    // record goes to the state file first (ifindex 0), so that reconcile removes a pair that a
    // crash left without its alias.
    bool saved = false;
    Undo undo;
    undo.push([this, &saved, &name] {
        if (saved) log_undo_failure(record(name));
    });
    if (auto st = file_->put(r); !st) return st.error();
    saved = true;
    fault_point("veth_record");
    if (auto st = fail_point("veth_record"); !st) return st.error();
    VethSpec spec{name, r.peer_name, netns_fd, o.mtu};
    if (auto st = create_veth(*nl_, spec); !st) return st.error();
    auto index = link_index(*nl_, name);
    if (!index) return index.error();
    if (index.value() == 0)
        return make_error(ErrorKind::Failed, "veth '" + name + "' vanished after creation");
    r.ifindex = index.value();
    undo.push([this, &r] { log_undo_failure(delete_link(*nl_, r.ifindex, r.name)); });
    fault_point("veth");
    if (auto st = fail_point("veth"); !st) return st.error();
    clock.mark("veth");

    LinkChange change;
    change.alias = tap_alias(r);
    change.up = true;
    if (auto st = change_link(*nl_, r.ifindex, name, change); !st) return st.error();
    for (const auto& g : o.gateways) {
        if (auto st = tapd::add_address(*nl_, r.ifindex, g); !st) return st.error();
        fault_point("address");
        if (auto st = fail_point("address"); !st) return st.error();
    }
    clock.mark("host side");
    if (inside)
        if (auto st = configure_inside(*inside, r, o.gateways); !st) return st.error();
    clock.mark("inside");
    if (auto fresh = link_mtu_mac(*nl_, r.name)) {
        r.mtu = fresh->mtu;
        r.mac = fresh->mac;
    }
    auto forwarding_due = firewall_->add_tap(firewall_tap(r));
    if (!forwarding_due) return forwarding_due.error();
    undo.push([this, &r] { log_undo_failure(firewall_->remove_tap(r.name)); });
    if (o.masquerade) {
        fault_point("masquerade");
        if (auto st = fail_point("masquerade"); !st) return st.error();
    }
    clock.mark("nf_tables");

    // Record.
    taps_.add(r);
    undo.push([this, name] { taps_.remove(name); });
    if (auto st = fail_point("state"); !st) return st.error();
    if (auto st = record(name); !st) return st.error();
    clock.mark("state");
    fault_point("state");
    if (auto st = fail_point("forwarding"); !st) return st.error();
    if (forwarding_due.value())
        if (auto st = firewall_->start_forwarding("masquerading namespace link=" + name); !st)
            return st.error();
    undo.commit();
    changed(TapChange::Added, name);
    return taps_.find(name);
}

// A namespace's link is deleted by the kernel with its namespace (or by its owner inside):
// the records, NAT elements and object of every such link that is gone go with it.
void Service::forget_gone_veths() {
    std::vector<std::string> gone;
    for (const auto& [name, r] : taps_.all()) {
        if (!r.veth) continue;
        auto l = link_name(*nl_, r.ifindex);
        if (l && (!l.value() || *l.value() != name)) gone.push_back(name);
    }
    std::sort(gone.begin(), gone.end());
    destroy_all(gone, "namespace link gone:");
}

}  // namespace tapd
