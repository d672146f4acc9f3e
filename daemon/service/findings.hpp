// Findings: what tapd sees on the host that keeps a masquerading tap's traffic from flowing:
// another table's forward chain that drops it (foreign_rules.hpp), net.ipv4.ip_forward turned
// off by someone else, strict rp_filter on a tap or the uplink, a tap's masquerade element gone
// from tapd's table. Each is logged once, when the set changes, and GetFindings returns them.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "firewall.hpp"
#include "foreign_rules.hpp"
#include "host_facts.hpp"

namespace tapd {

struct Finding {
    std::string severity;  // "fail": breaks the tap's traffic; "warn": may
    std::string kind;      // "forward_chain", "ip_forward", "rp_filter", "masquerade"
    std::string tap;       // the tap it concerns; "" for the host (no masquerading tap yet)
    std::string text;      // what is wrong, naming the table and chain or the sysctl
    std::string fix;       // what to do: a command to run
    auto operator<=>(const Finding&) const = default;
};

// Pure parts, over what was read.
// Forward chains of other tables that drop the traffic of TAPS (masquerading), or of any future
// masquerading tap when there is none (severity warn, tap "").
std::vector<Finding> forward_findings(const nft::ForwardRuleset& rules,
                                      const std::vector<FirewallTap>& taps,
                                      const std::string& uplink);
// A tap whose name or subnets are missing from tapd's sets taps and masq4 in RULESET.
std::vector<Finding> masquerade_findings(const nlohmann::json& ruleset,
                                         const std::vector<FirewallTap>& taps);

// The findings in force, kept current by HostCheck.
class HostCheck {
  public:
    // Lists the ruleset anew (at start and after another process changed nf_tables) and checks;
    // OWN_TABLE is tapd's table as listed when it differs from what tapd holds (Firewall::
    // check_table()), for the masquerade findings, or null.
    void relist(Firewall& firewall, const std::vector<FirewallTap>& taps,
                const nlohmann::json* own_table);
    // Checks every tap again from the last listing (GetFindings): the sysctls are read anew,
    // the ruleset is not listed.
    void check(const std::vector<FirewallTap>& taps);
    // Checks only ADDED (taps that began masquerading) from the last listing and drops the
    // findings of GONE (taps that no longer masquerade); the others keep theirs. A changed uplink
    // asks for a whole check instead (full_check_due()).
    void check_new(const std::vector<FirewallTap>& added,
                   const std::vector<std::string>& gone = {});
    bool full_check_due() { return std::exchange(needs_full_, false); }
    // A deleted tap's findings go (at the next check).
    void forget(const std::string& tap) { per_tap_.erase(tap); }
    const std::vector<Finding>& findings() const { return findings_; }
    // The next checks' view of the host's default routes (HostPrefixes::default_route_epoch(),
    // nullopt when unknown): /proc/net/route, a line per IPv4 route (~3 ms to read at 1,000
    // taps), is read again only when it changed.
    void set_route_epoch(std::optional<uint64_t> epoch) { epoch_ = epoch; }

  private:
    // The uplink: the link of the IPv4 default route with the lowest metric ("" if none).
    std::string current_uplink();
    std::vector<Finding> tap_findings(const FirewallTap& tap, const std::string& uplink);
    static std::optional<Finding> strict_rp_filter(const std::string& ifname,
                                                   const std::string& tap);
    // The host's findings (forwarding, the uplink's rp_filter) with NOW and every tap's.
    void publish(std::vector<Finding> now, bool masquerading);
    // Logs one line per finding that is new and one per finding gone.
    void replace(std::vector<Finding> now);

    nlohmann::json ruleset_;                      // the last listing (without set elements)
    std::unique_ptr<nft::ForwardRuleset> rules_;  // its index (points into ruleset_)
    std::vector<Finding> elements_;               // masquerade findings of the last check
    std::vector<Finding> findings_;               // sorted
    std::map<std::string, std::vector<Finding>> per_tap_;  // by masquerading tap
    std::string uplink_;                                   // at the last check
    bool needs_full_ = false;                              // check_new() saw the uplink change
    std::optional<uint64_t> epoch_, read_epoch_;           // now, and when read_uplink_ was read
    std::string read_uplink_;
};

}  // namespace tapd
