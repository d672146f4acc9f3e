// Route messages as bytes: RTM_NEWROUTE parsed into RouteEntry, notifications (RTM_NEWROUTE,
// RTM_DELROUTE) into RouteEvent, and the requests that add and delete tapd's routes. Pure: tested
// from byte arrays and fuzzed.
#pragma once

#include <optional>
#include <vector>

#include "ip.hpp"
#include "netlink_message.hpp"
#include "result.hpp"

namespace tapd {

// tapd's own rtm_protocol number for the routes it adds: "ip route" shows "proto 177" (not in
// /etc/iproute2/rt_protos), so tapd's routes can be told from everyone else's.
inline constexpr unsigned char kRouteProtocol = 177;

struct RouteEntry {
    int ifindex = 0;  // first nexthop's link, 0 if none
    Prefix destination;
};

// An RTM_NEWROUTE message of the main table (RTA_TABLE, else rtm_table), IPv4 or IPv6, as its
// destination (none: a default route) and first nexthop's link (RTA_OIF, else the first of
// RTA_MULTIPATH); nullopt for any other message, or a destination of the wrong length.
std::optional<RouteEntry> parse_route(const NlMessage& m);

// A route notification: RTM_NEWROUTE (added, or replaced: NLM_F_REPLACE, whose old route gets no
// message of its own) or RTM_DELROUTE.
struct RouteEvent {
    bool removed = false;
    Prefix destination;
    // Every nexthop's link: RTA_OIF, else each rtnexthop of RTA_MULTIPATH (the kernel may add or
    // remove one nexthop of a multipath route at a time); {0} if none.
    std::vector<int> ifindexes;
};

// An RTM_NEWROUTE or RTM_DELROUTE message of the main table (as parse_route() reads it) that is
// no cache entry (RTM_F_CLONED) as a RouteEvent; nullopt for another message, family or table;
// an Error for an IPv4 or IPv6 route message that does not hold (too short, a destination of the
// wrong length, a prefix length past the address).
Result<std::optional<RouteEvent>> parse_route_event(const NlMessage& m);

// RTM_NEWROUTE with NLM_F_CREATE|NLM_F_EXCL|NLM_F_ACK: PREFIX via link IFINDEX, main table,
// scope link, protocol kRouteProtocol, unicast.
NlRequest add_route_request(int ifindex, const Prefix& prefix, uint32_t seq);
// RTM_DELROUTE with NLM_F_ACK for the same route.
NlRequest delete_route_request(int ifindex, const Prefix& prefix, uint32_t seq);

}  // namespace tapd
