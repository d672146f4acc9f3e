// Raw IP sockets for a tap's holder: opened by tapd, bound to the tap and marked for tapd's
// nf_tables confinement (see nft_batches.hpp kRawMarkTag and README "Raw sockets").
#pragma once

#include <cstdint>
#include <string>

#include "result.hpp"
#include "unique_fd.hpp"

namespace tapd {

// Checks FAMILY (AF_INET or AF_INET6) and PROTOCOL (1..255; 255 = IPPROTO_RAW, which implies
// IP_HDRINCL). Protocol 0 is refused: a raw socket of protocol 0 receives nothing.
Status check_raw_socket_args(int family, int protocol);

// The SO_MARK of raw sockets on the tap with IFINDEX: kRawMarkTag | ifindex. Fails if the
// ifindex does not fit below the tag (more than 16 million interfaces were ever made here).
Result<uint32_t> raw_socket_mark(int ifindex);

// socket(FAMILY, SOCK_RAW|SOCK_CLOEXEC, PROTOCOL), SO_BINDTODEVICE IFNAME (confines reception;
// the holder cannot rebind: EPERM without CAP_NET_RAW), SO_MARK MARK (the holder cannot change
// it: EPERM without CAP_NET_RAW/CAP_NET_ADMIN, per socket and per packet). Sending is confined by
// the nf_tables rule on the mark, not by this function.
Result<UniqueFd> open_raw_socket(const std::string& ifname, int family, int protocol,
                                 uint32_t mark);

}  // namespace tapd
