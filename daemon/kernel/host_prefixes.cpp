// HostPrefixes: notifications applied to the address and route indexes, dumps, the conflict
// query.
#include "host_prefixes.hpp"

#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>

namespace tapd {

const std::vector<unsigned>& HostPrefixes::groups() {
    static const std::vector<unsigned> g = {RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
                                            RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, RTNLGRP_LINK};
    return g;
}

void HostPrefixes::apply(NlBytes datagram) {
    if (!for_each_message(datagram, [this](const NlMessage& m) { apply(m); })) current_ = false;
}

void HostPrefixes::apply(const NlMessage& m) {
    switch (m.type()) {
        case RTM_NEWADDR:
        case RTM_DELADDR: {
            auto e = parse_address_event(m);
            if (!e)
                current_ = false;
            else if (e.value())
                address_changed(*e.value());
            return;
        }
        case RTM_NEWROUTE:
        case RTM_DELROUTE: {
            auto e = parse_route_event(m);
            if (!e)
                current_ = false;
            else if (e.value())
                route_changed(*e.value());
            return;
        }
        case RTM_NEWLINK:
        case RTM_DELLINK:
            link_changed(m);
            return;
        default:
            return;
    }
}

void HostPrefixes::address_changed(const AddressEvent& e) {
    const Prefix& a = e.address.address;
    int ifindex = e.address.ifindex;
    bool counted = counts_for_conflicts(a);
    if (!counted && a.address.family != AF_INET) return;  // IPv6 link-local: nothing hangs on it
    PrefixIndex& index = counted ? prefixes_ : uncounted_v4_;
    auto h = PrefixHolder::address_of(ifindex, a, e.peer);
    if (!e.removed) {
        if (!index.contains(a, h)) index.add(a, h);
        return;
    }
    index.remove(a, h);
    // Routes whose source was this address go with it, without a notification
    // (fib_del_ifaddr → fib_sync_down_addr): a default route with `src` on its own link.
    if (a.address.family == AF_INET) default_link_changed(ifindex);
    // With a link's last IPv4 address the kernel drops its IPv4 routes, without a notification
    // (fib_inetaddr_event → fib_disable_ip).
    if (a.address.family == AF_INET && !prefixes_.link_holds(ifindex, AF_INET, Held::Address) &&
        !uncounted_v4_.link_holds(ifindex, AF_INET, Held::Address)) {
        prefixes_.drop_link(ifindex, AF_INET, Held::Route);
        routes_dropped(ifindex);
    }
}

void HostPrefixes::route_changed(const RouteEvent& e) {
    if (e.destination.address.family == AF_INET && e.destination.length == 0) {
        for (int ifindex : e.ifindexes) {
            int& n = default_links_[ifindex];
            n += e.removed ? -1 : 1;
            if (n <= 0) default_links_.erase(ifindex);
        }
        ++epoch_;
    }
    if (!counts_for_conflicts(e.destination)) return;
    for (int ifindex : e.ifindexes) {
        auto h = PrefixHolder::route_via(ifindex);
        if (e.removed)
            prefixes_.remove(e.destination, h);
        else
            prefixes_.add(e.destination, h);
    }
}

void HostPrefixes::link_changed(const NlMessage& m) {
    auto ifi = m.header<ifinfomsg>();
    if (!ifi) {
        current_ = false;
        return;
    }
    // Other families speak of a link's role, not of the link: a port that leaves a bridge is an
    // RTM_DELLINK of AF_BRIDGE.
    if (ifi->ifi_family != AF_UNSPEC) return;
    default_link_changed(ifi->ifi_index);  // renamed, say: /proc/net/route names it
    if (m.type() == RTM_DELLINK) {
        prefixes_.drop_link(ifi->ifi_index);
        uncounted_v4_.drop_link(ifi->ifi_index);
        routes_dropped(ifi->ifi_index);
    } else if (!(ifi->ifi_flags & IFF_UP)) {
        routes_dropped(ifi->ifi_index);
        // A link that goes down loses its routes: IPv4's without a notification
        // (fib_sync_down_dev), IPv6's without one if net.ipv6.route.skip_notify_on_dev_down.
        prefixes_.drop_link(ifi->ifi_index, 0, Held::Route);
    }
}

Status HostPrefixes::discard(NlNotifications& events) {
    for (int reads = 0; reads < kMaxPending; ++reads) {
        auto d = events.next();
        if (!d) {
            if (d.error().err == ENOBUFS) continue;
            return d.error();
        }
        if (d->empty()) return {};
    }
    return make_error(ErrorKind::Failed,
                      "address and route notifications come faster than tapd reads them (over " +
                          std::to_string(kMaxPending) + " pending)");
}

Status HostPrefixes::dump_all(NlChannel& nl) {
    HostPrefixes fresh;
    auto each = [&](const NlMessage& m) { fresh.apply(m); };
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_UNSPEC;
    if (auto st = dump(
            nl, RTM_GETADDR, nl_bytes(&ifa, sizeof ifa), each,
            [&] {
                fresh.prefixes_.clear();
                fresh.uncounted_v4_.clear();
            },
            "listing addresses");
        !st)
        return st;
    rtmsg rtm{};
    rtm.rtm_family = AF_UNSPEC;
    if (auto st = dump(
            nl, RTM_GETROUTE, nl_bytes(&rtm, sizeof rtm), each,
            [&] {
                fresh.prefixes_.clear(Held::Route);
                fresh.default_links_.clear();
            },
            "listing routes");
        !st)
        return st;
    prefixes_ = std::move(fresh.prefixes_);
    uncounted_v4_ = std::move(fresh.uncounted_v4_);
    default_links_ = std::move(fresh.default_links_);
    ++epoch_;
    return {};
}

Status HostPrefixes::resync(NlNotifications& events, NlChannel& nl) {
    current_ = false;
    for (int attempt = 1;; ++attempt) {
        // What is pending is older than the dumps, which hold its outcome.
        if (auto st = discard(events); !st) return st;
        if (auto st = dump_all(nl); !st) return st;
        auto d = events.next();
        if (d && d->empty()) break;  // nothing changed since the discard: the dumps are exact
        if (attempt < kResyncAttempts) continue;
        // Still changing: what came meanwhile is applied over the dumps. An event older than
        // the dumps replays what they hold already, but for one case: the removal of one of two
        // routes alike (same destination and link, other metrics) takes the one the dump found
        // too, until the next resync.
        current_ = d.ok();
        if (current_) apply(d.value());
        if (current_ && drain_all(events)) return {};
        return make_error(ErrorKind::Failed,
                          "the host's addresses and routes change faster than tapd can list them");
    }
    current_ = true;
    return {};
}

bool HostPrefixes::drain_all(NlNotifications& events) {
    for (int reads = 0; current_ && reads < kMaxPending; ++reads) {
        auto d = events.next();
        if (!d) {
            current_ = false;
            break;
        }
        if (d->empty()) return true;
        apply(d.value());
    }
    return false;
}

Status HostPrefixes::refresh(NlNotifications& events, NlChannel& nl) {
    if (current_ && drain_all(events)) return {};
    return resync(events, nl);
}

void HostPrefixes::drain_some(NlNotifications& events) {
    for (int reads = 0; reads < kMaxReads; ++reads) {
        auto d = events.next();
        if (!d) {
            current_ = false;
            continue;
        }
        if (d->empty()) return;
        if (current_) apply(d.value());
    }
}

std::optional<HostPrefixes::Conflict> HostPrefixes::find_conflict(const Prefix& w,
                                                                  int except_ifindex) const {
    if (!counts_for_conflicts(w)) return std::nullopt;
    auto o = prefixes_.find_address_or_route(w, except_ifindex);
    if (!o) return std::nullopt;
    return Conflict{o->holder.held == Held::Route, *o};
}

}  // namespace tapd
