// parse_link() and the link requests, over the checked views of netlink_message.hpp.
#include "link_messages.hpp"

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>

#include <cstdio>

namespace tapd {

namespace {

TunInfo parse_tun(NlBytes data) {
    NlAttrTable<IFLA_TUN_MAX> tb(data);
    TunInfo t;
    t.owner = nl_u32(tb[IFLA_TUN_OWNER]);
    t.group = nl_u32(tb[IFLA_TUN_GROUP]);
    t.tap = nl_u8(tb[IFLA_TUN_TYPE]).value_or(0) == IFF_TAP;
    t.persist = nl_u8(tb[IFLA_TUN_PERSIST]).value_or(0) != 0;
    t.multi_queue = nl_u8(tb[IFLA_TUN_MULTI_QUEUE]).value_or(0) != 0;
    t.queues = nl_u32(tb[IFLA_TUN_NUM_QUEUES]);
    t.disabled_queues = nl_u32(tb[IFLA_TUN_NUM_DISABLED_QUEUES]);
    return t;
}

}  // namespace

std::optional<LinkInfo> parse_link(const NlMessage& m) {
    if (m.type() != RTM_NEWLINK && m.type() != RTM_DELLINK) return std::nullopt;
    auto ifi = m.header<ifinfomsg>();
    if (!ifi) return std::nullopt;
    NlAttrTable<IFLA_MAX> tb(m.attributes(sizeof(ifinfomsg)));
    LinkInfo info;
    info.ifindex = ifi->ifi_index;
    info.name = nl_string(tb[IFLA_IFNAME]);
    info.alias = nl_string(tb[IFLA_IFALIAS]);
    info.mtu = nl_u32(tb[IFLA_MTU]).value_or(0);
    if (const auto& a = tb[IFLA_ADDRESS]; a && a->size() == 6) {
        const auto* b = reinterpret_cast<const unsigned char*>(a->data());
        char mac[18];
        std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3],
                      b[4], b[5]);
        info.mac = mac;
    }
    if (const auto& linkinfo = tb[IFLA_LINKINFO]) {
        NlAttrTable<IFLA_INFO_MAX> li(*linkinfo);
        info.kind = nl_string(li[IFLA_INFO_KIND]);
        if (info.kind == "tun" && li[IFLA_INFO_DATA]) info.tun = parse_tun(*li[IFLA_INFO_DATA]);
    }
    return info;
}

std::optional<MacAddress> parse_mac(const std::string& text) {
    // Character by character: sscanf("%2x") would also take " 2", "+2", "-2" and "0x".
    if (text.size() != 17) return std::nullopt;
    MacAddress mac{};
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (i % 3 == 2) {
            if (c != ':') return std::nullopt;
            continue;
        }
        int v = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
        if (v < 0) return std::nullopt;
        mac[i / 3] = static_cast<uint8_t>(mac[i / 3] * 16 + v);
    }
    return mac;
}

NlRequest change_link_request(int ifindex, const LinkSettings& change, uint32_t seq) {
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = ifindex;
    if (change.up) {
        ifi.ifi_flags = *change.up ? IFF_UP : 0;
        ifi.ifi_change = IFF_UP;
    }
    NlRequest r(RTM_NEWLINK, NLM_F_ACK, seq);
    r.family(ifi);
    if (change.mac) r.attr(IFLA_ADDRESS, change.mac->data(), change.mac->size());
    if (change.mtu) r.attr_u32(IFLA_MTU, *change.mtu);
    if (change.alias) r.attr_string(IFLA_IFALIAS, *change.alias);
    return r;
}

NlRequest delete_link_request(int ifindex, uint32_t seq) {
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = ifindex;
    NlRequest r(RTM_DELLINK, NLM_F_ACK, seq);
    r.family(ifi);
    return r;
}

}  // namespace tapd
