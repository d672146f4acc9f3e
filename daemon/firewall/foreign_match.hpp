// How one nf_tables match expression (JSON, as `nft -j` lists it) applies to a tap's packets:
// always, never, or maybe (what cannot be decided from the expression and the tap alone).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ip.hpp"

namespace tapd::nft {

enum class Tri { Never, Maybe, Always };

// Both true: the weaker of the two (a rule's matches are ANDed).
inline Tri both(Tri a, Tri b) {
    return a < b ? a : b;
}

// One direction of a masquerading tap's IPv4 traffic through the forward hook. An empty
// interface name or prefix list means unknown.
struct Direction {
    std::string iif, oif;
    const std::vector<Prefix>* saddr = nullptr;  // the source lies in one of these
    const std::vector<Prefix>* daddr = nullptr;  // the destination lies in one of these
    bool established = false;                    // else: the first packet (conntrack new)
};

// How MATCH (the object of a {"match": ...} expression: op, left, right) applies to DIR's
// packets. Unknown expressions give Maybe.
Tri match_applies(const nlohmann::json& match, const Direction& dir);

}  // namespace tapd::nft
