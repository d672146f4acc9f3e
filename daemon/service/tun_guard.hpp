// TunGuard: watches tun/tap devices between calls. A holder of a tap's fd can change the tap's
// tun owner or group (TUNSETOWNER/TUNSETGROUP) so that others may open it by name: such a tap
// is revoked. A foreign tun/tap device without owner (persistent, or multi-queue) lets any
// process holding a detached tun fd attach to it: it is logged once. The guard decides; the
// service deletes what it names.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "link.hpp"
#include "link_watcher.hpp"
#include "netlink.hpp"
#include "result.hpp"
#include "taps.hpp"

namespace tapd {

// A tap of tapd's to delete, and why.
struct Revocation {
    std::string name;
    int ifindex = 0;
    std::string why;
};

class TunGuard {
  public:
    static Result<std::unique_ptr<TunGuard>> open();

    // Link notifications; readable when a link changed.
    int fd() const { return links_->fd(); }
    // Reads them and names the taps to revoke. recheck_due() then tells whether a new tun
    // device without owner should be looked at again shortly (recheck() after kRecheckDelayMs):
    // the kernel notifies its creation before its owner and persist flag are set, and changes of
    // a down device's flags not at all.
    std::vector<Revocation> read(NlSocket& nl, Taps& taps);
    bool recheck_due() const { return !recheck_.empty(); }
    std::vector<Revocation> recheck(NlSocket& nl, Taps& taps);
    static constexpr long kRecheckDelayMs = 100;

    // Warns about L if any process with a detached tun fd may attach to it, once per ifindex.
    void warn_if_ownerless(const LinkInfo& l);

    // What is wrong with link L as tapd's tap R (a tap whose tun owner and group are what tapd
    // set); "" if nothing is.
    static std::string tampered(const TapRecord& r, const LinkInfo& l);

  private:
    TunGuard() = default;
    // Looks at each link of SUSPECTS as it is now.
    std::vector<Revocation> check(NlSocket& nl, Taps& taps, const std::set<int>& suspects);
    static void revoke_if_tampered(const TapRecord& r, const LinkInfo& l,
                                   std::vector<Revocation>& out);

    std::unique_ptr<LinkWatcher> links_;
    std::set<int> warned_ownerless_;
    std::set<int> recheck_;           // new foreign tun devices without owner
    long last_overrun_log_ = -60000;  // CLOCK_MONOTONIC ms: one warning a minute at most
};

}  // namespace tapd
