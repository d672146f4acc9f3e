// parse_route() and the route requests, over the checked views of netlink_message.hpp.
#include "route_messages.hpp"

#include <linux/rtnetlink.h>
#include <sys/socket.h>

namespace tapd {

std::optional<RouteEntry> parse_route(const NlMessage& m) {
    if (m.type() != RTM_NEWROUTE) return std::nullopt;
    auto rtm = m.header<rtmsg>();
    if (!rtm) return std::nullopt;
    NlAttrTable<RTA_MAX> tb(m.attributes(sizeof(rtmsg)));
    uint32_t table = nl_u32(tb[RTA_TABLE]).value_or(rtm->rtm_table);
    int family = rtm->rtm_family;
    if (table != RT_TABLE_MAIN || (family != AF_INET && family != AF_INET6)) return std::nullopt;
    size_t len = family == AF_INET ? 4 : 16;
    if (rtm->rtm_dst_len > len * 8) return std::nullopt;
    RouteEntry e;
    e.destination.address.family = family;
    if (const auto& dst = tb[RTA_DST]) {  // none: a default route
        if (dst->size() != len) return std::nullopt;
        std::memcpy(e.destination.address.bytes.data(), dst->data(), len);
    }
    e.destination.length = rtm->rtm_dst_len;
    if (auto oif = nl_u32(tb[RTA_OIF])) {
        e.ifindex = static_cast<int>(*oif);
    } else if (const auto& mp = tb[RTA_MULTIPATH]; mp && mp->size() >= sizeof(rtnexthop)) {
        rtnexthop nh;
        std::memcpy(&nh, mp->data(), sizeof nh);
        e.ifindex = nh.rtnh_ifindex;
    }
    return e;
}

namespace {

NlRequest route_request(uint16_t type, uint16_t flags, int ifindex, const Prefix& p, uint32_t seq) {
    rtmsg rtm{};
    rtm.rtm_family = static_cast<uint8_t>(p.address.family);
    rtm.rtm_dst_len = p.length;
    rtm.rtm_table = RT_TABLE_MAIN;
    rtm.rtm_protocol = kRouteProtocol;
    rtm.rtm_scope = RT_SCOPE_LINK;
    rtm.rtm_type = RTN_UNICAST;
    NlRequest r(type, flags, seq);
    r.family(rtm);
    r.attr(RTA_DST, p.address.bytes.data(), static_cast<size_t>(p.address.bits() / 8));
    r.attr_u32(RTA_TABLE, RT_TABLE_MAIN);
    r.attr_u32(RTA_OIF, static_cast<uint32_t>(ifindex));
    return r;
}

}  // namespace

NlRequest add_route_request(int ifindex, const Prefix& p, uint32_t seq) {
    return route_request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, ifindex, p, seq);
}

NlRequest delete_route_request(int ifindex, const Prefix& p, uint32_t seq) {
    return route_request(RTM_DELROUTE, NLM_F_ACK, ifindex, p, seq);
}

}  // namespace tapd
