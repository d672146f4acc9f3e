// Link messages as bytes: RTM_NEWLINK/RTM_DELLINK parsed into LinkInfo, and the requests that
// change and delete a link. Pure: tested from byte arrays and fuzzed.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "netlink_message.hpp"

namespace tapd {

// What a tun/tap device's IFLA_INFO_DATA says (tun.c, tun_fill_info).
struct TunInfo {
    std::optional<uint32_t> owner;  // IFLA_TUN_OWNER, absent while no owner is set
    std::optional<uint32_t> group;  // IFLA_TUN_GROUP, likewise
    bool tap = false;               // IFF_TAP (else a tun device)
    bool persist = false;
    bool multi_queue = false;
    // Attached and disabled queues; the kernel reports them for multi-queue devices only.
    std::optional<uint32_t> queues;
    std::optional<uint32_t> disabled_queues;
};

struct LinkInfo {
    int ifindex = 0;
    std::string name;
    std::string kind;   // "tun" for taps, "" for links without IFLA_INFO_KIND
    std::string alias;  // IFLA_IFALIAS
    uint32_t mtu = 0;
    std::string mac;             // "aa:bb:cc:dd:ee:ff"
    std::optional<TunInfo> tun;  // kind "tun" with its IFLA_INFO_DATA
};

// An RTM_NEWLINK or RTM_DELLINK message (a dump's, a notification's or a get's) as a LinkInfo;
// nullopt for any other message or one too short for its ifinfomsg. Attributes too short for
// their value read as absent; a nest is read up to its first bad length.
std::optional<LinkInfo> parse_link(const NlMessage& m);

using MacAddress = std::array<uint8_t, 6>;

// "aa:bb:cc:dd:ee:ff" (either case) as bytes; nullopt for any other text.
std::optional<MacAddress> parse_mac(const std::string& text);

// What one RTM_NEWLINK sets; what it leaves out stays as it is.
struct LinkSettings {
    std::optional<std::string> alias;
    std::optional<uint32_t> mtu;
    std::optional<MacAddress> mac;
    std::optional<bool> up;
};
// RTM_NEWLINK for link IFINDEX with NLM_F_ACK: IFLA_ADDRESS, IFLA_MTU, IFLA_IFALIAS and the
// IFF_UP flag (ifi_change) as SETTINGS has them.
NlRequest change_link_request(int ifindex, const LinkSettings& settings, uint32_t seq);
// RTM_DELLINK for link IFINDEX with NLM_F_ACK.
NlRequest delete_link_request(int ifindex, uint32_t seq);

}  // namespace tapd
