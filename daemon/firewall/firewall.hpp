// Firewall: everything tapd keeps in nf_tables and the forwarding sysctl, with its own state:
// the masquerading taps (set elements of one masquerade rule), the raw-socket allowances (a tap's
// mark paired with its name), the forward guard, and net.ipv4.ip_forward's value before tapd
// turned it on. It knows taps only as FirewallTap, never the service's records; its table is
// rebuilt from its own state, so checking it costs nothing per tap on the host.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "docker_rules.hpp"
#include "ip.hpp"
#include "nft_events.hpp"
#include "nft_table.hpp"
#include "result.hpp"

namespace tapd {

// What the firewall needs of a tap.
struct FirewallTap {
    std::string name;
    int ifindex = 0;
    bool masquerade = false;
    std::vector<Prefix> subnets;  // IPv4 networks it masquerades (when it does)
};

class Firewall {
  public:
    static Result<std::unique_ptr<Firewall>> open();

    // Start-up: puts the table in the state of TAPS in one atomic batch, whatever it held, and
    // sets forwarding right: SAVED is ip_forward before tapd turned it on, from the state file.
    // No masquerading tap: ip_forward gets SAVED back.
    Status adopt(const std::vector<FirewallTap>& taps, std::optional<int> saved);

    // A new tap: its raw-socket pair, with its masquerade if it has one, in one transaction.
    // True if forwarding is due (the first masquerading tap, with ip_forward off): the caller
    // turns it on with start_forwarding() once the state file holds saved_ip_forward().
    Result<bool> add_tap(const FirewallTap& tap);
    // A tap that goes: its masquerade (if any) and raw-socket pair in one transaction; forwarding
    // and the guard go off with the last masquerading tap. A refused transaction rebuilds the
    // table from this object's state.
    Status remove_tap(const std::string& name);

    // SetMasquerade; the same rules for forwarding as add_tap()/remove_tap().
    Result<bool> enable_masquerade(const FirewallTap& tap);
    Status disable_masquerade(const std::string& name);
    bool masquerading(const std::string& name) const { return masquerade_.count(name) != 0; }

    // Turns net.ipv4.ip_forward on (when add_tap()/enable_masquerade() said it is due); WHY ends
    // the log line.
    Status start_forwarding(const std::string& why);
    // ip_forward before tapd turned it on, while a masquerading tap exists (for the state file).
    std::optional<int> saved_ip_forward() const { return saved_ip_forward_; }

    // nf_tables notifications: readable when anyone changed nf_tables; drain() reads them and
    // tells whether tapd's table should be checked.
    int events_fd() const { return events_->fd(); }
    bool drain_events() { return events_->drain(table_->own_ports()); }
    // Puts tapd's table back (atomically, from this object's state) if someone changed it, and
    // tapd's rules in DOCKER-USER when the Docker integration is on. Returns tapd's table as it
    // is now when that differs from what tapd holds (the repair failed, or the listing did), for
    // the masquerade findings; nullopt when it is as tapd holds it.
    std::optional<nlohmann::json> check_table();
    // Every table, named sets without their elements ("nft -j -t list ruleset"), for the
    // foreign rule check. iptables' state matches in it are shown as the nft matches they equal
    // (xt_matches.hpp).
    Result<nlohmann::json> list_ruleset();

    // The Docker integration (docker_rules.hpp) on or off: on, DOCKER-USER gets the accept rules
    // of every masquerading tap and keeps them while it lives; off, tapd's rules there go.
    void set_docker(bool on);
    // Whether tapd itself changed another table (DOCKER-USER) since the last call: its own
    // notifications wake nobody, so a listing of the ruleset taken before is out of date.
    bool take_foreign_change() { return std::exchange(foreign_changed_, false); }

  private:
    Firewall() = default;
    nft::TableState expected() const;
    Status apply_masquerade(bool add, const nft::MasqueradeEntry& entry,
                            std::optional<nft::ElementBatch> extra, bool* forwarding_due);

    std::unique_ptr<NftTable> table_;
    std::unique_ptr<NftEvents> events_;
    std::unique_ptr<DockerRules> docker_;
    bool docker_on_ = false;
    bool foreign_changed_ = false;
    void sync_docker();
    // By tap name; hash tables, as Taps' are: a CreateTap's lookup costs the same at 1,000 taps.
    std::unordered_map<std::string, nft::MasqueradeEntry> masquerade_;
    std::unordered_map<std::string, nft::RawEntry> raw_;
    std::optional<int> saved_ip_forward_;
};

}  // namespace tapd
