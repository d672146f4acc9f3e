// Link operations: ioctls for the quick lookups, else one request each, or one dump; each error
// names the link and the operation.
#include "link.hpp"

#include <net/if.h>
#include <sys/ioctl.h>

#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "profile.hpp"

namespace tapd {

namespace {
// IFR named NAME for the SIOCGIF* ioctls; false if no link can have that name.
bool name_ifreq(ifreq& ifr, const std::string& name) {
    if (name.empty() || name.size() >= sizeof ifr.ifr_name) return false;
    std::memcpy(ifr.ifr_name, name.data(), name.size());
    return true;
}
}  // namespace

Result<int> link_index(NlSocket& nl, const std::string& name) {
    KernelCall kernel;
    ifreq ifr{};
    if (!name_ifreq(ifr, name)) return 0;  // no link can have it
    if (::ioctl(nl.fd(), SIOCGIFINDEX, &ifr) < 0) {
        if (errno == ENODEV) return 0;
        return errno_error(ErrorKind::Failed, "SIOCGIFINDEX '" + name + "'", errno);
    }
    return ifr.ifr_ifindex;
}

Result<std::optional<std::string>> link_name(NlSocket& nl, int ifindex) {
    KernelCall kernel;
    ifreq ifr{};
    ifr.ifr_ifindex = ifindex;
    if (::ioctl(nl.fd(), SIOCGIFNAME, &ifr) < 0) {
        if (errno == ENODEV) return std::optional<std::string>{};
        return errno_error(ErrorKind::Failed, "SIOCGIFNAME #" + std::to_string(ifindex), errno);
    }
    return std::optional<std::string>(ifr.ifr_name);
}

Result<LinkInfo> link_mtu_mac(NlSocket& nl, const std::string& name) {
    KernelCall kernel;
    LinkInfo info;
    info.name = name;
    ifreq ifr{};
    if (!name_ifreq(ifr, name)) return make_error(ErrorKind::NotFound, "no link '" + name + "'");
    int fd = nl.fd();
    if (::ioctl(fd, SIOCGIFMTU, &ifr) < 0)
        return errno_error(ErrorKind::Failed, "SIOCGIFMTU '" + name + "'", errno);
    info.mtu = static_cast<uint32_t>(ifr.ifr_mtu);
    if (::ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
        return errno_error(ErrorKind::Failed, "SIOCGIFHWADDR '" + name + "'", errno);
    char mac[18];
    const auto* b = reinterpret_cast<const unsigned char*>(ifr.ifr_hwaddr.sa_data);
    std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
                  b[5]);
    info.mac = mac;
    return info;
}

Result<std::vector<LinkInfo>> list_links(NlSocket& nl) {
    std::vector<LinkInfo> out;
    ifinfomsg request{};
    request.ifi_family = AF_UNSPEC;
    auto each = [&](const NlMessage& m) {
        if (auto l = parse_link(m)) out.push_back(std::move(*l));
    };
    if (auto st = dump(
            nl, RTM_GETLINK, nl_bytes(&request, sizeof request), each, [&] { out.clear(); },
            "listing links");
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
        nl, RTM_GETLINK, nl_bytes(&request, sizeof request),
        [&](const NlMessage& m) {
            if (auto l = parse_link(m); l && l->ifindex == ifindex) found = std::move(l);
        },
        "reading link #" + std::to_string(ifindex));
    if (!st && (st.error().err == ENODEV || st.error().err == ENOENT))
        return std::optional<LinkInfo>{};
    if (!st) return st.error();
    return found;
}

Status validate_mac(const std::string& mac) {
    auto b = parse_mac(mac);
    if (!b)
        return make_error(ErrorKind::InvalidArgument,
                          "invalid MAC address '" + mac + "' (expected aa:bb:cc:dd:ee:ff)");
    if ((*b)[0] & 1)
        return make_error(ErrorKind::InvalidArgument,
                          "MAC address '" + mac + "' is a multicast address");
    if (((*b)[0] | (*b)[1] | (*b)[2] | (*b)[3] | (*b)[4] | (*b)[5]) == 0)
        return make_error(ErrorKind::InvalidArgument, "MAC address '" + mac + "' is all zero");
    return {};
}

Status change_link(NlSocket& nl, int ifindex, const std::string& name, const LinkChange& change) {
    LinkSettings settings;
    std::string what;
    if (change.alias) {
        settings.alias = change.alias;
        what += " alias";
    }
    if (change.mtu) {
        settings.mtu = change.mtu;
        what += " mtu " + std::to_string(*change.mtu);
    }
    if (change.mac) {
        settings.mac = parse_mac(*change.mac);
        if (!settings.mac)
            return make_error(ErrorKind::InvalidArgument, "invalid MAC address '" + *change.mac +
                                                              "' (expected aa:bb:cc:dd:ee:ff)");
        what += " address " + *change.mac;
    }
    if (change.up) {
        settings.up = change.up;
        what += *change.up ? " up" : " down";
    }
    uint32_t seq = nl.next_seq();
    return ack(nl, change_link_request(ifindex, settings, seq).bytes(), seq,
               "setting link '" + name + "'" + what);
}

Status delete_link(NlSocket& nl, int ifindex, const std::string& name) {
    uint32_t seq = nl.next_seq();
    auto st =
        ack(nl, delete_link_request(ifindex, seq).bytes(), seq, "deleting link '" + name + "'");
    if (!st && (st.error().err == ENODEV || st.error().err == ENOENT)) return {};
    return st;
}

}  // namespace tapd
