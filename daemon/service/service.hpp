// Service: tapd's operations on behalf of callers. Every mutating method reads the same way:
// validate → authorize (bus-verified uid) → apply with undo on failure → record → notify.
// Runs on the bus thread only; calls are serialised, so quotas and names cannot race.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "caller.hpp"
#include "capture.hpp"
#include "handed_out.hpp"
#include "link_deleter.hpp"
#include "link_watcher.hpp"
#include "nat.hpp"
#include "netlink.hpp"
#include "options.hpp"
#include "result.hpp"
#include "state.hpp"
#include "unique_fd.hpp"

namespace tapd {

struct PrefixKind;  // addresses or routes, service.cpp

struct ServiceEvents {
    std::function<void(const TapRecord&)> added;
    std::function<void(const TapRecord&)> changed;
    std::function<void(const std::string& name)> removed;
};

class Service {
  public:
    // Opens netlink and nf_tables, loads the state file and reconciles the kernel with it.
    // LEASE_ALIVE tells whether a bus name still exists (ephemeral taps of live clients stay).
    static Result<std::unique_ptr<Service>> start(
        const std::string& state_dir, std::function<bool(const std::string&)> lease_alive);

    void set_events(ServiceEvents events) { events_ = std::move(events); }

    Result<const TapRecord*> create(const Caller& caller, const std::string& name,
                                    const CreateOptions& options);
    Result<UniqueFd> open(const Caller& caller, const std::string& name);
    Status remove(const Caller& caller, const std::string& name);
    Status add_address(const Caller& caller, const std::string& name, const std::string& text);
    Status remove_address(const Caller& caller, const std::string& name, const std::string& text);
    Status add_route(const Caller& caller, const std::string& name, const std::string& text);
    Status remove_route(const Caller& caller, const std::string& name, const std::string& text);
    Status set_masquerade(const Caller& caller, const std::string& name, bool enabled);

    // --- fds besides tap fds (service_fds.cpp) ---
    // A raw IP socket on the caller's tap, confined by SO_BINDTODEVICE, the tap's SO_MARK and
    // tapd's nf_tables rule on that mark (README "Raw sockets").
    Result<UniqueFd> open_raw_socket(const Caller& caller, const std::string& name, int family,
                                     int protocol);
    // The read end of a pcap stream of the caller's tap (README "Capture").
    Result<UniqueFd> open_capture(const Caller& caller, const std::string& name,
                                  const CaptureOptions& options);

    // CALLER's running captures and open raw sockets (GetPolicy).
    size_t captures_of(const Caller& caller);
    Result<size_t> raw_sockets_of(const Caller& caller) const;
    // Readable when a capture streamer has exited; reap_captures() then forgets it (closing
    // its pidfd) without waiting for the next call.
    int capture_exits_fd() const { return captures_->exits_fd(); }
    void reap_captures() { captures_->reap(); }

    // CALLER's own taps.
    std::vector<const TapRecord*> owned(const Caller& caller) const;
    // Every tap tapd owns (root only).
    Result<std::vector<const TapRecord*>> all(const Caller& caller) const;
    // Deletes CALLER's taps, or (ALL, root only) every tap; the names deleted.
    Result<std::vector<std::string>> cleanup(const Caller& caller, bool all);
    const TapRecord* find(const std::string& name) const;

    // nf_tables notifications; readable when anyone changed nf_tables.
    int nft_events_fd() const { return nft_events_->fd(); }
    // Drains the notifications; true if tapd's table should be checked.
    bool nft_changed() { return nft_events_->drain(); }
    // Puts tapd's table back (atomically, from the records) if someone changed or deleted it.
    void check_table();

    // Link notifications; readable when a link changed.
    int link_events_fd() const { return links_->fd(); }
    // Reads them: revokes a tap of tapd's whose tun owner or group someone changed (a holder of
    // its fd may, with TUNSETOWNER/TUNSETGROUP), and warns once about each ownerless tun/tap
    // device that any detached tap fd may attach to (persistent, or multi-queue). True if a new tun
    // device without owner should be looked at again shortly: the kernel notifies its creation
    // before its owner and persist flag are set, and changes of a down device's flags not at all.
    bool links_changed();
    // That second look (kLinkRecheckDelayMs after links_changed() asked for it).
    void recheck_links();
    static constexpr long kLinkRecheckDelayMs = 100;

    // Whether unique bus name SENDER holds the lease of a non-persistent tap.
    bool holds_lease(const std::string& sender) const;
    // A bus client disconnected: its non-persistent taps go.
    void client_gone(const std::string& sender);
    // SIGTERM: removes every non-persistent tap, keeps persistent ones.
    void shutdown();
    // The reply to a call has gone: finishes what could wait for it (closes the fds a create
    // kept, joins the threads of deletions the kernel has finished). Runs before the next call.
    void after_reply() {
        closing_.clear();
        deleter_->reap();
    }

