// Tap devices through /dev/net/tun: create (persistent, always owned) and attach for a client.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "result.hpp"
#include "unique_fd.hpp"

namespace tapd {

struct TapFlags {
    bool vnet_hdr = false;
    bool multi_queue = false;
};

// Creates tap NAME (IFF_TAP|IFF_NO_PI) and sets its owner to OWNER. An owner is always set: a
// detached tun fd can TUNSETIFF onto any persistent tap that has neither owner nor group. Fails
// with Conflict if NAME exists. The tap is not yet persistent: it lives as long as the fd, so a
// crash before make_persistent() leaves nothing behind (the kernel deletes it with the fd).
Result<UniqueFd> create_tap(const std::string& name, uid_t owner, TapFlags flags);

// TUNSETPERSIST on FD (create_tap's): the tap outlives the fd.
Status make_persistent(int fd, const std::string& name);
// TUNSETCARRIER off: the tap looks as it will once FD is closed (no carrier until a program
// attaches, which turns it on). A persistent tap brought up so does not start IPv6 (link-local
// address, DAD) or flap its routes twice (on at creation, off at FD's close): each carrier change
// walks every IPv6 route of the host, ~1 ms at 1,000 taps.
Status set_no_carrier(int fd, const std::string& name);

// Opens a new fd attached to the existing tap NAME (the flags must be those it was created with).
// EBUSY (a single-queue tap already open elsewhere) becomes Conflict; E2BIG (a multi-queue tap
// with kMaxTapQueues queues attached) QuotaExceeded.
Result<UniqueFd> attach_tap(const std::string& name, TapFlags flags);

// The kernel's limit of queues on one tap, open anywhere (MAX_TAP_QUEUES in drivers/net/tun.c;
// not in the uapi headers).
inline constexpr uint32_t kMaxTapQueues = 256;

// COUNT fds, each attached to the multi-queue tap NAME as one more queue (TUNSETIFF with
// IFF_MULTI_QUEUE on its own /dev/net/tun file). All or none: on a failure the ones opened are
// closed and the error says which queue failed.
Result<std::vector<UniqueFd>> attach_queues(const std::string& name, TapFlags flags,
                                            uint32_t count);

// TUNSETOFFLOAD's flags (TUN_F_*) and the names the API gives them.
struct Offloads {
    unsigned flags = 0;
    std::vector<std::string> names;  // as asked for, for messages and logs
    std::string text() const;        // "csum,tso4" ("none" when empty)
};

// NAMES into TUN_F_* flags: "csum", "tso4", "tso6", "ecn", "ufo", "uso4", "uso6". An unknown
// name is an InvalidArgument naming it and the known ones. Which combinations the kernel takes
// is its own answer (set_offloads).
Result<Offloads> parse_offloads(const std::vector<std::string>& names);

// TUNSETOFFLOAD on FD, attached to tap NAME. The kernel keeps one set per device, not per queue:
// it replaces what any fd of the tap set before. The kernel answers EINVAL to a combination it
// does not take (tso4, tso6, ufo or uso* without csum, ecn without tso4/tso6, uso4 without uso6,
// a flag it does not know): InvalidArgument naming the offloads and the errno. The kernel does
// not check IFF_VNET_HDR: offloads on a tap without it would hand the reader GSO frames it cannot
// tell from others, so the caller checks that.
Status set_offloads(int fd, const std::string& name, const Offloads& offloads);

}  // namespace tapd
