// HostPrefixes: the host's addresses and routes that a tap's may not overlap, in a PrefixIndex
// kept current by rtnetlink notifications and rebuilt from dumps when notifications were lost,
// so that a conflict check needs no dump. Pure but for the notifications (an NlNotifications)
// and the dumps (an NlChannel): tested from bytes.
//
// Theory of operation: the socket joins the groups before the first dump, so that no change is
// missed between the two; a dump after it throws away whatever was pending (older than the dump,
// which holds its outcome). Notifications then apply in the kernel's order: an address is a set
// member (the kernel sends RTM_NEWADDR again when an address changes), a route a counted holder
// per nexthop (two routes may share a destination and a link, at other metrics). The kernel
// drops some routes without a notification; tapd drops them too, on the event that drops them:
// a link's IPv4 routes with its last IPv4 address (fib_disable_ip), a link's routes when it goes
// down (IPv4 always silently, IPv6 when net.ipv6.route.skip_notify_on_dev_down is set), all of a
// link's entries when it goes. Anything else it may miss (a replaced route, a route over a
// deleted nexthop object) can only leave an entry too many, never one too few: the caller
// confirms a conflict with resync() before refusing on it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "address_messages.hpp"
#include "netlink.hpp"
#include "prefix_index.hpp"
#include "route_messages.hpp"

namespace tapd {

class HostPrefixes {
  public:
    // The rtnetlink groups whose notifications apply() takes: IPv4 and IPv6 addresses and
    // routes, and links (their deletion, and their going down).
    static const std::vector<unsigned>& groups();

    // Applies every message of one notification DATAGRAM. A datagram that does not hold (bytes
    // that are no whole message, an address, route or link message that does not parse) leaves
    // the index out of date, as lost() does.
    void apply(NlBytes datagram);
    // Notifications were lost: refresh() rebuilds from dumps.
    void lost() { current_ = false; }
    // Whether every notification since the last dump was applied.
    bool current() const { return current_; }

    // Before a check: applies every notification pending in EVENTS; if any were lost (or no
    // dump was ever made), resync(). An Error if a dump fails or notifications come faster than
    // they can be read.
    Status refresh(NlNotifications& events, NlChannel& nl);
    // Throws away what EVENTS holds and rebuilds both indexes from one dump of every address and
    // one of every route (each retried when interrupted) over NL; again, up to kResyncAttempts
    // times in all, while notifications came during the dumps.
    Status resync(NlNotifications& events, NlChannel& nl);
    // The poll loop's: reads at most kMaxReads datagrams of EVENTS, applied while the index is
    // current (else only read: the next refresh() dumps).
    void drain_some(NlNotifications& events);
    static constexpr int kMaxReads = 64;
    // At most this many datagrams are read in one refresh() or resync(); beyond, the kernel
    // writes faster than tapd reads and the check fails.
    static constexpr int kMaxPending = 1 << 16;
    static constexpr int kResyncAttempts = 3;

    struct Conflict {
        bool route = false;  // else an address
        PrefixOverlap overlap;
    };
    // The first address, else route, that overlaps W (one contains the other) held by a link
    // other than EXCEPT_IFINDEX; nullopt if none, or if W does not count (counts_for_conflicts).
    std::optional<Conflict> find_conflict(const Prefix& w, int except_ifindex) const;

    // Changes whenever the host's IPv4 default routes (main table) may have: a /0 route added or
    // removed; any change of a link that carries one (down, deleted, renamed, an IPv4 address
    // removed: the kernel drops the routes whose source it was without a word); a dump. Equal
    // values, while current(), mean the same default routes: a reader of /proc/net/route
    // (HostCheck's uplink) need not read it again. nullopt while a default route has no link
    // of its own here (a nexthop object: `ip nexthop del` drops its routes silently), or a
    // default route's source address is on another link than its own (not tracked).
    std::optional<uint64_t> default_route_epoch() const {
        if (default_links_.contains(0)) return std::nullopt;
        return epoch_;
    }

    size_t address_count() const { return prefixes_.count(Held::Address); }
    size_t route_count() const { return prefixes_.count(Held::Route); }

  private:
    void apply(const NlMessage& m);
    void address_changed(const AddressEvent& e);
    void route_changed(const RouteEvent& e);
    void link_changed(const NlMessage& m);
    // Reads EVENTS until none is pending; an Error past kMaxPending datagrams.
    static Status discard(NlNotifications& events);
    // Applies what EVENTS holds; false (and no longer current) if notifications were lost or
    // did not hold, or more than kMaxPending were pending.
    bool drain_all(NlNotifications& events);
    // Replaces the indexes with what a dump of every address and route holds.
    Status dump_all(NlChannel& nl);

    PrefixIndex prefixes_;  // addresses and routes (an address and its prefix route share a key)
    // IPv4 addresses that never conflict (a /0): only to know a link's last IPv4 address.
    PrefixIndex uncounted_v4_;
    bool current_ = false;
    // Links with IPv4 default routes (how many each): their going drops those silently.
    std::map<int, int> default_links_;
    uint64_t epoch_ = 0;
    // A link that may have lost its IPv4 routes: the epoch moves if it carried a default route.
    void routes_dropped(int ifindex) {
        if (default_links_.erase(ifindex)) ++epoch_;
    }
    // A change of link IFINDEX (its name, an address): the epoch moves if it carries one.
    void default_link_changed(int ifindex) {
        if (default_links_.contains(ifindex)) ++epoch_;
    }
};

}  // namespace tapd
