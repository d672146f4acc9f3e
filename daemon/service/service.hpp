// Service: tapd's request handlers. Each reads the same way: authorize (the caller's grant under
// the policy in force, ownership) → validate (against the host) → apply, with one Undo for every
// change → record (the state file) → return. The bus adaptor has parsed every argument into its
// strong type before; the one place that logs and replies is the adaptor's (Bus::check).
// Beside it stand the Taps store (records and indexes), the Firewall (nf_tables, forwarding),
// the TunGuard (tun owner changes, ownerless devices) and the Reconciler (start-up adoption).
// Nothing here calls up into the bus layer: what the bus should export, announce or withdraw is
// collected as TapChanges for it to take. Runs on the bus thread only; calls are serialised, so
// quotas and names cannot race.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "address.hpp"
#include "caller.hpp"
#include "capture.hpp"
#include "findings.hpp"
#include "firewall.hpp"
#include "firewalld.hpp"
#include "handed_out.hpp"
#include "host_prefixes.hpp"
#include "ifname.hpp"
#include "link_deleter.hpp"
#include "netlink.hpp"
#include "options.hpp"
#include "policy_in_force.hpp"
#include "requests.hpp"
#include "result.hpp"
#include "state.hpp"
#include "taps.hpp"
#include "tun_guard.hpp"
#include "unique_fd.hpp"

namespace tapd {

struct PrefixKind;  // addresses or routes, service.cpp

// What the bus should do about a tap's object.
struct TapChange {
    enum Kind { Added, Changed, Removed } kind;
    std::string name;
};

class Service {
  public:
    // Opens netlink and nf_tables, loads the state file and reconciles the kernel with it.
    // LEASE_ALIVE tells whether a bus name still exists (ephemeral taps of live clients stay).
    // POLICY: the policy in force, read once per call; POLICY_PATH its file, for Reload.
    static Result<std::unique_ptr<Service>> start(
        const std::string& state_dir, PolicyInForce& policy, std::string policy_path,
        const std::function<bool(const std::string&)>& lease_alive);

    // The policy in force (GetPolicy); a reload meanwhile leaves the one returned whole.
    std::shared_ptr<const Policy> policy() const { return policy_.get(); }
    // Reload: root only; a bad or missing file keeps the policy in force.
    Status reload_policy(const Caller& caller);
    const std::string& policy_path() const { return policy_path_; }

    Result<const TapRecord*> create(const Caller& caller, const IfName& name,
                                    const CreateOptions& options);
    // AttachNamespace (attach_namespace.cpp): a veth pair NAME ↔ PEER_NAME whose peer lives in
    // the caller's network namespace NETNS_FD (netns_owner.hpp's rule), with the host side's
    // addresses, NAT and lease as a tap's; its record has veth set.
    Result<const TapRecord*> attach_namespace(const Caller& caller, const IfName& name,
                                              const IfName& peer_name, int netns_fd,
                                              AttachOptions options);
    // OPTIONS.queues fds on the caller's live tap (more than one only on a multi_queue tap),
    // with OPTIONS.offloads applied first (only on a vnet_hdr tap).
    Result<std::vector<UniqueFd>> open(const Caller& caller, const IfName& name,
                                       const OpenOptions& options);
    Status remove(const Caller& caller, const IfName& name);
    Status add_address(const Caller& caller, const IfName& name, const TapAddress& address);
    Status remove_address(const Caller& caller, const IfName& name, const TapAddress& address);
    Status add_route(const Caller& caller, const IfName& name, const Network& route);
    Status remove_route(const Caller& caller, const IfName& name, const Network& route);
    Status set_masquerade(const Caller& caller, const IfName& name, bool enabled);

    // --- fds besides tap fds (open_raw_socket.cpp, open_capture.cpp) ---
    // A raw IP socket on the caller's tap, confined by SO_BINDTODEVICE, the tap's SO_MARK and
    // tapd's nf_tables rule on that mark (README "Raw sockets").
    Result<UniqueFd> open_raw_socket(const Caller& caller, const IfName& name, int family,
                                     int protocol);
    // Starts a capture of the caller's tap (README "Capture"); DONE later gets the read end of
    // its pcap stream, or why there is none. An error returned here means DONE is never called.
    Status open_capture(const Caller& caller, const IfName& name, const CaptureOptions& options,
                        Captures::Done done);
    // CALLER's running captures and open raw sockets (GetPolicy).
    size_t captures_of(const Caller& caller);
    Result<size_t> raw_sockets_of(const Caller& caller) const;
    // Readable when a capture streamer has reported or exited; reap_captures() then answers its
    // OpenCapture or forgets it (closing its pidfd) without waiting for the next call.
    int capture_exits_fd() const { return captures_->exits_fd(); }
    void reap_captures() { captures_->reap(); }

