// libnl-route address operations.
#include "address.hpp"

#include <linux/if_addr.h>
#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/route/addr.h>

#include <cstring>
#include <memory>

namespace tapd {

namespace {
struct RtAddrDeleter {
    void operator()(rtnl_addr* a) const { rtnl_addr_put(a); }
};
struct NlAddrDeleter {
    void operator()(nl_addr* a) const { nl_addr_put(a); }
};
struct CacheDeleter {
    void operator()(nl_cache* c) const { nl_cache_free(c); }
};
using RtAddrPtr = std::unique_ptr<rtnl_addr, RtAddrDeleter>;

Result<RtAddrPtr> build(int ifindex, const Prefix& p) {
    RtAddrPtr a(rtnl_addr_alloc());
    std::unique_ptr<nl_addr, NlAddrDeleter> local(
        nl_addr_build(p.address.family, p.address.bytes.data(), p.address.bits() / 8));
    if (!a || !local) return make_error(ErrorKind::Failed, "rtnl_addr_alloc: out of memory");
    nl_addr_set_prefixlen(local.get(), p.length);
    rtnl_addr_set_ifindex(a.get(), ifindex);
    rtnl_addr_set_family(a.get(), p.address.family);
    if (int err = rtnl_addr_set_local(a.get(), local.get()); err < 0)
        return nl_error("address " + p.str(), err);
    rtnl_addr_set_prefixlen(a.get(), p.length);
    return a;
}
}  // namespace

Status add_address(NlSocket& nl, int ifindex, const Prefix& p, AddressOptions options) {
    auto a = build(ifindex, p);
    if (!a) return a.error();
    unsigned flags = 0;
    if (p.address.family == AF_INET6) flags |= IFA_F_NODAD;
    if (options.no_prefix_route) flags |= IFA_F_NOPREFIXROUTE;
    if (flags) rtnl_addr_set_flags(a->get(), flags);
    if (int err = rtnl_addr_add(nl.get(), a->get(), NLM_F_EXCL); err < 0)
        return nl_error("adding address " + p.str(), err);
    return {};
}

Status delete_address(NlSocket& nl, int ifindex, const Prefix& p) {
    auto a = build(ifindex, p);
    if (!a) return a.error();
    int err = rtnl_addr_delete(nl.get(), a->get(), 0);
    if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV || err == -NLE_NOADDR) return {};
    if (err < 0) return nl_error("deleting address " + p.str(), err);
    return {};
}

Result<std::vector<InterfaceAddress>> list_addresses(NlSocket& nl) {
    nl_cache* raw = nullptr;
    if (int err = rtnl_addr_alloc_cache(nl.get(), &raw); err < 0)
        return nl_error("listing addresses", err);
    std::unique_ptr<nl_cache, CacheDeleter> cache(raw);
    std::vector<InterfaceAddress> out;
    for (nl_object* o = nl_cache_get_first(raw); o; o = nl_cache_get_next(o)) {
        auto* a = reinterpret_cast<rtnl_addr*>(o);
        nl_addr* local = rtnl_addr_get_local(a);
        int family = rtnl_addr_get_family(a);
        if (!local || (family != AF_INET && family != AF_INET6)) continue;
        InterfaceAddress ia;
        ia.ifindex = rtnl_addr_get_ifindex(a);
        ia.address.address.family = family;
        size_t len = nl_addr_get_len(local);
        if (len != static_cast<size_t>(family == AF_INET ? 4 : 16)) continue;
        std::memcpy(ia.address.address.bytes.data(), nl_addr_get_binary_addr(local), len);
        ia.address.length = static_cast<uint8_t>(rtnl_addr_get_prefixlen(a));
        out.push_back(ia);
    }
    return out;
}

}  // namespace tapd
