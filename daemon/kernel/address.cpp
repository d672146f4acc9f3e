// libnl-route address operations.
#include "address.hpp"

#include <linux/if_addr.h>
#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>

#include <algorithm>
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

Status check_tap_address(const Prefix& p) {
    const auto& b = p.address.bytes;
    const char* kind = nullptr;
    if (p.address.family == AF_INET) {
        if (b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0)
            kind = "the unspecified address";
        else if (b[0] == 0)
            kind = "in 0.0.0.0/8 (this network, RFC 1122)";
        else if (b[0] == 127)
            kind = "a loopback address (127.0.0.0/8)";
        else if ((b[0] & 0xf0) == 224)
            kind = "a multicast address (224.0.0.0/4)";
        else if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)
            kind = "the limited broadcast address";
        else if ((b[0] & 0xf0) == 240)
            kind = "in 240.0.0.0/4 (reserved, RFC 1112)";
        else if (b[0] == 169 && b[1] == 254 && b[2] == 169 && b[3] == 254)
            kind = "the cloud metadata address";
    } else {
        bool zero_but_last = std::all_of(b.begin(), b.end() - 1, [](uint8_t x) { return x == 0; });
        bool mapped = std::all_of(b.begin(), b.begin() + 10, [](uint8_t x) { return x == 0; }) &&
                      b[10] == 0xff && b[11] == 0xff;
        static constexpr uint8_t kMetadata6[16] = {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0,    0,
                                                   0,    0,    0,    0,    0, 0, 0x02, 0x54};
        if (zero_but_last && b[15] == 0)
            kind = "the unspecified address";
        else if (zero_but_last && b[15] == 1)
            kind = "the loopback address";
        else if (b[0] == 0xff)
            kind = "a multicast address (ff00::/8)";
        else if (mapped)
            kind = "an IPv4-mapped address (::ffff:0:0/96)";
        else if (std::equal(b.begin(), b.end(), kMetadata6))
            kind = "the cloud metadata address";
    }
    if (!kind) return {};
    return make_error(ErrorKind::InvalidArgument, "address " + p.str() + " is " + kind +
                                                      ", which is never the address of a tap");
}

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
    std::vector<InterfaceAddress> out;
    ifaddrmsg request{};
    request.ifa_family = AF_UNSPEC;
    auto each = [&](nlmsghdr* h) {
        if (h->nlmsg_type != RTM_NEWADDR) return;
        nlattr* tb[IFA_MAX + 1];
        if (nlmsg_parse(h, sizeof(ifaddrmsg), tb, IFA_MAX, nullptr) < 0) return;
        const auto* ifa = static_cast<const ifaddrmsg*>(nlmsg_data(h));
        int family = ifa->ifa_family;
        if (family != AF_INET && family != AF_INET6) return;
        // The local address: IFA_LOCAL; IPv6 sends it as IFA_ADDRESS alone (IPv4's
        // IFA_ADDRESS is the peer of a point-to-point link).
        nlattr* local = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
        size_t len = family == AF_INET ? 4 : 16;
        if (!local || static_cast<size_t>(nla_len(local)) != len) return;
        InterfaceAddress ia;
        ia.ifindex = static_cast<int>(ifa->ifa_index);
        ia.address.address.family = family;
        std::memcpy(ia.address.address.bytes.data(), nla_data(local), len);
        ia.address.length = ifa->ifa_prefixlen;
        out.push_back(ia);
    };
    if (auto st = dump(
            nl, RTM_GETADDR, &request, sizeof request, each, [&] { out.clear(); },
            "listing addresses");
        !st)
        return st.error();
    return out;
}

}  // namespace tapd
