// Reconciler: start-up adoption. The kernel is the truth: every tun link that carries tapd's
// alias is tapd's; it is adopted when the state file records it whole (same name, ifindex and
// owner), untampered (TunGuard::tampered), and either persistent or leased to a client still
// connected. Every other link of tapd's is deleted; foreign links are never touched (ownerless
// ones are reported). An unreadable state (state.json or its journal) is moved aside and tapd
// starts from the kernel.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "netlink.hpp"
#include "result.hpp"
#include "state.hpp"
#include "tun_guard.hpp"

namespace tapd {

struct Adoption {
    std::vector<TapRecord> taps;          // to keep, as recorded
    std::optional<int> saved_ip_forward;  // from the state file
    // The state file no longer says what tapd holds (records not adopted, an unreadable file) or
    // its journal ends in a torn line: it must be rewritten before anything is appended.
    bool rewrite = false;
    // The recorded taps not adopted (deleted here, or gone from the kernel while tapd was
    // down): what a previous tapd put into firewalld's zone must leave it.
    std::vector<std::string> removed;
};

// LEASE_ALIVE tells whether a bus name still exists (ephemeral taps of live clients stay).
Result<Adoption> reconcile(NlSocket& nl, StateFile& file, TunGuard& guard,
                           const std::function<bool(const std::string&)>& lease_alive);

}  // namespace tapd
