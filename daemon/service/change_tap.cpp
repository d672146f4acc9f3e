// The Tap object's changes: AddAddress/RemoveAddress, AddRoute/RemoveRoute, SetMasquerade.
// Each: authorize (ownership, the grant) → validate → apply with undo → record → changed.
#include <sys/socket.h>

#include <algorithm>

#include "address.hpp"
#include "log.hpp"
#include "route.hpp"
#include "service.hpp"
#include "undo.hpp"

namespace tapd {

namespace {

void log_undo_failure(const Status& st) {
    if (!st) log::error("undo failed: " + st.error().message);
}

}  // namespace

// What differs between a tap's addresses and its routes.
struct PrefixKind {
    const char* what;
    std::vector<Prefix> TapRecord::*list;
    // What the tap's other prefixes rule out, before anything is asked of the kernel.
    Status (*refuse)(const TapRecord&, const Prefix&);
    Status (*add)(NlSocket&, const TapRecord&, const Prefix&);
    Status (*remove)(NlSocket&, int, const Prefix&);
    // The tap's IPv4 addresses are what masquerade applies to: they may not change under it.
    bool fixed_while_masquerading;
};

namespace {

const PrefixKind kAddressKind{
    "address",
    &TapRecord::addresses,
    [](const TapRecord&, const Prefix& p) { return check_tap_address(p); },
    [](NlSocket& nl, const TapRecord& r, const Prefix& p) {
        return add_address(nl, r.ifindex, p, address_options(r, p));
    },
    delete_address,
    true};
const PrefixKind kRouteKind{
    "route", &TapRecord::routes,
    // An address's prefix route is the kernel's from the start (only CreateTap, which adds
    // routes and addresses together, can make it tapd's).
    [](const TapRecord& r, const Prefix& route) -> Status {
        for (const auto& a : r.addresses)
            if (a.network() == route)
                return make_error(ErrorKind::Conflict,
                                  "route " + route.str() + " is already there as the prefix route" +
                                      " of address " + a.str() + " on '" + r.name + "'");
        return {};
    },
    [](NlSocket& nl, const TapRecord& r, const Prefix& p) { return add_route(nl, r.ifindex, p); },
    delete_route, false};

}  // namespace

Status Service::add_prefix(const Caller& caller, const IfName& ifname, const Prefix& p,
                           const PrefixKind& kind) {
    const std::string& name = ifname.str();
    auto r = owned_tap(caller, ifname);
    if (!r) return r.error();
    if (auto st = Policy::check_prefix(policy_.get()->grant_for(caller), p, kind.what); !st)
        return st;
    TapRecord& rec = *r.value();
    auto& list = rec.*kind.list;
    if (std::find(list.begin(), list.end(), p) != list.end())
        return make_error(ErrorKind::Conflict,
                          "tap '" + name + "' already has " + kind.what + " " + p.str());
    if (kind.fixed_while_masquerading && rec.masquerade && p.address.family == AF_INET)
        return make_error(ErrorKind::Conflict, "turn masquerade off before adding IPv4 address " +
                                                   p.str() + " to '" + name + "'");
    if (auto st = kind.refuse(rec, p); !st) return st;
    if (auto st = check_conflicts({p}, rec.ifindex); !st) return st;
    Undo undo;
    if (auto st = kind.add(*nl_, rec, p); !st) return st;
    undo.push([&] { log_undo_failure(kind.remove(*nl_, rec.ifindex, p)); });
    list.push_back(p);
    undo.push([&] { list.pop_back(); });
    if (auto st = record(name); !st) return st;
    undo.commit();
    changed(TapChange::Changed, name);
    return {};
}

Status Service::remove_prefix(const Caller& caller, const IfName& ifname, const Prefix& p,
                              const PrefixKind& kind) {
    const std::string& name = ifname.str();
    auto r = owned_tap(caller, ifname);
    if (!r) return r.error();
    TapRecord& rec = *r.value();
    auto& list = rec.*kind.list;
    auto it = std::find(list.begin(), list.end(), p);
    if (it == list.end())
        return make_error(ErrorKind::NotFound,
                          "tap '" + name + "' has no " + kind.what + " " + p.str());
    if (kind.fixed_while_masquerading && rec.masquerade && p.address.family == AF_INET)
        return make_error(ErrorKind::Conflict, "turn masquerade off before removing IPv4 address " +
                                                   p.str() + " from '" + name + "'");
    Undo undo;
    if (auto st = kind.remove(*nl_, rec.ifindex, p); !st) return st;
    undo.push([&] { log_undo_failure(kind.add(*nl_, rec, p)); });
    size_t at = static_cast<size_t>(it - list.begin());
    list.erase(it);
    undo.push([&] { list.insert(list.begin() + static_cast<std::ptrdiff_t>(at), p); });
    if (auto st = record(name); !st) return st;
    undo.commit();
    changed(TapChange::Changed, name);
    return {};
}

Status Service::add_address(const Caller& caller, const IfName& name, const TapAddress& a) {
    return add_prefix(caller, name, a.value, kAddressKind);
}

Status Service::remove_address(const Caller& caller, const IfName& name, const TapAddress& a) {
    return remove_prefix(caller, name, a.value, kAddressKind);
}

Status Service::add_route(const Caller& caller, const IfName& name, const Network& route) {
    return add_prefix(caller, name, route.value, kRouteKind);
}

Status Service::remove_route(const Caller& caller, const IfName& name, const Network& route) {
    return remove_prefix(caller, name, route.value, kRouteKind);
}

Status Service::set_masquerade(const Caller& caller, const IfName& ifname, bool enabled) {
    const std::string& name = ifname.str();
    auto r = owned_tap(caller, ifname);
    if (!r) return r.error();
    TapRecord& rec = *r.value();
    if (rec.masquerade == enabled) return {};
    if (enabled && !policy_.get()->grant_for(caller).masquerade)
        return make_error(ErrorKind::PermissionDenied, "the policy does not allow you masquerade");
    if (enabled && rec.masquerade_subnets().empty())
        return make_error(ErrorKind::InvalidArgument,
                          "masquerade needs an IPv4 address on tap '" + name + "'");
    // Apply: the elements (and, with the first or last masquerading tap, the guard and
    // forwarding) in one transaction; then the record; forwarding goes on only once the state
    // file holds its earlier value.
    Undo undo;
    bool forwarding_due = false;
    if (enabled) {
        findings_for_.push_back(name);  // HostCheck after the reply
        auto due = firewall_->enable_masquerade(firewall_tap(rec));
        if (!due) return due.error();
        forwarding_due = due.value();
        undo.push([&] { log_undo_failure(firewall_->disable_masquerade(name)); });
    } else {
        if (auto st = firewall_->disable_masquerade(name); !st) return st;
        undo.push([&] {
            auto due = firewall_->enable_masquerade(firewall_tap(rec));
            if (due && due.value())
                log_undo_failure(firewall_->start_forwarding("masquerading tap=" + name));
            else
                log_undo_failure(due.status());
        });
    }
    rec.masquerade = enabled;
    bool saved = false;
    undo.push([&] {
        rec.masquerade = !enabled;
        if (saved) log_undo_failure(record(name));
    });
    if (auto st = record(name); !st) return st;
    saved = true;
    if (forwarding_due)
        if (auto st = firewall_->start_forwarding("masquerading tap=" + name); !st) return st;
    undo.commit();
    changed(TapChange::Changed, name);
    return {};
}

}  // namespace tapd
