// parse_address(), parse_address_event() and the address requests, over the checked views of
// netlink_message.hpp.
#include "address_messages.hpp"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <string>

namespace tapd {

std::optional<InterfaceAddress> parse_address(const NlMessage& m) {
    if (m.type() != RTM_NEWADDR) return std::nullopt;
    auto e = parse_address_event(m);
    if (!e || !e.value()) return std::nullopt;
    return e.value()->address;
}

Result<std::optional<AddressEvent>> parse_address_event(const NlMessage& m) {
    if (m.type() != RTM_NEWADDR && m.type() != RTM_DELADDR) return std::optional<AddressEvent>();
    auto bad = [&](const std::string& why) {
        return make_error(
            ErrorKind::InvalidArgument,
            std::string(m.type() == RTM_NEWADDR ? "RTM_NEWADDR" : "RTM_DELADDR") + ": " + why);
    };
    auto ifa = m.header<ifaddrmsg>();
    if (!ifa) return bad("shorter than ifaddrmsg");
    int family = ifa->ifa_family;
    if (family != AF_INET && family != AF_INET6) return std::optional<AddressEvent>();
    NlAttrTable<IFA_MAX> tb(m.attributes(sizeof(ifaddrmsg)));
    // The local address: IFA_LOCAL; IPv6 sends it as IFA_ADDRESS alone (IPv4's IFA_ADDRESS is
    // the peer of a point-to-point link).
    const auto& local = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
    size_t len = family == AF_INET ? 4 : 16;
    if (!local || local->size() != len)
        return bad("no local address of " + std::to_string(len) + " bytes");
    if (ifa->ifa_prefixlen > len * 8)
        return bad("prefix length " + std::to_string(ifa->ifa_prefixlen));
    AddressEvent e;
    e.removed = m.type() == RTM_DELADDR;
    e.address.ifindex = static_cast<int>(ifa->ifa_index);
    e.address.address.address.family = family;
    std::memcpy(e.address.address.address.bytes.data(), local->data(), len);
    e.address.address.length = ifa->ifa_prefixlen;
    if (const auto& peer = tb[IFA_ADDRESS]; peer && peer->size() == len) {
        e.peer.family = family;
        std::memcpy(e.peer.bytes.data(), peer->data(), len);
    }
    return std::optional<AddressEvent>(e);
}

namespace {

NlRequest address_request(uint16_t type, uint16_t flags, int ifindex, const Prefix& p,
                          uint32_t address_flags, uint32_t seq) {
    ifaddrmsg ifa{};
    ifa.ifa_family = static_cast<uint8_t>(p.address.family);
    ifa.ifa_prefixlen = p.length;
    ifa.ifa_flags = static_cast<uint8_t>(address_flags & 0xff);
    ifa.ifa_scope = RT_SCOPE_UNIVERSE;
    ifa.ifa_index = static_cast<uint32_t>(ifindex);
    NlRequest r(type, flags, seq);
    r.family(ifa);
    size_t len = static_cast<size_t>(p.address.bits() / 8);
    r.attr(IFA_LOCAL, p.address.bytes.data(), len);
    r.attr(IFA_ADDRESS, p.address.bytes.data(), len);
    // ifa_flags has 8 bits; the kernel reads the flags above them from IFA_FLAGS only.
    if (address_flags & ~0xffu) r.attr_u32(IFA_FLAGS, address_flags);
    return r;
}

}  // namespace

NlRequest add_address_request(int ifindex, const Prefix& p, AddressOptions options, uint32_t seq) {
    uint32_t flags = 0;
    if (p.address.family == AF_INET6) flags |= IFA_F_NODAD;
    if (options.no_prefix_route) flags |= IFA_F_NOPREFIXROUTE;
    return address_request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, ifindex, p, flags,
                           seq);
}

NlRequest delete_address_request(int ifindex, const Prefix& p, uint32_t seq) {
    return address_request(RTM_DELADDR, NLM_F_ACK, ifindex, p, 0, seq);
}

}  // namespace tapd