  private:
    Service() = default;
    Status reconcile(const std::function<bool(const std::string&)>& lease_alive);
    Result<TapRecord*> owned_tap(const Caller& caller, const std::string& name);
    Status add_prefix(const Caller& caller, const std::string& name, const std::string& text,
                      const PrefixKind& kind);
    Status remove_prefix(const Caller& caller, const std::string& name, const std::string& text,
                         const PrefixKind& kind);
    // owned_tap(), and its link still there under its name: what an fd may be opened on.
    Result<TapRecord*> live_tap(const Caller& caller, const std::string& name);
    Status check_conflicts(const std::vector<Prefix>& wanted, int except_ifindex);
    // A new multi-queue tap R holds tapd's queue alone, with the owner tapd set.
    Status check_queues(const TapRecord& r);
    static constexpr int kCreateAttempts = 3;
    // EXTRA (another batch) joins the same nf_tables transaction: one round trip, not two.
    // True if forwarding is due: this is the first masquerading tap and ip_forward was off
    // (its earlier value is in saved_ip_forward_).
    Result<bool> enable_masquerade(const TapRecord& record,
                                   const std::optional<nat::ElementBatch>& extra = std::nullopt);
    Status disable_masquerade(const TapRecord& record,
                              const std::optional<nat::ElementBatch>& extra = std::nullopt);
    // Turns net.ipv4.ip_forward on, when forwarding is due; called once the state file holds
    // the earlier value (saved_ip_forward_). WHY ends the log line.
    Status start_forwarding(const std::string& why);
    // Takes a tap out of tapd's table (masquerade, rawallow pair) in one transaction; the
    // record must already be out of taps_.
    Status unconfigure_nat(const TapRecord& record);
    // Masquerading taps other than NAME: decides when forwarding and the guard go on and off.
    size_t masquerading_except(const std::string& name) const;
    size_t owned_by(uid_t uid) const;
    Status save();
    // Removes a tap and all it holds; collects errors but always goes on to the end.
    Status destroy(const std::string& name);
    // Destroys the taps WHICH picks, one log line each starting with WHY.
    void destroy_if(const std::function<bool(const TapRecord&)>& which, const std::string& why);

    // What is wrong with link L as tapd's tap R: a tap whose tun owner and group are what tapd
    // set; "" if nothing is.
    static std::string tampered(const TapRecord& r, const LinkInfo& l);
    // Warns about L if any process with a detached tun fd may attach to it, once per ifindex.
    void warn_if_ownerless(const LinkInfo& l);
    // Looks at each link of SUSPECTS as it is now: revokes tampered taps, warns about ownerless
    // devices.
    void check_links(const std::set<int>& suspects);
    // Deletes tapd's tap R if L (R's link at some moment) shows an owner or group tapd did not
    // set, and logs why.
    void revoke_if_tampered(const TapRecord& r, const LinkInfo& l);
    TapRecord* find_by_ifindex(int ifindex);
    // taps_ changes only through these two, which keep the indexes below with it.
    TapRecord& record_tap(const TapRecord& r);
    void forget_tap(const std::string& name);

    std::unique_ptr<NlSocket> nl_;
    std::unique_ptr<LinkDeleter> deleter_;  // destroy()'s
    std::unique_ptr<LinkWatcher> links_;
    std::set<int> warned_ownerless_;
    std::set<int> recheck_;           // new foreign tun devices without owner, for recheck_links()
    long last_overrun_log_ = -60000;  // CLOCK_MONOTONIC ms: one warning a minute at most
    // service_fds.cpp: the rawallow pair of a tap, as an entry, as a batch adding or removing
    // it (none if the tap has no mark), and adding it on its own.
    static std::optional<nat::RawEntry> raw_entry(const TapRecord& record);
    static std::optional<nat::ElementBatch> raw_batch(const TapRecord& record, bool add);
    Status allow_raw(const TapRecord& record);
    std::unique_ptr<Captures> captures_;
    std::unique_ptr<HandedOut> raw_sockets_;  // raw sockets handed out and still open
    nat::TableState expected_table() const;

    std::unique_ptr<NatTable> nat_;
    std::unique_ptr<NftEvents> nft_events_;
    std::unique_ptr<StateFile> file_;
    std::map<std::string, TapRecord> taps_;
    // Indexes of taps_, so that a link notification or a client's exit costs the same at 1,000
    // taps as at 10: ifindex → name, and lease holder → how many taps it holds.
    std::unordered_map<int, std::string> by_ifindex_;
    std::unordered_map<std::string, int> leases_;
    std::optional<int> saved_ip_forward_;
    // A new tap's creating fd: closing it waits for an RCU grace period in the kernel
    // (tun_detach), ~0.05 ms that need not delay the reply.
    std::vector<UniqueFd> closing_;
    ServiceEvents events_;
};

}  // namespace tapd
