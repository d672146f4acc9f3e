// libnl-route link operations; each error names the link and the operation.
#include "link.hpp"

#include <net/if.h>
#include <sys/ioctl.h>

#include <linux/if_tun.h>
#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
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

// Attribute readers that check the length first: nla_parse() without a policy does not.
std::optional<uint32_t> get_u32(const nlattr* a) {
    if (!a || nla_len(a) < static_cast<int>(sizeof(uint32_t))) return std::nullopt;
    return nla_get_u32(const_cast<nlattr*>(a));
}
std::optional<uint8_t> get_u8(const nlattr* a) {
    if (!a || nla_len(a) < 1) return std::nullopt;
    return nla_get_u8(const_cast<nlattr*>(a));
}
std::string get_string(const nlattr* a) {
    if (!a) return {};
    const char* data = static_cast<const char*>(nla_data(a));
    return std::string(data, ::strnlen(data, static_cast<size_t>(nla_len(a))));
}

std::optional<TunInfo> parse_tun(nlattr* data) {
    nlattr* tb[IFLA_TUN_MAX + 1];
    if (nla_parse_nested(tb, IFLA_TUN_MAX, data, nullptr) < 0) return std::nullopt;
    TunInfo t;
    t.owner = get_u32(tb[IFLA_TUN_OWNER]);
    t.group = get_u32(tb[IFLA_TUN_GROUP]);
    t.tap = get_u8(tb[IFLA_TUN_TYPE]).value_or(0) == IFF_TAP;
    t.persist = get_u8(tb[IFLA_TUN_PERSIST]).value_or(0) != 0;
    t.multi_queue = get_u8(tb[IFLA_TUN_MULTI_QUEUE]).value_or(0) != 0;
    t.queues = get_u32(tb[IFLA_TUN_NUM_QUEUES]);
    t.disabled_queues = get_u32(tb[IFLA_TUN_NUM_DISABLED_QUEUES]);
    return t;
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

std::optional<LinkInfo> parse_link(const nlmsghdr* h) {
    if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) return std::nullopt;
    auto* hdr = const_cast<nlmsghdr*>(h);
    nlattr* tb[IFLA_MAX + 1];
    if (!nlmsg_valid_hdr(hdr, sizeof(ifinfomsg)) ||
        nlmsg_parse(hdr, sizeof(ifinfomsg), tb, IFLA_MAX, nullptr) < 0)
        return std::nullopt;
    const auto* ifi = static_cast<const ifinfomsg*>(nlmsg_data(hdr));
    LinkInfo info;
    info.ifindex = ifi->ifi_index;
    info.name = get_string(tb[IFLA_IFNAME]);
    info.alias = get_string(tb[IFLA_IFALIAS]);
    info.mtu = get_u32(tb[IFLA_MTU]).value_or(0);
    if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == 6) {
        const auto* b = static_cast<const unsigned char*>(nla_data(tb[IFLA_ADDRESS]));
        char mac[18];
        std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3],
                      b[4], b[5]);
        info.mac = mac;
    }
    if (tb[IFLA_LINKINFO]) {
        nlattr* li[IFLA_INFO_MAX + 1];
        if (nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], nullptr) < 0)
            return std::nullopt;
        info.kind = get_string(li[IFLA_INFO_KIND]);
        if (info.kind == "tun" && li[IFLA_INFO_DATA]) {
            info.tun = parse_tun(li[IFLA_INFO_DATA]);
            if (!info.tun) return std::nullopt;
        }
    }
    return info;
}

Result<std::vector<LinkInfo>> list_links(NlSocket& nl) {
    std::vector<LinkInfo> out;
    ifinfomsg request{};
    request.ifi_family = AF_UNSPEC;
    auto each = [&](nlmsghdr* h) {
        if (auto l = parse_link(h)) out.push_back(std::move(*l));
    };
    if (auto st = dump(
            nl, RTM_GETLINK, &request, sizeof request, each, [&] { out.clear(); }, "listing links");
        !st)
        return st.error();
    return out;
}

Result<std::optional<LinkInfo>> get_link(NlSocket& nl, int ifindex) {
    ifinfomsg request{};
    request.ifi_family = AF_UNSPEC;
    request.ifi_index = ifindex;
    std::optional<LinkInfo> found;
    Status st = get(
        nl, RTM_GETLINK, &request, sizeof request,
        [&](nlmsghdr* h) {
            if (auto l = parse_link(h); l && l->ifindex == ifindex) found = std::move(l);
        },
        "reading link #" + std::to_string(ifindex));
    if (!st && st.error().kind == ErrorKind::NotFound) return std::optional<LinkInfo>{};
    if (!st) return st.error();
    return found;
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
