// Foreign forward rules: which base chains of OTHER tables at the forward hook would drop a
// masquerading tap's traffic, from a ruleset as `nft -j list ruleset` prints it (pure, tested
// from JSON strings). In nf_tables a drop in any base chain at a hook is final, so tapd's own
// accepts cannot help: Docker's `ip filter FORWARD` policy drop, ufw's, firewalld's final
// reject and libvirt's LIBVIRT_FWI/FWO rejects all drop the tap's traffic.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ip.hpp"

namespace tapd::nft {

// The traffic of one masquerading tap, in its two directions: outgoing (the first packet of a
// connection: in on the tap, out on the uplink, source in one of its subnets, conntrack state
// new) and replies (in on the uplink, out on the tap, destination in its subnets, established).
// What is unknown ("" or empty) makes a rule that tests it a "may".
struct TapTraffic {
    std::string tap;
    std::vector<Prefix> subnets;  // IPv4
    std::string uplink;           // the default route's interface
};

// A base chain at the forward hook, of another table than tapd's, that drops the tap's traffic
// (certain) or may drop it (a rule or a jumped-to chain whose matches cannot be decided here).
struct ForeignDrop {
    std::string family, table, chain;  // the base chain
    std::string culprit;               // what drops: "policy drop", "rule 'reject' in chain X"
    std::string directions;            // "outgoing", "replies" or "outgoing and replies"
    bool certain = false;              // false: "may drop"
    bool iptables = false;             // an iptables-nft table (ip/ip6 filter, chains FORWARD)
    bool docker_user = false;          // the table holds Docker's DOCKER-USER chain
    bool ufw = false;                  // the table holds ufw's chains
    bool firewalld = false;            // firewalld's table (inet firewalld)
};

// The base chains of a listed ruleset, indexed in one pass over its items: rules by chain of
// the tables that have a forward base chain (other tables are not kept). SKIP_FAMILY and
// SKIP_TABLE name tapd's own table.
class ForwardRuleset {
  public:
    // RULESET must outlive this index (it points into it).
    ForwardRuleset(const nlohmann::json& ruleset, const std::string& skip_family,
                   const std::string& skip_table);
    ForwardRuleset(const ForwardRuleset&) = delete;
    ForwardRuleset& operator=(const ForwardRuleset&) = delete;

    // What in these chains drops TRAFFIC, one entry per base chain; chains that pass it are left
    // out. The work is bounded: each chain is walked once per direction (results are kept), and
    // jumps deeper than nf_tables' own limit (16) count as "may drop".
    std::vector<ForeignDrop> drops(const TapTraffic& traffic) const;

    struct Chain {
        std::string policy;  // base chains only: "accept" or "drop"
        bool base = false;
        std::vector<const nlohmann::json*> rules;  // their "expr" arrays, in order
    };
    struct Table {
        std::string family, name;
        std::map<std::string, Chain> chains;
        std::vector<std::string> forward;  // its base chains at the forward hook
    };
    const std::vector<Table>& tables() const { return tables_; }

  private:
    std::vector<Table> tables_;
};

// The commands that would let the tap's traffic through D (an accept ahead of the drop), for a
// person to run: iptables for iptables-nft tables (into DOCKER-USER when Docker's), ufw's route
// rule, firewalld's zone, else `nft insert rule`. TAP and UPLINK as for TapTraffic ("" gives
// placeholders).
std::string fix_for(const ForeignDrop& d, const std::string& tap, const std::string& uplink);

// One line for the log and GetFindings: "table ip filter chain FORWARD drops the outgoing ...".
std::string describe(const ForeignDrop& d, const std::string& tap);

}  // namespace tapd::nft
