// Pure builders of the nf_tables JSON batches for tapd's own table (checked by unit tests).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ip.hpp"

namespace tapd::nft {

inline constexpr const char* kFamily = "inet";
inline constexpr const char* kTable = "tapd";

// What tapd's table must hold.
struct MasqueradeEntry {
    std::string ifname;           // the tap, for the forward guard's "iifname @taps"
    std::vector<Prefix> subnets;  // IPv4 networks masqueraded (host bits cleared)
};

// Raw-socket confinement: every raw socket tapd hands out carries SO_MARK kRawMarkTag|ifindex of
// its tap, and packets with a mark in that range may leave only through the interface the set
// rawallow pairs with their mark (SO_BINDTODEVICE alone does not confine sending: IP_PKTINFO,
// sin6_scope_id and IP_HDRINCL get past it). A mark missing from the set (its tap was deleted) is
// dropped everywhere: fail closed.
inline constexpr uint32_t kRawMarkMask = 0xff000000;
inline constexpr uint32_t kRawMarkTag = 0x7a000000;
inline constexpr int kRawMarkMaxIfindex = 0x00ffffff;

struct RawEntry {
    uint32_t mark = 0;   // kRawMarkTag | the tap's ifindex
    std::string ifname;  // the only interface its packets may leave through
};

struct TableState {
    std::vector<MasqueradeEntry> entries;
    std::vector<RawEntry> raw;  // one per tap
    // Forward guard: when tapd itself switched net.ipv4.ip_forward on, forwarded IPv4 is limited
    // to traffic from masquerading taps and replies (conntrack), so the host does not become a
    // router for its other interfaces. When forwarding was already on, tapd leaves it alone.
    bool guard = false;
};

// The whole table, rebuilt atomically in one batch: "add table" first so that the following
// "delete table" succeeds when it did not exist, then everything anew. Touches no other table.
nlohmann::json table_batch(const TableState& state);

// The table's sets, map, chains and rules without touching the sets' elements: the table, sets,
// map and chains added where missing, the chains flushed and their rules added anew (atomic).
// With table_elements (nft_elements.hpp) after it, the whole table as table_batch makes it, at
// a fraction of the cost for many taps (libnftables evaluates each element).
nlohmann::json chains_batch();

// Adds (or deletes) one tap's masquerade elements: its subnets in set masq4, its name in taps.
nlohmann::json masquerade_batch(bool add, const MasqueradeEntry& entry);

// Adds (or deletes) one tap's pair in set rawallow.
nlohmann::json raw_batch(bool add, const RawEntry& entry);

// Turns the forward guard on or off: adds or deletes the element ipv4 : jump guard4 of map
// guardmode (the guard's rules in chain guard4 never change).
nlohmann::json guard_batch(bool on);

// Whether LISTED (`nft -j list table inet tapd` output, {} when the table is missing) holds what
// EXPECTED says: the three sets with exactly the expected elements, one rule in postrouting,
// forward, rawout and rawpost, and the guard's rules iff the guard is on. WHY gets the first
// difference.
bool table_matches(const nlohmann::json& listed, const TableState& expected, std::string* why);

// Joins batches into one (atomic) request.
nlohmann::json join(std::initializer_list<nlohmann::json> batches);

}  // namespace tapd::nft
