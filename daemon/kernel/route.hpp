// Routes, always in the main table and marked with tapd's rtm_protocol (route_messages.hpp builds
// and parses).
#pragma once

#include <vector>

#include "ip.hpp"
#include "netlink.hpp"
#include "route_messages.hpp"

namespace tapd {

// Adds PREFIX via the link, scope link, protocol kRouteProtocol (NLM_F_EXCL: Conflict if the same
// route exists). The link must be up: the kernel refuses a route through a down link.
Status add_route(NlSocket& nl, int ifindex, const Prefix& prefix);
// Deletes tapd's route PREFIX via the link; a route already gone counts as success.
Status delete_route(NlSocket& nl, int ifindex, const Prefix& prefix);

// Routes of the main table (IPv4 and IPv6; one dump, retried when interrupted).
Result<std::vector<RouteEntry>> list_routes(NlSocket& nl);

}  // namespace tapd
