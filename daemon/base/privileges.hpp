// Dropping privileges: tapd keeps CAP_NET_ADMIN and CAP_NET_RAW only (libcap-ng).
#pragma once

#include <string>

#include "result.hpp"

namespace tapd {

// Stays uid 0 (so root-owned /dev/net/tun, state dir and sysctls stay reachable) but drops every
// capability except CAP_NET_ADMIN and CAP_NET_RAW, from the effective, permitted, inheritable
// and bounding sets. Returns a one-line description of the mode for the start-up log.
Result<std::string> drop_privileges();

}  // namespace tapd
