// NftEvents: notifications of nf_tables changes (netlink group NFNLGRP_NFTABLES). Anyone's
// `nft flush ruleset` or a firewall reload wakes tapd, which then checks its own table; the
// notifications of tapd's own element changes (sent from its fast-path socket) do not, so that
// a call never costs a relist of the table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "result.hpp"
#include "unique_fd.hpp"

namespace tapd {

// Whether the netlink datagram BUF[0, LEN) announces a change made by a socket other than those
// with the port ids OWN (none: every change counts). A message names its sender's port in
// nlmsg_pid; a malformed datagram counts as a change.
bool foreign_nft_change(const void* buf, size_t len, const std::vector<uint32_t>& own);

// The port ids of this process's NETLINK_NETFILTER sockets (libnftables' own among them, which
// it does not tell), from /proc/self/fd.
std::vector<uint32_t> own_netfilter_ports();

class NftEvents {
  public:
    static Result<std::unique_ptr<NftEvents>> open();
    NftEvents(const NftEvents&) = delete;
    NftEvents& operator=(const NftEvents&) = delete;

    int fd() const { return fd_.get(); }
    // Reads every pending notification; true if one was someone else's (or some were lost).
    bool drain(const std::vector<uint32_t>& own_ports);

  private:
    explicit NftEvents(UniqueFd fd) : fd_(std::move(fd)) {}
    UniqueFd fd_;
};

}  // namespace tapd
