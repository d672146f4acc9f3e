// Veth pairs whose peer lives in a caller's network namespace (AttachNamespace), and what tapd
// sets inside that namespace through a netlink socket opened there.
#pragma once

#include <memory>

#include "ip.hpp"
#include "netlink.hpp"
#include "result.hpp"
#include "unique_fd.hpp"
#include "veth_messages.hpp"

namespace tapd {

// Creates the pair of SPEC (host side down, peer up in its namespace). An existing name on
// either side is a Conflict naming it.
Status create_veth(NlSocket& nl, const VethSpec& spec);

// The default route of GATEWAY's family via GATEWAY on link IFINDEX (of NL's namespace).
Status add_default_route(NlSocket& nl, int ifindex, const IpAddress& gateway);

// SOCKET as the netlink socket of the namespace NETNS_FD: refused (InvalidArgument) unless it is
// a NETLINK_ROUTE socket in that very namespace (SIOCGSKNS).
Result<std::unique_ptr<NlSocket>> namespace_socket(UniqueFd socket, int netns_fd);

// The longest tapd waits for an answer on a namespace's socket (its opener may read them away).
inline constexpr int kNamespaceSocketTimeoutMs = 2000;

}  // namespace tapd
