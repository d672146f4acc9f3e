// Reconciler: which of the kernel's taps tapd keeps at start.
#include "reconciler.hpp"

#include <stdio.h>

#include <algorithm>
#include <map>

#include "link.hpp"
#include "log.hpp"
#include "profile.hpp"

namespace tapd {

Result<Adoption> reconcile(NlSocket& nl, StateFile& file, TunGuard& guard,
                           const std::function<bool(const std::string&)>& lease_alive) {
    StepClock clock("reconcile");
    auto loaded = file.load();
    clock.mark("load");
    bool unreadable = false;
    if (!loaded) {
        // The unreadable file is kept aside for a post-mortem, never silently reused; taps with
        // tapd's alias but no record are removed below.
        std::string aside = file.path() + ".corrupt";
        std::string journal_aside = file.journal_path() + ".corrupt";
        ::rename(file.path().c_str(), aside.c_str());
        ::rename(file.journal_path().c_str(), journal_aside.c_str());
        log::error("reconcile: " + loaded.error().message + "; moved to " + aside + " and " +
                   journal_aside + ", starting from the kernel's state");
        loaded = State{};
        unreadable = true;
    }
    Adoption out;
    out.saved_ip_forward = loaded->saved_ip_forward;
    auto links = list_links(nl);
    if (!links) return links.error();
    clock.mark("links");

    std::map<std::string, const TapRecord*> recorded;
    for (const auto& r : loaded->taps) recorded[r.name] = &r;
    for (const auto& link : links.value()) {
        auto alias = parse_tap_alias(link.alias);
        auto it = recorded.find(link.name);
        const TapRecord* r = it == recorded.end() ? nullptr : it->second;
        bool veth = link.kind == "veth";
        // A namespace's link that tapd's crash left before its alias: only its write-ahead
        // record (ifindex 0) says it is tapd's.
        if (veth && !alias && link.alias.empty() && r && r->veth && r->ifindex == 0) {
            if (auto st = delete_link(nl, link.ifindex, link.name); !st)
                log::error("reconcile: " + st.error().message);
            else
                log::info("reconcile: removed namespace link=" + link.name +
                          " (not fully recorded)");
            continue;
        }
        if ((link.kind != "tun" && !veth) || !alias) {  // not ours: never touched
            guard.warn_if_ownerless(link);
            continue;
        }
        bool matches =
            r && r->veth == veth && r->ifindex == link.ifindex && r->owner == alias->owner;
        // A holder of its fd may have changed the tap's tun owner or group while tapd was down.
        std::string wrong = matches && !veth ? TunGuard::tampered(*r, link) : "";
        bool keep = matches && wrong.empty() &&
                    (r->persistent || (!r->lease.empty() && lease_alive(r->lease)));
        if (keep) {
            out.taps.push_back(*r);
            log::info("reconcile: adopted tap=" + link.name +
                      " owner=" + std::to_string(alias->owner) +
                      (r->persistent ? " persistent" : " lease=" + r->lease));
            continue;
        }
        if (auto st = delete_link(nl, link.ifindex, link.name); !st)
            log::error("reconcile: " + st.error().message);
        else
            log::info("reconcile: removed tap=" + link.name +
                      (!matches        ? " (not fully recorded)"
                       : wrong.empty() ? " (its client is gone)"
                                       : " (" + wrong + ")"));
    }
    for (const auto& r : loaded->taps)
        if (std::none_of(out.taps.begin(), out.taps.end(),
                         [&](const TapRecord& kept) { return kept.name == r.name; }))
            out.removed.push_back(r.name);
    out.rewrite = unreadable || out.taps.size() != loaded->taps.size() || file.torn_tail();
    return out;
}

}  // namespace tapd