    // CALLER's own taps.
    std::vector<const TapRecord*> owned(const Caller& caller) const;
    // Every tap tapd owns (root only).
    Result<std::vector<const TapRecord*>> all(const Caller& caller) const;
    // Deletes CALLER's taps, or (ALL, root only) every tap; the names deleted.
    Result<std::vector<std::string>> cleanup(const Caller& caller, bool all);
    const TapRecord* find(const std::string& name) const { return taps_.find(name); }
    const Taps& taps() const { return taps_; }

    // nf_tables notifications; readable when anyone changed nf_tables.
    int nft_events_fd() const { return firewall_->events_fd(); }
    // Drains the notifications; true if tapd's table should be checked.
    bool nft_changed() { return firewall_->drain_events(); }
    // Puts tapd's table back (atomically) if someone changed or deleted it, then checks the
    // other tables' forward chains anew (HostCheck).
    void check_table() {
        auto own = firewall_->check_table();
        firewall_->take_foreign_change();  // the listing below sees it
        host_listed_ = true;
        host_check_.relist(*firewall_, masquerading(), own ? &*own : nullptr);
    }
    // GetFindings: what keeps masquerading taps' traffic from flowing (findings.hpp), checked
    // anew from the last listing of the ruleset; a caller other than root sees those of its own
    // taps and the host's.
    std::vector<Finding> findings(const Caller& caller);

    // The policy's "integrations" put in force (at start and after each reload): Docker's
    // DOCKER-USER rules, firewalld's zone (once attach_firewalld() gave the bus watcher).
    void apply_integrations();
    void attach_firewalld(std::unique_ptr<FirewalldZones> zones) {
        firewalld_ = std::move(zones);
        apply_integrations();
        // Taps that reconcile removed were in the zone while a previous tapd ran.
        for (const auto& name : std::exchange(removed_at_start_, {}))
            if (!taps_.find(name)) firewalld_->removed(name);
    }

    // Link notifications (TunGuard); readable when a link changed. links_changed() revokes the
    // taps whose tun owner or group a holder changed; true if recheck_links() is due in
    // kLinkRecheckDelayMs.
    int link_events_fd() const { return guard_->fd(); }
    bool links_changed();
    void recheck_links();
    static constexpr long kLinkRecheckDelayMs = TunGuard::kRecheckDelayMs;

    // Address, route and link notifications (HostPrefixes, for the conflict checks); readable
    // when the host's changed. prefixes_changed() applies some of them (every check applies the
    // rest first).
    int prefix_events_fd() const { return prefix_events_->fd(); }
    void prefixes_changed() { host_prefixes_.drain_some(*prefix_events_); }
    // HostPrefixes' default_route_epoch() once every pending notification is applied; nullopt
    // if they cannot be (HostCheck then reads /proc/net/route).
    std::optional<uint64_t> default_route_epoch();

    // Whether unique bus name SENDER holds the lease of a non-persistent tap.
    bool holds_lease(const std::string& sender) const { return taps_.leases().holds(sender); }
    // A bus client disconnected: its non-persistent taps go.
    void client_gone(const std::string& sender);
    // SIGTERM: removes every non-persistent tap, keeps persistent ones.
    void shutdown();

    // What waits until tapd is idle: the first listing of the ruleset for the findings (once
    // ready), folding the state journal into state.json. idle_work_in() tells in how many ms
    // (-1: nothing to do), idle_work() does one piece.
    long idle_work_in() const;
    void idle_work();
    void compact_state();

    // What happened to taps since the last call: the bus exports, announces or withdraws their
    // objects.
    std::vector<TapChange> take_changes() { return std::exchange(changes_, {}); }
    // The reply to a call has gone: finishes what could wait for it (closes the fds a create
    // kept, joins the threads of deletions the kernel has finished). Runs before the next call.
    void after_reply() {
        closing_.clear();
        deleter_->reap();
        if (!findings_for_.empty()) check_new_findings();
    }

