// libnl-route route operations.
#include "route.hpp"

#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/route/route.h>

#include <cstring>
#include <memory>

namespace tapd {

namespace {
struct RouteDeleter {
    void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};
struct NlAddrDeleter {
    void operator()(nl_addr* a) const { nl_addr_put(a); }
};
using RoutePtr = std::unique_ptr<rtnl_route, RouteDeleter>;

Result<RoutePtr> build(int ifindex, const Prefix& p) {
    RoutePtr r(rtnl_route_alloc());
    std::unique_ptr<nl_addr, NlAddrDeleter> dst(
        nl_addr_build(p.address.family, p.address.bytes.data(), p.address.bits() / 8));
    rtnl_nexthop* nh = rtnl_route_nh_alloc();
    if (!r || !dst || !nh) {
        if (nh) rtnl_route_nh_free(nh);
        return make_error(ErrorKind::Failed, "rtnl_route_alloc: out of memory");
    }
    nl_addr_set_prefixlen(dst.get(), p.length);
    rtnl_route_set_family(r.get(), p.address.family);
    if (int err = rtnl_route_set_dst(r.get(), dst.get()); err < 0)
        return nl_error("route " + p.str(), err);
    rtnl_route_set_table(r.get(), RT_TABLE_MAIN);
    rtnl_route_set_protocol(r.get(), kRouteProtocol);
    rtnl_route_set_scope(r.get(), RT_SCOPE_LINK);
    rtnl_route_set_type(r.get(), RTN_UNICAST);
    rtnl_route_nh_set_ifindex(nh, ifindex);
    rtnl_route_add_nexthop(r.get(), nh);  // the route owns nh from here
    return r;
}
}  // namespace

Status add_route(NlSocket& nl, int ifindex, const Prefix& p) {
    auto r = build(ifindex, p);
    if (!r) return r.error();
    if (int err = rtnl_route_add(nl.get(), r->get(), NLM_F_EXCL); err < 0)
        return nl_error("adding route " + p.str(), err);
    return {};
}

Status delete_route(NlSocket& nl, int ifindex, const Prefix& p) {
    auto r = build(ifindex, p);
    if (!r) return r.error();
    int err = rtnl_route_delete(nl.get(), r->get(), 0);
    if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV || err == -NLE_NOADDR) return {};
    if (err < 0) return nl_error("deleting route " + p.str(), err);
    return {};
}

Result<std::vector<RouteEntry>> list_routes(NlSocket& nl) {
    std::vector<RouteEntry> out;
    rtmsg request{};
    request.rtm_family = AF_UNSPEC;
    auto each = [&](nlmsghdr* h) {
        if (h->nlmsg_type != RTM_NEWROUTE) return;
        nlattr* tb[RTA_MAX + 1];
        if (nlmsg_parse(h, sizeof(rtmsg), tb, RTA_MAX, nullptr) < 0) return;
        const auto* rtm = static_cast<const rtmsg*>(nlmsg_data(h));
        uint32_t table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
        int family = rtm->rtm_family;
        if (table != RT_TABLE_MAIN || (family != AF_INET && family != AF_INET6)) return;
        RouteEntry e;
        e.destination.address.family = family;
        if (tb[RTA_DST]) {  // none: a default route
            size_t len = static_cast<size_t>(nla_len(tb[RTA_DST]));
            if (len > 16) return;
            std::memcpy(e.destination.address.bytes.data(), nla_data(tb[RTA_DST]), len);
        }
        e.destination.length = rtm->rtm_dst_len;
        if (tb[RTA_OIF]) {
            e.ifindex = static_cast<int>(nla_get_u32(tb[RTA_OIF]));
        } else if (tb[RTA_MULTIPATH] &&
                   static_cast<size_t>(nla_len(tb[RTA_MULTIPATH])) >= sizeof(rtnexthop)) {
            e.ifindex = static_cast<const rtnexthop*>(nla_data(tb[RTA_MULTIPATH]))->rtnh_ifindex;
        }
        out.push_back(e);
    };
    if (auto st = dump(
            nl, RTM_GETROUTE, &request, sizeof request, each, [&] { out.clear(); },
            "listing routes");
        !st)
        return st.error();
    return out;
}

}  // namespace tapd
