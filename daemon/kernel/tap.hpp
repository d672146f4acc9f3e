// Tap devices through /dev/net/tun: create (persistent, always owned) and attach for a client.
#pragma once

#include <sys/types.h>

#include <string>

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

// Opens a new fd attached to the existing tap NAME (the flags must be those it was created with).
// EBUSY (a single-queue tap already open elsewhere) becomes Conflict.
Result<UniqueFd> attach_tap(const std::string& name, TapFlags flags);

}  // namespace tapd
