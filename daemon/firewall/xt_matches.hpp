// iptables' own conntrack matches in a listed ruleset, made readable. iptables-nft writes
// `-m conntrack --ctstate RELATED,ESTABLISHED` (Docker's, ufw's, libvirt's rules) as an xtables
// match whose options nft does not show: `nft -j` lists only {"xt": {"type": "match", "name":
// "conntrack"}}, which the foreign rule check could only call a "maybe". The kernel gives the
// match's info to a rule dump (NFT_MSG_GETRULE, libnftnl); a pure state match found there is
// put into the listing as the nft match it is equal to, {"match": {"op": "in", "left": {"ct":
// {"key": "state"}}, "right": [...]}}, so that foreign_rules.hpp reads it as any ct state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "result.hpp"

namespace tapd::xt {

// The states of an xtables match NAME of revision REV with INFO (LEN bytes), as nft names them
// ("established", "related", "new", "invalid", "untracked"): for conntrack (revisions 1 to 3)
// and state, when the match tests the state alone and is not inverted; none otherwise.
std::optional<std::vector<std::string>> match_states(const std::string& name, uint32_t rev,
                                                     const void* info, size_t len);

// Per rule of the ip family (by table and handle), the states of each of its xtables matches in
// order (none for one that is not a plain state match).
using RuleMatches = std::map<std::pair<std::string, uint64_t>,
                             std::vector<std::optional<std::vector<std::string>>>>;

// Replaces, in RULESET (as `nft -j list ruleset` prints it), each xt conntrack/state match of an
// ip-family rule that MATCHES decodes by its nft equivalent. Rules that are not there stay.
void annotate(nlohmann::json& ruleset, const RuleMatches& matches);

// The xtables matches of every ip-family rule, from a rule dump of the kernel's (rules without
// one are left out).
Result<RuleMatches> dump_ip_matches();

}  // namespace tapd::xt
