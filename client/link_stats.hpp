// A link's counters by RTM_GETLINK (rtnetlink), as any unprivileged process may read them in its
// own network namespace: the pure request builder and reply parser, and the socket that asks.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "unique_fd.hpp"

namespace tapd {

// What one RTM_GETLINK reply says about a link (rtnl_link_stats64, IFLA_ADDRESS).
struct LinkCounters {
    std::string name;              // IFLA_IFNAME
    std::array<uint8_t, 6> mac{};  // IFLA_ADDRESS (an Ethernet link's)
    bool has_mac = false;
    uint64_t rx_packets = 0, tx_packets = 0;
    uint64_t rx_dropped = 0, tx_dropped = 0;
};

// The outcome of parsing a reply: the counters, or a negative errno (the kernel's NLMSG_ERROR,
// or -EBADMSG for a reply that is cut or lacks IFLA_STATS64).
struct LinkReply {
    int error = 0;
    LinkCounters counters;
};

// An RTM_GETLINK request for link NAME (IFLA_IFNAME) with sequence number SEQ.
std::vector<std::byte> link_request(const std::string& name, uint32_t seq);

// Parses the kernel's answer to link_request(SEQ); messages of another sequence are skipped.
// Every length is checked against REPLY: nothing is read past its end.
LinkReply parse_link_reply(std::span<const std::byte> reply, uint32_t seq);

// One NETLINK_ROUTE socket (SOCK_CLOEXEC) that asks for links' counters.
class LinkStatsSocket {
  public:
    // Throws std::system_error naming socket() on failure.
    LinkStatsSocket();
    // The counters of link NAME in this process's network namespace; a negative errno in
    // LinkReply::error when the kernel refuses (-ENODEV: no such link here). Throws
    // std::system_error for a failing send or receive.
    LinkReply query(const std::string& name);

  private:
    UniqueFd fd_;
    uint32_t seq_ = 0;
    std::vector<std::byte> buf_;
};

}  // namespace tapd
