// Veth requests as bytes (veth_messages.hpp).
#include "veth_messages.hpp"

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>

#include "route_messages.hpp"

namespace tapd {

NlRequest create_veth_request(const VethSpec& spec, uint32_t seq) {
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    NlRequest r(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, seq);
    r.family(ifi);
    r.attr_string(IFLA_IFNAME, spec.name);
    if (spec.mtu) r.attr_u32(IFLA_MTU, *spec.mtu);
    size_t linkinfo = r.begin_nest(IFLA_LINKINFO);
    r.attr_string(IFLA_INFO_KIND, "veth");
    size_t data = r.begin_nest(IFLA_INFO_DATA);
    // VETH_INFO_PEER holds an ifinfomsg and then the peer's own link attributes (veth.c,
    // veth_newlink). Its flags stay 0: the peer is configured before the pair is joined, and
    // veth_open() refuses to bring up a veth without its peer (ENOTCONN).
    size_t peer = r.begin_nest(VETH_INFO_PEER);
    ifinfomsg peer_ifi{};
    peer_ifi.ifi_family = AF_UNSPEC;
    r.family(peer_ifi);
    r.attr_string(IFLA_IFNAME, spec.peer_name);
    if (spec.mtu) r.attr_u32(IFLA_MTU, *spec.mtu);
    r.attr_u32(IFLA_NET_NS_FD, static_cast<uint32_t>(spec.peer_netns_fd));
    r.end_nest(peer);
    r.end_nest(data);
    r.end_nest(linkinfo);
    return r;
}

NlRequest default_route_request(int ifindex, const IpAddress& gateway, uint32_t seq) {
    rtmsg rtm{};
    rtm.rtm_family = static_cast<uint8_t>(gateway.family);
    rtm.rtm_dst_len = 0;
    rtm.rtm_table = RT_TABLE_MAIN;
    rtm.rtm_protocol = kRouteProtocol;
    rtm.rtm_scope = RT_SCOPE_UNIVERSE;
    rtm.rtm_type = RTN_UNICAST;
    NlRequest r(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, seq);
    r.family(rtm);
    r.attr(RTA_GATEWAY, gateway.bytes.data(), static_cast<size_t>(gateway.bits() / 8));
    r.attr_u32(RTA_TABLE, RT_TABLE_MAIN);
    r.attr_u32(RTA_OIF, static_cast<uint32_t>(ifindex));
    return r;
}

}  // namespace tapd
