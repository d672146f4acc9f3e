// Links: look up, configure (alias, MTU, MAC, up) and delete (link_messages.hpp builds and
// parses).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "link_messages.hpp"
#include "netlink.hpp"
#include "result.hpp"

namespace tapd {

// A tun/tap device without owner and group to which any process holding a detached tun fd may
// attach (README "Security model"): a persistent one, or a multi-queue one in use (one more
// queue gets a share of its traffic). A single-queue device in use refuses a second queue.
inline bool attachable_by_anyone(const LinkInfo& l) {
    return l.tun && !l.tun->owner && !l.tun->group && (l.tun->persist || l.tun->multi_queue);
}

// Just the index of link NAME (0: there is none), or the name of link IFINDEX (nullopt: there is
// none): SIOCGIFINDEX/SIOCGIFNAME on the rtnetlink socket, ~0.2 us against ~10 us for a
// netlink request and its parse.
Result<int> link_index(NlSocket& nl, const std::string& name);
Result<std::optional<std::string>> link_name(NlSocket& nl, int ifindex);
// Link NAME's MTU and (Ethernet) MAC, by SIOCGIFMTU/SIOCGIFHWADDR; the other fields but the name
// are left empty.
Result<LinkInfo> link_mtu_mac(NlSocket& nl, const std::string& name);
// Every link in the namespace (one dump, retried when interrupted).
Result<std::vector<LinkInfo>> list_links(NlSocket& nl);
// Link IFINDEX as the kernel describes it now (one RTM_GETLINK), or nullopt if there is none.
Result<std::optional<LinkInfo>> get_link(NlSocket& nl, int ifindex);

struct LinkChange {
    std::optional<std::string> alias;
    std::optional<uint32_t> mtu;
    std::optional<std::string> mac;
    std::optional<bool> up;
};
Status change_link(NlSocket& nl, int ifindex, const std::string& name, const LinkChange& change);

// Deletes the link; a link that is already gone counts as success.
Status delete_link(NlSocket& nl, int ifindex, const std::string& name);

// Parses "aa:bb:cc:dd:ee:ff" (unicast, not all zero); errors name the text.
Status validate_mac(const std::string& mac);

}  // namespace tapd
