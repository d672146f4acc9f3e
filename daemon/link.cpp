// libnl-route link operations; each error names the link and the operation.
#include "link.hpp"

#include <net/if.h>
#include <sys/ioctl.h>

#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/route/link.h>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <memory>

namespace tapd {

namespace {
struct LinkPut {
    void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
using LinkPtr = std::unique_ptr<rtnl_link, LinkPut>;
struct AddrDeleter {
    void operator()(nl_addr* a) const { nl_addr_put(a); }
};
using NlAddrPtr = std::unique_ptr<nl_addr, AddrDeleter>;
struct CacheDeleter {
    void operator()(nl_cache* c) const { nl_cache_free(c); }
};

LinkInfo to_info(rtnl_link* l) {
    LinkInfo info;
    info.ifindex = rtnl_link_get_ifindex(l);
    if (const char* n = rtnl_link_get_name(l)) info.name = n;
    if (const char* k = rtnl_link_get_type(l)) info.kind = k;
    if (const char* a = rtnl_link_get_ifalias(l)) info.alias = a;
    info.mtu = rtnl_link_get_mtu(l);
    if (nl_addr* a = rtnl_link_get_addr(l)) {
        char buf[64];
        info.mac = nl_addr2str(a, buf, sizeof buf);
    }
    return info;
}

// IFR named NAME for the SIOCGIF* ioctls; false if no link can have that name.
bool name_ifreq(ifreq& ifr, const std::string& name) {
    if (name.empty() || name.size() >= sizeof ifr.ifr_name) return false;
    std::memcpy(ifr.ifr_name, name.data(), name.size());
    return true;
}
}  // namespace

Result<int> link_index(NlSocket& nl, const std::string& name) {
    ifreq ifr{};
    if (!name_ifreq(ifr, name)) return 0;  // no link can have it
    if (::ioctl(nl_socket_get_fd(nl.get()), SIOCGIFINDEX, &ifr) < 0) {
        if (errno == ENODEV) return 0;
        return make_error(ErrorKind::Failed, errno_text("SIOCGIFINDEX '" + name + "'", errno));
    }
    return ifr.ifr_ifindex;
}

Result<std::optional<std::string>> link_name(NlSocket& nl, int ifindex) {
    ifreq ifr{};
    ifr.ifr_ifindex = ifindex;
    if (::ioctl(nl_socket_get_fd(nl.get()), SIOCGIFNAME, &ifr) < 0) {
        if (errno == ENODEV) return std::optional<std::string>{};
        return make_error(ErrorKind::Failed,
                          errno_text("SIOCGIFNAME #" + std::to_string(ifindex), errno));
    }
    return std::optional<std::string>(ifr.ifr_name);
}

Result<LinkInfo> link_mtu_mac(NlSocket& nl, const std::string& name) {
    LinkInfo info;
    info.name = name;
    ifreq ifr{};
    if (!name_ifreq(ifr, name)) return make_error(ErrorKind::NotFound, "no link '" + name + "'");
    int fd = nl_socket_get_fd(nl.get());
    if (::ioctl(fd, SIOCGIFMTU, &ifr) < 0)
        return make_error(ErrorKind::Failed, errno_text("SIOCGIFMTU '" + name + "'", errno));
    info.mtu = static_cast<uint32_t>(ifr.ifr_mtu);
    if (::ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
        return make_error(ErrorKind::Failed, errno_text("SIOCGIFHWADDR '" + name + "'", errno));
    char mac[18];
    const auto* b = reinterpret_cast<const unsigned char*>(ifr.ifr_hwaddr.sa_data);
    std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
                  b[5]);
    info.mac = mac;
    return info;
}

Result<std::vector<LinkInfo>> list_links(NlSocket& nl) {
    nl_cache* raw = nullptr;
    int err = rtnl_link_alloc_cache(nl.get(), AF_UNSPEC, &raw);
    if (err < 0) return nl_error("listing links", err);
    std::unique_ptr<nl_cache, CacheDeleter> cache(raw);
    std::vector<LinkInfo> out;
    for (nl_object* o = nl_cache_get_first(raw); o; o = nl_cache_get_next(o))
        out.push_back(to_info(reinterpret_cast<rtnl_link*>(o)));
    return out;
}

Status validate_mac(const std::string& mac) {
    // Checked character by character: sscanf("%2x") would also take " 2", "+2", "-2" and "0x".
    auto bad = [&] {
        return make_error(ErrorKind::InvalidArgument,
                          "invalid MAC address '" + mac + "' (expected aa:bb:cc:dd:ee:ff)");
    };
    if (mac.size() != 17) return bad();
    unsigned b[6] = {};
    for (size_t i = 0; i < mac.size(); ++i) {
        char c = mac[i];
        if (i % 3 == 2) {
            if (c != ':') return bad();
            continue;
        }
        int v = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
        if (v < 0) return bad();
        b[i / 3] = b[i / 3] * 16 + static_cast<unsigned>(v);
    }
    if (b[0] & 1)
        return make_error(ErrorKind::InvalidArgument,
                          "MAC address '" + mac + "' is a multicast address");
    if ((b[0] | b[1] | b[2] | b[3] | b[4] | b[5]) == 0)
        return make_error(ErrorKind::InvalidArgument, "MAC address '" + mac + "' is all zero");
    return {};
}

Status change_link(NlSocket& nl, int ifindex, const std::string& name, const LinkChange& change) {
    LinkPtr orig(rtnl_link_alloc()), req(rtnl_link_alloc());
    if (!orig || !req) return make_error(ErrorKind::Failed, "rtnl_link_alloc: out of memory");
    rtnl_link_set_ifindex(orig.get(), ifindex);
    std::string what;
    if (change.alias) {
        rtnl_link_set_ifalias(req.get(), change.alias->c_str());
        what += " alias";
    }
    if (change.mtu) {
        rtnl_link_set_mtu(req.get(), *change.mtu);
        what += " mtu " + std::to_string(*change.mtu);
    }
    if (change.mac) {
        nl_addr* raw = nullptr;
        if (int err = nl_addr_parse(change.mac->c_str(), AF_LLC, &raw); err < 0)
            return nl_error("parsing MAC '" + *change.mac + "'", err);
        NlAddrPtr addr(raw);
        rtnl_link_set_addr(req.get(), addr.get());
        what += " address " + *change.mac;
    }
    if (change.up) {
        if (*change.up)
            rtnl_link_set_flags(req.get(), IFF_UP);
        else
            rtnl_link_unset_flags(req.get(), IFF_UP);
        what += *change.up ? " up" : " down";
    }
    if (int err = rtnl_link_change(nl.get(), orig.get(), req.get(), 0); err < 0)
        return nl_error("setting link '" + name + "'" + what, err);
    return {};
}

Status delete_link(NlSocket& nl, int ifindex, const std::string& name) {
    LinkPtr l(rtnl_link_alloc());
    if (!l) return make_error(ErrorKind::Failed, "rtnl_link_alloc: out of memory");
    rtnl_link_set_ifindex(l.get(), ifindex);
    int err = rtnl_link_delete(nl.get(), l.get());
    if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) return {};
    if (err < 0) return nl_error("deleting link '" + name + "'", err);
    return {};
}

}  // namespace tapd
