// Route messages as bytes: RTM_NEWROUTE parsed into RouteEntry, and the requests that add and
// delete tapd's routes. Pure: tested from byte arrays and fuzzed.
#pragma once

#include <optional>

#include "ip.hpp"
#include "netlink_message.hpp"

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

// RTM_NEWROUTE with NLM_F_CREATE|NLM_F_EXCL|NLM_F_ACK: PREFIX via link IFINDEX, main table,
// scope link, protocol kRouteProtocol, unicast.
NlRequest add_route_request(int ifindex, const Prefix& prefix, uint32_t seq);
// RTM_DELROUTE with NLM_F_ACK for the same route.
NlRequest delete_route_request(int ifindex, const Prefix& prefix, uint32_t seq);

}  // namespace tapd
