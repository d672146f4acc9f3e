// parse_route(), parse_route_event() and the route requests, over the checked views of
// netlink_message.hpp.
#include "route_messages.hpp"

#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <string>

namespace tapd {

namespace {

enum class Fit { Ours, NotOurs, Malformed };

// Reads the rtmsg (into RTM) and the destination (into DST) of route message M, whose attributes
// are TB: Ours for a route of the main table (RTA_TABLE, else rtm_table), IPv4 or IPv6; NotOurs
// for another table or family; Malformed, saying WHY, for one that does not hold.
Fit read_destination(const NlMessage& m, const NlAttrTable<RTA_MAX>& tb, rtmsg& rtm, Prefix& dst,
                     std::string& why) {
    auto h = m.header<rtmsg>();
    if (!h) {
        why = "shorter than rtmsg";
        return Fit::Malformed;
    }
    rtm = *h;
    uint32_t table = nl_u32(tb[RTA_TABLE]).value_or(rtm.rtm_table);
    int family = rtm.rtm_family;
    if (table != RT_TABLE_MAIN || (family != AF_INET && family != AF_INET6)) return Fit::NotOurs;
    size_t len = family == AF_INET ? 4 : 16;
    if (rtm.rtm_dst_len > len * 8) {
        why = "prefix length " + std::to_string(rtm.rtm_dst_len);
        return Fit::Malformed;
    }
    dst = Prefix{};
    dst.address.family = family;
    if (const auto& d = tb[RTA_DST]) {  // none: a default route
        if (d->size() != len) {
            why = "a destination of " + std::to_string(d->size()) + " bytes";
            return Fit::Malformed;
        }
        std::memcpy(dst.address.bytes.data(), d->data(), len);
    }
    dst.length = rtm.rtm_dst_len;
    return Fit::Ours;
}

}  // namespace

std::optional<RouteEntry> parse_route(const NlMessage& m) {
    if (m.type() != RTM_NEWROUTE) return std::nullopt;
    NlAttrTable<RTA_MAX> tb(m.attributes(sizeof(rtmsg)));
    rtmsg rtm;
    RouteEntry e;
    std::string why;
    if (read_destination(m, tb, rtm, e.destination, why) != Fit::Ours) return std::nullopt;
    if (auto oif = nl_u32(tb[RTA_OIF])) {
        e.ifindex = static_cast<int>(*oif);
    } else if (const auto& mp = tb[RTA_MULTIPATH]; mp && mp->size() >= sizeof(rtnexthop)) {
        rtnexthop nh;
        std::memcpy(&nh, mp->data(), sizeof nh);
        e.ifindex = nh.rtnh_ifindex;
    }
    return e;
}

Result<std::optional<RouteEvent>> parse_route_event(const NlMessage& m) {
    if (m.type() != RTM_NEWROUTE && m.type() != RTM_DELROUTE) return std::optional<RouteEvent>();
    NlAttrTable<RTA_MAX> tb(m.attributes(sizeof(rtmsg)));
    rtmsg rtm;
    RouteEvent e;
    std::string why;
    switch (read_destination(m, tb, rtm, e.destination, why)) {
        case Fit::NotOurs:
            return std::optional<RouteEvent>();
        case Fit::Malformed:
            return make_error(
                ErrorKind::InvalidArgument,
                std::string(m.type() == RTM_NEWROUTE ? "RTM_NEWROUTE" : "RTM_DELROUTE") + ": " +
                    why);
        case Fit::Ours:
            break;
    }
    if (rtm.rtm_flags & RTM_F_CLONED) return std::optional<RouteEvent>();
    e.removed = m.type() == RTM_DELROUTE;
    if (auto oif = nl_u32(tb[RTA_OIF])) {
        e.ifindexes.push_back(static_cast<int>(*oif));
    } else if (const auto& mp = tb[RTA_MULTIPATH]) {
        // rtnexthops one after the other, each rtnh_len long (padded to 4), read as far as they
        // hold.
        NlBytes rest = *mp;
        while (rest.size() >= sizeof(rtnexthop)) {
            rtnexthop nh;
            std::memcpy(&nh, rest.data(), sizeof nh);
            if (nh.rtnh_len < sizeof nh || nh.rtnh_len > rest.size()) break;
            e.ifindexes.push_back(nh.rtnh_ifindex);
            size_t step = RTNH_ALIGN(nh.rtnh_len);
            rest = step >= rest.size() ? NlBytes{} : rest.subspan(step);
        }
    }
    if (e.ifindexes.empty()) e.ifindexes.push_back(0);
    return std::optional<RouteEvent>(std::move(e));
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
