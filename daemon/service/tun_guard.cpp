// TunGuard: tun owner and group of tapd's taps, ownerless foreign tun devices.
#include "tun_guard.hpp"

#include <time.h>

#include "log.hpp"

namespace tapd {

namespace {

long monotonic_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

}  // namespace

Result<std::unique_ptr<TunGuard>> TunGuard::open() {
    std::unique_ptr<TunGuard> g(new TunGuard());
    auto links = LinkWatcher::open();
    if (!links) return links.error();
    g->links_ = std::move(links.value());
    return g;
}

std::string TunGuard::tampered(const TapRecord& r, const LinkInfo& l) {
    if (!l.tun || !l.tun->tap) return "it is no longer a tap";
    std::string wrong;
    if (l.tun->owner != std::optional<uint32_t>(r.tun_owner()))
        wrong = "its tun owner is " +
                (l.tun->owner ? std::to_string(*l.tun->owner) : std::string("unset")) +
                " where tapd set " + std::to_string(r.tun_owner());
    if (l.tun->group)
        wrong += (wrong.empty() ? "" : " and ") + std::string("its tun group is ") +
                 std::to_string(*l.tun->group) + " where tapd set none";
    return wrong;
}

void TunGuard::warn_if_ownerless(const LinkInfo& l) {
    if (!attachable_by_anyone(l) || !warned_ownerless_.insert(l.ifindex).second) return;
    log::warn(std::string("ownerless ") + (l.tun->persist ? "persistent " : "multi-queue ") +
              (l.tun->tap ? "tap" : "tun") + " device " + log::value(l.name) + " (ifindex " +
              std::to_string(l.ifindex) +
              "): any process holding a detached tun fd, such as one of a deleted tap, can attach "
              "to it and read and write its traffic; give it an owner (ip tuntap add ... user "
              "NAME) or delete it");
}

void TunGuard::revoke_if_tampered(const TapRecord& r, const LinkInfo& l,
                                  std::vector<Revocation>& out) {
    std::string wrong = tampered(r, l);
    if (wrong.empty()) return;
    for (const auto& v : out)
        if (v.name == r.name) return;
    out.push_back({r.name, r.ifindex, wrong});
}

std::vector<Revocation> TunGuard::read(NlSocket& nl, Taps& taps) {
    std::vector<Revocation> out;
    std::set<int> suspects;  // foreign devices to look at again as they are now
    bool complete = links_->drain([&](const LinkInfo& l) {
        if (!l.tun) return;
        if (const TapRecord* r = taps.find_by_ifindex(l.ifindex)) {
            // tapd's tap. Its owner is unset only in the notification of its creation (the
            // kernel refuses to unset an owner, and tapd's TUNSETOWNER on the down link sends
            // no notification); any other owner, or a group, is a holder's change, revoked at
            // once however briefly it lasts: in between, others could have opened the tap.
            if (l.tun->owner || l.tun->group) revoke_if_tampered(*r, l, out);
            return;
        }
        if (attachable_by_anyone(l))
            suspects.insert(l.ifindex);
        else if (!l.tun->owner && !l.tun->group)
            recheck_.insert(l.ifindex);  // just created: its flags may come next
    });
    if (complete) {
        auto more = check(nl, taps, suspects);
        out.insert(out.end(), more.begin(), more.end());
        return out;
    }
    // Notifications were lost: one dump shows every link as it is now.
    long now = monotonic_ms();
    if (now - last_overrun_log_ >= 60000) {
        last_overrun_log_ = now;
        log::warn("link notifications were lost (socket buffer overrun); checking every link");
    }
    auto links = list_links(nl);
    if (!links) {
        log::error("checking every link: " + links.error().message);
        return out;
    }
    for (const auto& l : links.value()) {
        if (!l.tun) continue;
        if (const TapRecord* r = taps.find_by_ifindex(l.ifindex))
            revoke_if_tampered(*r, l, out);
        else
            warn_if_ownerless(l);
    }
    return out;
}

std::vector<Revocation> TunGuard::recheck(NlSocket& nl, Taps& taps) {
    std::set<int> suspects;
    suspects.swap(recheck_);
    return check(nl, taps, suspects);
}

std::vector<Revocation> TunGuard::check(NlSocket& nl, Taps& taps, const std::set<int>& suspects) {
    std::vector<Revocation> out;
    for (int ifindex : suspects) {
        auto link = get_link(nl, ifindex);
        if (!link) {
            log::error("checking link #" + std::to_string(ifindex) + ": " + link.error().message);
            continue;
        }
        if (!link.value()) {
            warned_ownerless_.erase(ifindex);
            continue;
        }
        if (const TapRecord* r = taps.find_by_ifindex(ifindex))
            revoke_if_tampered(*r, *link.value(), out);
        else
            warn_if_ownerless(*link.value());
    }
    return out;
}

}  // namespace tapd
