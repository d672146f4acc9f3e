// libnl-route route operations.
#include "route.hpp"

#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/errno.h>
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
struct CacheDeleter {
    void operator()(nl_cache* c) const { nl_cache_free(c); }
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
    nl_cache* raw = nullptr;
    if (int err = rtnl_route_alloc_cache(nl.get(), AF_UNSPEC, 0, &raw); err < 0)
        return nl_error("listing routes", err);
    std::unique_ptr<nl_cache, CacheDeleter> cache(raw);
    std::vector<RouteEntry> out;
    for (nl_object* o = nl_cache_get_first(raw); o; o = nl_cache_get_next(o)) {
        auto* r = reinterpret_cast<rtnl_route*>(o);
        if (rtnl_route_get_table(r) != RT_TABLE_MAIN) continue;
        int family = rtnl_route_get_family(r);
        nl_addr* dst = rtnl_route_get_dst(r);
        if (!dst || (family != AF_INET && family != AF_INET6)) continue;
        RouteEntry e;
        e.destination.address.family = family;
        size_t len = nl_addr_get_len(dst);
        if (len > 16) continue;
        std::memcpy(e.destination.address.bytes.data(), nl_addr_get_binary_addr(dst), len);
        e.destination.length = static_cast<uint8_t>(nl_addr_get_prefixlen(dst));
        e.protocol = rtnl_route_get_protocol(r);
        if (rtnl_route_get_nnexthops(r) > 0)
            e.ifindex = rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(r, 0));
        out.push_back(e);
    }
    return out;
}

}  // namespace tapd
