// Interface addresses: check, add, delete, list (address_messages.hpp builds and parses).
#pragma once

#include <vector>

#include "address_messages.hpp"
#include "ip.hpp"
#include "netlink.hpp"

namespace tapd {

// Refuses, for every caller, an address no tap may have: unspecified (0.0.0.0, ::) and the rest
// of 0.0.0.0/8, loopback (127.0.0.0/8, ::1), multicast (224.0.0.0/4, ff00::/8), reserved
// (240.0.0.0/4) and the limited broadcast 255.255.255.255, IPv4-mapped IPv6 (::ffff:0:0/96),
// and the cloud metadata addresses 169.254.169.254 and fd00:ec2::254. Each would make the host
// answer for, or send to, what is not the tap's.
// Returns InvalidArgument naming the address and the kind.
Status check_tap_address(const Prefix& address);

// Adds ADDR/PLEN to the link (NLM_F_EXCL: an address already there is a Conflict). IPv6
// addresses skip duplicate address detection (IFA_F_NODAD) so they are usable at once.
Status add_address(NlSocket& nl, int ifindex, const Prefix& address, AddressOptions options = {});
// Removes ADDR/PLEN; an address already gone counts as success.
Status delete_address(NlSocket& nl, int ifindex, const Prefix& address);

// Every IPv4 and IPv6 address in the namespace (one dump, retried when interrupted).
Result<std::vector<InterfaceAddress>> list_addresses(NlSocket& nl);

}  // namespace tapd