  private:
    Service(PolicyInForce& policy, std::string policy_path)
        : policy_(policy), policy_path_(std::move(policy_path)) {}
    // The caller's tap NAME (root: anyone's); another user's answers like a missing one.
    Result<TapRecord*> owned_tap(const Caller& caller, const IfName& name);
    // owned_tap(), and its link still there under its name: what an fd may be opened on.
    Result<TapRecord*> live_tap(const Caller& caller, const IfName& name);
    Status add_prefix(const Caller& caller, const IfName& name, const Prefix& p,
                      const PrefixKind& kind);
    Status remove_prefix(const Caller& caller, const IfName& name, const Prefix& p,
                         const PrefixKind& kind);
    // Refuses (Conflict, naming both and the link) a prefix of WANTED that overlaps an address or
    // route of the host on another link than EXCEPT_IFINDEX (HostPrefixes, kept current).
    Status check_conflicts(const std::vector<Prefix>& wanted, int except_ifindex);
    // Makes the tap of R (name, tun owner, flags) and sets R.ifindex; a multi-queue tap is made
    // again (kCreateAttempts times at most) if another process attached a queue before its owner
    // was set. The fd keeps the tap alive until it is made persistent.
    Result<UniqueFd> make_tap(TapRecord& r);
    // A new multi-queue tap R holds tapd's queue alone, with the owner tapd set.
    Status check_queues(const TapRecord& r);
    static constexpr int kCreateAttempts = 3;
    // Compaction: after kCompactIdleMs without a call, or kCompactSoonMs once the journal holds
    // kCompactLines lines.
    static constexpr size_t kCompactLines = 256;
    static constexpr long kCompactIdleMs = 10000;
    static constexpr long kCompactSoonMs = 200;
    static FirewallTap firewall_tap(const TapRecord& r);
    // The masquerading taps, for HostCheck.
    std::vector<FirewallTap> masquerading() const;
    // HostCheck of the taps in findings_for_ (those that began masquerading).
    void check_new_findings();
    // Lists the ruleset for the findings (HostCheck::relist) and checks every tap.
    void list_host();
    // Journals tap NAME as it now is (its record, or its erasure when it has none) and
    // ip_forward's saved value if that changed: one line, whatever the number of taps.
    Status record(const std::string& name);
    // The whole state into state.json (start-up, compaction).
    Status save();
    // Removes a tap and all it holds; collects errors but always goes on to the end.
    Status destroy(const std::string& name);
    // Destroys the taps NAMES, one log line each starting with WHY.
    void destroy_all(const std::vector<std::string>& names, const std::string& why);
    void revoke(const std::vector<Revocation>& revocations);
    // Destroys the records of namespace links the kernel deleted (their namespace died).
    void forget_gone_veths();
    void changed(TapChange::Kind kind, const std::string& name) {
        changes_.push_back({kind, name});
        if (firewalld_ && kind == TapChange::Added) firewalld_->added(name);
        if (firewalld_ && kind == TapChange::Removed) firewalld_->removed(name);
    }

    PolicyInForce& policy_;
    std::string policy_path_;
    std::unique_ptr<NlSocket> nl_;
    std::unique_ptr<NlNotificationSocket> prefix_events_;  // host_prefixes_'s
    HostPrefixes host_prefixes_;
    std::unique_ptr<LinkDeleter> deleter_;  // destroy()'s
    std::unique_ptr<TunGuard> guard_;
    std::unique_ptr<Firewall> firewall_;
    std::unique_ptr<FirewalldZones> firewalld_;  // null until attached (main)
    std::vector<std::string> removed_at_start_;  // by reconcile: for firewalld, once attached
    std::unique_ptr<Captures> captures_;
    std::unique_ptr<HandedOut> raw_sockets_;  // raw sockets handed out and still open
    std::unique_ptr<StateFile> file_;
    std::optional<int> saved_forward_on_file_;  // ip_forward's saved value as file_ holds it
    Taps taps_;
    // A new tap's creating fd: closing it waits for an RCU grace period in the kernel
    // (tun_detach), ~0.05 ms that need not delay the reply.
    std::vector<UniqueFd> closing_;
    std::vector<TapChange> changes_;
    HostCheck host_check_;
    bool host_listed_ = false;  // the ruleset listed once (list_host())
    std::vector<std::string>
        findings_for_;  // taps that began masquerading: checked after the reply
};

// How tapd adds address A of tap R: without the kernel's prefix route when one of R's routes
// is that prefix (create_tap.cpp).
AddressOptions address_options(const TapRecord& r, const Prefix& a);

}  // namespace tapd
