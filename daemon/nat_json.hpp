// Pure builders of the nf_tables JSON batches for tapd's own table (checked by unit tests).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ip.hpp"

namespace tapd::nat {

inline constexpr const char* kFamily = "inet";
inline constexpr const char* kTable = "tapd";

// What tapd's table must hold.
struct MasqueradeEntry {
    std::string ifname;             // the tap, for the forward guard's "iifname @taps"
    std::vector<Prefix> subnets;    // IPv4 networks masqueraded (host bits cleared)
};

struct TableState {
    std::vector<MasqueradeEntry> entries;
    // Forward guard: when tapd itself switched net.ipv4.ip_forward on, forwarded IPv4 is limited
    // to traffic from masquerading taps and replies (conntrack), so the host does not become a
    // router for its other interfaces. When forwarding was already on, tapd leaves it alone.
    bool guard = false;
};

// The whole table, rebuilt atomically in one batch: "add table" first so that the following
// "delete table" succeeds when it did not exist, then everything anew. Touches no other table.
nlohmann::json table_batch(const TableState& state);

// Adds (or deletes) one tap's masquerade elements: its subnets in set masq4, its name in taps.
nlohmann::json masquerade_batch(bool add, const MasqueradeEntry& entry);

// Turns the forward guard on or off (flush chain guard4, then its rules when on).
nlohmann::json guard_batch(bool on);

// Whether LISTED (`nft -j list table inet tapd` output, {} when the table is missing) holds what
// EXPECTED says: both sets with exactly the expected elements, one rule in postrouting and in
// forward, and the guard's rules iff the guard is on. WHY gets the first difference.
bool table_matches(const nlohmann::json& listed, const TableState& expected, std::string* why);

// Joins batches into one (atomic) request.
nlohmann::json join(std::initializer_list<nlohmann::json> batches);

}  // namespace tapd::nat
