// Veth requests as bytes: a pair whose peer is born in another network namespace, and a default
// route via a gateway. Pure: tested without a kernel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ip.hpp"
#include "netlink_message.hpp"

namespace tapd {

struct VethSpec {
    std::string name;       // the host side, in tapd's namespace
    std::string peer_name;  // the other side, in the target namespace
    int peer_netns_fd = -1;
    std::optional<uint32_t> mtu;  // both sides
};

// RTM_NEWLINK (NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK) of kind "veth": both sides down, the
// peer already in the namespace of PEER_NETNS_FD (VETH_INFO_PEER's IFLA_NET_NS_FD), so
// that it never exists in tapd's namespace under a name the caller chose.
NlRequest create_veth_request(const VethSpec& spec, uint32_t seq);

// RTM_NEWROUTE (NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK) of the default route of GATEWAY's family
// via GATEWAY on link IFINDEX, in the main table with tapd's rtm_protocol.
NlRequest default_route_request(int ifindex, const IpAddress& gateway, uint32_t seq);

}  // namespace tapd
