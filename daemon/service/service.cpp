// tapd's operations: create, open, delete and change taps, with undo on failure; reconcile.
#include "service.hpp"

#include <stdio.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <thread>

#include "address.hpp"
#include "fault.hpp"
#include "forwarding.hpp"
#include "ifname.hpp"
#include "link.hpp"
#include "log.hpp"
#include "policy.hpp"
#include "profile.hpp"
#include "route.hpp"
#include "tap.hpp"

namespace tapd {

namespace {

// Steps to undo a half-done change, run in reverse unless commit() is called.
class Undo {
  public:
    Undo() = default;
    Undo(const Undo&) = delete;
    Undo& operator=(const Undo&) = delete;
    ~Undo() {
        for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) (*it)();
    }
    void push(std::function<void()> step) { steps_.push_back(std::move(step)); }
    void commit() { steps_.clear(); }

  private:
    std::vector<std::function<void()>> steps_;
};

long monotonic_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void log_undo_failure(const Status& st) {
    if (!st) log::error("undo failed: " + st.error().message);
}

nat::MasqueradeEntry masquerade_entry(const TapRecord& r) {
    return nat::MasqueradeEntry{r.name, r.masquerade_subnets()};
}

// When a tap's address and one of its routes name the same prefix, tapd's route (with its
// protocol number) is the one route for it: the address goes in without the kernel's prefix
// route, at CreateTap as at AddAddress.
AddressOptions address_options(const TapRecord& r, const Prefix& address) {
    return {std::find(r.routes.begin(), r.routes.end(), address.network()) != r.routes.end()};
}

// In-use prefixes that a new address or route may not overlap. IPv6 link-local (fe80::/10) is
// scoped to its link, and a default route overlaps everything, so neither counts.
bool counts_for_conflicts(const Prefix& p) {
    if (p.length == 0) return false;
    if (p.address.family == AF_INET6 && p.address.is_link_local()) return false;
    return true;
}

}  // namespace

Result<std::unique_ptr<Service>> Service::start(
    const std::string& state_dir, std::function<bool(const std::string&)> lease_alive) {
    std::unique_ptr<Service> s(new Service());
    auto nl = NlSocket::connect();
    if (!nl) return nl.error();
    s->nl_ = std::move(nl.value());
    s->deleter_ = std::make_unique<LinkDeleter>();
    // Watching before reconcile lists the links: nothing changes unseen in between.
    auto links = LinkWatcher::open();
    if (!links) return links.error();
    s->links_ = std::move(links.value());
    auto captures = Captures::open();
    if (!captures) return captures.error();
    s->captures_ = std::move(captures.value());
    auto raw = HandedOut::open("raw sockets");
    if (!raw) return raw.error();
    s->raw_sockets_ = std::move(raw.value());
    auto nat = NatTable::open();
    if (!nat) return nat.error();
    s->nat_ = std::move(nat.value());
    auto events = NftEvents::open();
    if (!events) return events.error();
    s->nft_events_ = std::move(events.value());
    s->file_ = std::make_unique<StateFile>(state_dir);
    if (auto st = s->file_->prepare(); !st) return st.error();
    if (auto st = s->reconcile(lease_alive); !st) return st.error();
    return s;
}

Status Service::reconcile(const std::function<bool(const std::string&)>& lease_alive) {
    auto loaded = file_->load();
    if (!loaded) {
        // The kernel is the truth: taps with tapd's alias but no record are removed below.
        // The unreadable file is kept aside for a post-mortem, never silently reused.
        std::string aside = file_->path() + ".corrupt";
        ::rename(file_->path().c_str(), aside.c_str());
        log::error("reconcile: " + loaded.error().message + "; moved to " + aside +
                   ", starting from the kernel's state");
        loaded = State{};
    }
    saved_ip_forward_ = loaded->saved_ip_forward;
    auto links = list_links(*nl_);
    if (!links) return links.error();

    std::map<std::string, TapRecord> recorded;
    for (auto& r : loaded->taps) recorded[r.name] = r;
    for (const auto& link : links.value()) {
        auto alias = parse_tap_alias(link.alias);
        if (link.kind != "tun" || !alias) {  // not ours: never touched
            warn_if_ownerless(link);
            continue;
        }
        auto it = recorded.find(link.name);
        bool matches = it != recorded.end() && it->second.ifindex == link.ifindex &&
                       it->second.owner == alias->owner;
        // A holder of its fd may have changed the tap's tun owner or group while tapd was down.
        std::string wrong = matches ? tampered(it->second, link) : "";
        bool keep =
            matches && wrong.empty() &&
            (it->second.persistent || (!it->second.lease.empty() && lease_alive(it->second.lease)));
        if (keep) {
            record_tap(it->second);
            log::info("reconcile: adopted tap=" + link.name +
                      " owner=" + std::to_string(alias->owner) +
                      (it->second.persistent ? " persistent" : " lease=" + it->second.lease));
            continue;
        }
        if (auto st = delete_link(*nl_, link.ifindex, link.name); !st)
            log::error("reconcile: " + st.error().message);
        else
            log::info("reconcile: removed tap=" + link.name +
                      (!matches        ? " (not fully recorded)"
                       : wrong.empty() ? " (its client is gone)"
                                       : " (" + wrong + ")"));
    }
    // Rebuild tapd's table from what was adopted (atomic: also clears stale elements and rules).
    nat::TableState table = expected_table();
    if (auto st = nat_->run(nat::table_batch(table), "rebuilding table inet tapd"); !st) return st;
    if (table.entries.empty() && saved_ip_forward_) {
        if (auto st = write_ip_forward(*saved_ip_forward_); !st) return st;
        log::info("reconcile: restored net.ipv4.ip_forward=" + std::to_string(*saved_ip_forward_));
        saved_ip_forward_.reset();
    } else if (!table.entries.empty() && saved_ip_forward_ == 0) {
        // Masquerading taps adopted with forwarding tapd turned on: a crash between the state
        // file and the sysctl (create() writes it last) leaves it off.
        auto cur = read_ip_forward();
        if (!cur) return cur.error();
        if (cur.value() == 0)
            if (auto st = start_forwarding("reconcile: the adopted masquerading taps"); !st)
                return st;
    }
    return save();
}

nat::TableState Service::expected_table() const {
    nat::TableState table;
    for (const auto& [name, r] : taps_) {
        if (r.masquerade) table.entries.push_back(masquerade_entry(r));
        if (auto raw = raw_entry(r)) table.raw.push_back(*raw);
    }
    table.guard = !table.entries.empty() && saved_ip_forward_ == 0;
    return table;
}

void Service::check_table() {
    auto listed = nat_->list();
    if (!listed) {
        log::error("checking table inet tapd: " + listed.error().message);
        return;
    }
    auto expected = expected_table();
    std::string why;
    if (nat::table_matches(listed.value(), expected, &why)) return;
    // Someone else (nft flush ruleset, a firewall reload) changed tapd's table: put it back.
    auto st = nat_->run(nat::table_batch(expected), "restoring table inet tapd");
    log::warn("nf_tables: " + why + "; " +
              (st ? std::string("restored table inet tapd") : st.error().message));
}

Status Service::save() {
    State s;
    for (const auto& [name, r] : taps_) s.taps.push_back(r);
    s.saved_ip_forward = saved_ip_forward_;
    return file_->save(s);
}

size_t Service::masquerading_except(const std::string& name) const {
    return std::count_if(taps_.begin(), taps_.end(),
                         [&](const auto& e) { return e.second.masquerade && e.first != name; });
}

size_t Service::owned_by(uid_t uid) const {
    return std::count_if(taps_.begin(), taps_.end(),
                         [uid](const auto& e) { return e.second.owner == uid; });
}

const TapRecord* Service::find(const std::string& name) const {
    auto it = taps_.find(name);
    return it == taps_.end() ? nullptr : &it->second;
}

std::vector<const TapRecord*> Service::owned(const Caller& caller) const {
    std::vector<const TapRecord*> out;
    for (const auto& [name, r] : taps_)
        if (r.owner == caller.uid) out.push_back(&r);
    return out;
}

Result<std::vector<const TapRecord*>> Service::all(const Caller& caller) const {
    if (caller.uid != 0)
        return make_error(ErrorKind::PermissionDenied, "only root may list every user's taps");
    std::vector<const TapRecord*> out;
    for (const auto& [name, r] : taps_) out.push_back(&r);
    return out;
}

Result<std::vector<std::string>> Service::cleanup(const Caller& caller, bool everything) {
    if (everything && caller.uid != 0)
        return make_error(ErrorKind::PermissionDenied, "only root may delete every user's taps");
    std::vector<std::string> names;
    for (const auto& [name, r] : taps_)
        if (everything || r.owner == caller.uid) names.push_back(name);
    Status result;
    for (const auto& name : names)
        if (auto st = destroy(name); !st && result) result = st;
    if (!result) return result.error();
    return names;
}

Result<TapRecord*> Service::owned_tap(const Caller& caller, const std::string& name) {
    if (auto st = validate_ifname(name); !st) return st.error();
    auto it = taps_.find(name);
    // Another user's tap answers exactly like a missing one: names are not an oracle.
    if (it == taps_.end() || (caller.uid != 0 && it->second.owner != caller.uid))
        return make_error(ErrorKind::NotFound, "no tap '" + name + "' of yours");
    return &it->second;
}

Status Service::check_conflicts(const std::vector<Prefix>& wanted, int except_ifindex) {
    if (wanted.empty()) return {};
    auto addrs = list_addresses(*nl_);
    if (!addrs) return addrs.error();
    auto routes = list_routes(*nl_);
    if (!routes) return routes.error();
    auto name_of = [&](int ifindex) {
        auto l = link_name(*nl_, ifindex);
        return l && l.value() ? *l.value() : std::to_string(ifindex).insert(0, 1, '#');
    };
    for (const auto& w : wanted) {
        if (!counts_for_conflicts(w)) continue;
        for (const auto& a : addrs.value()) {
            if (a.ifindex == except_ifindex || !counts_for_conflicts(a.address)) continue;
            if (a.address.network().overlaps(w.network()))
                return make_error(ErrorKind::Conflict, w.str() + " overlaps " + a.address.str() +
                                                           " on " + name_of(a.ifindex));
        }
        for (const auto& r : routes.value()) {
            if (r.ifindex == except_ifindex || !counts_for_conflicts(r.destination)) continue;
            if (r.destination.overlaps(w.network()))
                return make_error(ErrorKind::Conflict, w.str() + " overlaps route " +
                                                           r.destination.str() + " via " +
                                                           name_of(r.ifindex));
        }
    }
    return {};
}

Result<bool> Service::enable_masquerade(const TapRecord& r,
                                        const std::optional<nat::ElementBatch>& extra) {
    bool first = masquerading_except(r.name) == 0;
    auto batch = nat::masquerade_elements(true, masquerade_entry(r));
    if (extra) batch = nat::join_elements({batch, *extra});
    std::optional<int> before;
    if (first) {
        auto cur = read_ip_forward();
        if (!cur) return cur.error();
        before = cur.value();
        // The guard goes in before forwarding goes on, in the same batch as the elements.
        if (cur.value() == 0) batch = nat::join_elements({batch, nat::guard_elements(true)});
    }
    if (auto st = nat_->apply(batch, "adding masquerade for " + r.name); !st) return st.error();
    if (first) saved_ip_forward_ = before;
    return first && before == 0;
}

Status Service::start_forwarding(const std::string& why) {
    if (auto st = write_ip_forward(1); !st) return st;
    log::info("net.ipv4.ip_forward=1 (was 0) for " + why);
    return {};
}

Status Service::disable_masquerade(const TapRecord& r,
                                   const std::optional<nat::ElementBatch>& extra) {
    bool last = masquerading_except(r.name) == 0;
    auto batch = nat::masquerade_elements(false, masquerade_entry(r));
    if (extra) batch = nat::join_elements({batch, *extra});
    Status result;
    if (last && saved_ip_forward_ == 0) {
        // Forwarding off first, then the guard out: never forwarding without the guard.
        if (auto st = write_ip_forward(0); !st)
            result = st;
        else
            log::info("net.ipv4.ip_forward=0 restored");
        batch = nat::join_elements({batch, nat::guard_elements(false)});
    }
    if (auto st = nat_->apply(batch, "removing masquerade for " + r.name); !st && result)
        result = st;
    if (last) saved_ip_forward_.reset();
    return result;
}

Status Service::unconfigure_nat(const TapRecord& r) {
    auto raw = raw_batch(r, false);
    Status st = r.masquerade ? disable_masquerade(r, raw)
                : raw        ? nat_->apply(*raw, "forgetting raw sockets of " + r.name)
                             : Status{};
    // A refused transaction changed nothing: rebuild the table from the records instead.
    if (!st) check_table();
    return st;
}

Result<const TapRecord*> Service::create(const Caller& caller, const std::string& name,
                                         const CreateOptions& o) {
    StepClock clock("CreateTap " + name);
    // The name first (validated, then matched against the policy's prefixes), so that nothing
    // about other interfaces is revealed to a caller who may not use the name anyway.
    Grant grant = grant_for(caller);
    if (auto st = check_name(grant, name); !st) return st.error();
    if (taps_.count(name))
        return make_error(ErrorKind::Conflict, "tap '" + name + "' already exists");
    auto existing = link_index(*nl_, name);
    if (!existing) return existing.error();
    if (existing.value() != 0)
        return make_error(ErrorKind::Conflict, "interface '" + name + "' already exists");
    if (auto st = check_create(grant, o, owned_by(caller.uid)); !st) return st.error();
    for (const auto& a : o.addresses)
        if (auto st = check_tap_address(a); !st) return st.error();
    clock.mark("policy+names");
    // Two requests of one call may not overlap each other across families of use either.
    for (size_t i = 0; i < o.addresses.size(); ++i)
        for (size_t j = i + 1; j < o.addresses.size(); ++j)
            if (o.addresses[i].network().overlaps(o.addresses[j].network()) &&
                counts_for_conflicts(o.addresses[i]))
                return make_error(ErrorKind::InvalidArgument, "addresses " + o.addresses[i].str() +
                                                                  " and " + o.addresses[j].str() +
                                                                  " overlap");
    std::vector<Prefix> wanted = o.addresses;
    wanted.insert(wanted.end(), o.routes.begin(), o.routes.end());
    if (auto st = check_conflicts(wanted, 0); !st) return st.error();
    clock.mark("conflicts");

    TapRecord r;
    r.name = name;
    r.owner = caller.uid;
    r.addresses = o.addresses;
    r.routes = o.routes;
    r.masquerade = o.masquerade;
    r.persistent = o.persistent;
    r.owner_access = o.owner_access;
    r.vnet_hdr = o.vnet_hdr;
    r.multi_queue = o.multi_queue;
    r.lease = o.persistent ? "" : caller.sender;

    bool saved = false;  // (declared before undo, which refers to it)
    Undo undo;
    // Runs last on failure: once the state file holds the tap, it must drop it again.
    undo.push([this, &saved] {
        if (saved) log_undo_failure(save());
    });
    // Owner: the caller with owner_access (programs that open the tap by name work), else root.
    // Until TUNSETOWNER a new tap has no owner: any process holding a tun fd may attach a queue
    // to a multi-queue tap in that window, and keep it. Only tapd's own queue may exist then; a
    // tap with another is deleted and made again, kCreateAttempts times at most, so that an
    // attacker spinning on the name can make a create fail but never get a queue. (A
    // single-queue tap refuses a second queue while tapd's fd is attached.)
    UniqueFd fd;
    for (int attempt = 1;; ++attempt) {
        auto made = create_tap(name, r.tun_owner(), {o.vnet_hdr, o.multi_queue});
        if (!made) return made.error();
        fd = std::move(made.value());
        auto index = link_index(*nl_, name);
        if (!index) return index.error();  // closing fd removes the tap: it is not persistent
        if (index.value() == 0)
            return make_error(ErrorKind::Failed, "tap '" + name + "' vanished after creation");
        r.ifindex = index.value();
        if (!o.multi_queue) break;
        auto st = check_queues(r);
        if (st) break;
        // The other queue keeps the tap alive without tapd's fd: delete the link.
        log_undo_failure(delete_link(*nl_, r.ifindex, r.name));
        if (attempt == kCreateAttempts) return st.error();
    }
    undo.push([this, &r] { log_undo_failure(delete_link(*nl_, r.ifindex, r.name)); });
    fault_point("tap");
    if (auto st = fail_point("tap"); !st) return st.error();
    clock.mark("tap");

    // Alias, MTU, MAC and up in one request (the kernel sets the flags last). Up before routes
    // (the kernel refuses a route through a down link) and before any fd leaves.
    LinkChange change;
    change.alias = tap_alias(r);
    change.mtu = o.mtu;
    change.mac = o.mac;
    change.up = true;
    if (auto st = change_link(*nl_, r.ifindex, name, change); !st) return st.error();
    // Crash safety without a write-ahead record: until here the tap dies with tapd's fd (a
    // crash leaves no link); from here on it carries tapd's alias, by which reconcile finds and
    // removes it unless the state file records it whole.
    if (auto st = make_persistent(fd.get(), name); !st) return st.error();
    for (const auto& a : o.addresses) {
        if (auto st = tapd::add_address(*nl_, r.ifindex, a, address_options(r, a)); !st)
            return st.error();
        fault_point("address");
        if (auto st = fail_point("address"); !st) return st.error();
    }
    clock.mark("link+addresses");
    for (const auto& rt : o.routes) {
        if (auto st = tapd::add_route(*nl_, r.ifindex, rt); !st) return st.error();
        fault_point("route");
        if (auto st = fail_point("route"); !st) return st.error();
    }
    clock.mark("routes");
    if (auto fresh = link_mtu_mac(*nl_, r.name)) {
        r.mtu = fresh->mtu;
        r.mac = fresh->mac;
    }
    clock.mark("link info");
    // The tap's pair in rawallow (its raw sockets may send through it, service_fds.cpp) goes
    // in with the masquerade elements, in one nf_tables transaction.
    bool forwarding_due = false;
    if (o.masquerade) {
        auto due = enable_masquerade(r, raw_batch(r, true));
        if (!due) return due.error();
        forwarding_due = due.value();
    } else if (auto st = allow_raw(r); !st) {
        return st.error();
    }
    undo.push([this, &r] { log_undo_failure(unconfigure_nat(r)); });
    if (o.masquerade) {
        fault_point("masquerade");
        if (auto st = fail_point("masquerade"); !st) return st.error();
    }
    clock.mark("nf_tables");
    record_tap(r);
    undo.push([this, name] { forget_tap(name); });
    if (auto st = fail_point("state"); !st) return st.error();
    if (auto st = save(); !st) return st.error();
    saved = true;
    clock.mark("state");
    fault_point("state");
    // Forwarding goes on only now that the state file holds its earlier value: a crash before
    // this leaves it untouched, a crash after it lets reconcile restore it.
    if (auto st = fail_point("forwarding"); !st) return st.error();
    if (forwarding_due)
        if (auto st = start_forwarding("masquerading tap=" + name); !st) return st.error();
    clock.mark("forwarding");
    undo.commit();
    closing_.push_back(std::move(fd));
    if (events_.added) events_.added(taps_[name]);
    return &taps_[name];
}

Status Service::check_queues(const TapRecord& r) {
    auto link = get_link(*nl_, r.ifindex);
    if (!link) return link.error();
    if (!link.value() || !link.value()->tun)
        return make_error(ErrorKind::Failed, "tap '" + r.name + "' vanished after creation");
    const TunInfo& tun = *link.value()->tun;
    std::string wrong = tampered(r, *link.value());
    if (wrong.empty() && (tun.queues.value_or(0) != 1 || tun.disabled_queues.value_or(0) != 0))
        wrong = "it has " + std::to_string(tun.queues.value_or(0)) + " queues and " +
                std::to_string(tun.disabled_queues.value_or(0)) +
                " disabled queues where tapd opened one: another process attached to it before "
                "its owner was set";
    if (wrong.empty()) return {};
    log::warn("CreateTap " + r.name + ": " + wrong + "; deleting it");
    return make_error(ErrorKind::Failed,
                      "tap '" + r.name + "' was deleted at creation: " + wrong + " (try again)");
}

std::string Service::tampered(const TapRecord& r, const LinkInfo& l) {
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

void Service::warn_if_ownerless(const LinkInfo& l) {
    if (!attachable_by_anyone(l) || !warned_ownerless_.insert(l.ifindex).second) return;
    log::warn(std::string("ownerless ") + (l.tun->persist ? "persistent " : "multi-queue ") +
              (l.tun->tap ? "tap" : "tun") + " device " + log::value(l.name) + " (ifindex " +
              std::to_string(l.ifindex) +
              "): any process holding a detached tun fd, such as one of a deleted tap, can attach "
              "to it and read and write its traffic; give it an owner (ip tuntap add ... user "
              "NAME) or delete it");
}

TapRecord* Service::find_by_ifindex(int ifindex) {
    auto it = by_ifindex_.find(ifindex);
    return it == by_ifindex_.end() ? nullptr : &taps_.at(it->second);
}

TapRecord& Service::record_tap(const TapRecord& r) {
    TapRecord& stored = taps_[r.name] = r;
    by_ifindex_[r.ifindex] = r.name;
    if (!r.persistent && !r.lease.empty()) ++leases_[r.lease];
    return stored;
}

void Service::forget_tap(const std::string& name) {
    auto it = taps_.find(name);
    if (it == taps_.end()) return;
    const TapRecord& r = it->second;
    by_ifindex_.erase(r.ifindex);
    if (!r.persistent && !r.lease.empty())
        if (auto l = leases_.find(r.lease); l != leases_.end() && --l->second == 0)
            leases_.erase(l);
    taps_.erase(it);
}

bool Service::links_changed() {
    std::set<int> suspects;  // foreign devices to look at again as they are now
    bool complete = links_->drain([&](const LinkInfo& l) {
        if (!l.tun) return;
        if (TapRecord* r = find_by_ifindex(l.ifindex)) {
            // tapd's tap. Its owner is unset only in the notification of its creation (the
            // kernel refuses to unset an owner, and tapd's TUNSETOWNER on the down link sends
            // no notification); any other owner, or a group, is a holder's change, revoked at
            // once however briefly it lasts: in between, others could have opened the tap.
            if (l.tun->owner || l.tun->group) revoke_if_tampered(*r, l);
            return;
        }
        if (attachable_by_anyone(l))
            suspects.insert(l.ifindex);
        else if (!l.tun->owner && !l.tun->group)
            recheck_.insert(l.ifindex);  // just created: its flags may come next
    });
    if (complete) {
        check_links(suspects);
    } else {
        // Notifications were lost: one dump shows every link as it is now.
        long now = monotonic_ms();
        if (now - last_overrun_log_ >= 60000) {
            last_overrun_log_ = now;
            log::warn("link notifications were lost (socket buffer overrun); checking every link");
        }
        auto links = list_links(*nl_);
        if (!links) {
            log::error("checking every link: " + links.error().message);
        } else {
            for (const auto& l : links.value()) {
                if (!l.tun) continue;
                if (TapRecord* r = find_by_ifindex(l.ifindex))
                    revoke_if_tampered(*r, l);
                else
                    warn_if_ownerless(l);
            }
        }
    }
    return !recheck_.empty();
}

void Service::recheck_links() {
    std::set<int> suspects;
    suspects.swap(recheck_);
    check_links(suspects);
}

void Service::check_links(const std::set<int>& suspects) {
    for (int ifindex : suspects) {
        auto link = get_link(*nl_, ifindex);
        if (!link) {
            log::error("checking link #" + std::to_string(ifindex) + ": " + link.error().message);
            continue;
        }
        if (!link.value()) {
            warned_ownerless_.erase(ifindex);
            continue;
        }
        if (TapRecord* r = find_by_ifindex(ifindex))
            revoke_if_tampered(*r, *link.value());
        else
            warn_if_ownerless(*link.value());
    }
}

void Service::revoke_if_tampered(const TapRecord& r, const LinkInfo& l) {
    std::string wrong = tampered(r, l);
    if (wrong.empty()) return;
    std::string name = r.name;  // R goes with the tap
    uid_t owner = r.owner;
    auto st = destroy(name);
    log::warn("revoked tap=" + name + " owner=" + std::to_string(owner) + ": " + wrong +
              " (TUNSETOWNER/TUNSETGROUP by a holder of its fd would let others open it by "
              "name) result=" +
              (st ? "removed" : log::value(st.error().message)));
}

Result<TapRecord*> Service::live_tap(const Caller& caller, const std::string& name) {
    auto r = owned_tap(caller, name);
    if (!r) return r;
    // The link must still be the one tapd made (the holder of an fd can unpersist it).
    auto link = link_name(*nl_, r.value()->ifindex);
    if (!link) return link.error();
    if (!link.value() || *link.value() != name)
        return make_error(ErrorKind::NotFound, "tap '" + name + "' no longer exists");
    return r;
}

Result<UniqueFd> Service::open(const Caller& caller, const std::string& name) {
    auto r = live_tap(caller, name);
    if (!r) return r.error();
    return attach_tap(name, {r.value()->vnet_hdr, r.value()->multi_queue});
}

Status Service::destroy(const std::string& name) {
    auto it = taps_.find(name);
    if (it == taps_.end()) return {};
    StepClock clock("DeleteTap " + name);
    TapRecord r = it->second;
    // Deleting the link takes its addresses and routes with it and detaches every fd. It runs
    // on a second thread while the NAT and fd bookkeeping proceed here, and counts as done once
    // the kernel has unregistered the link; the kernel's freeing of it goes on in the background
    // (link_deleter.hpp).
    Status begun = deleter_->begin(r.ifindex, r.name);
    forget_tap(name);
    // Masquerade and the rawallow pair (its raw sockets lose their way out) in one transaction.
    Status result = unconfigure_nat(r);
    captures_->stop(r.name);
    clock.mark("nat+fds");
    Status link = begun ? deleter_->wait_unregistered() : delete_link(*nl_, r.ifindex, r.name);
    if (!link && result) result = link;
    clock.mark("link (unregistered)");
    if (auto st = save(); !st && result) result = st;
    clock.mark("state");
    if (events_.removed) events_.removed(name);
    return result;
}

Status Service::remove(const Caller& caller, const std::string& name) {
    auto r = owned_tap(caller, name);
    if (!r) return r.error();
    return destroy(name);
}

// What differs between a tap's addresses and its routes for the Tap object's Add*/Remove*.
struct PrefixKind {
    const char* what;
    Result<Prefix> (*parse)(std::string_view);
    std::vector<Prefix> TapRecord::*list;
    // What the tap's other prefixes rule out, before anything is asked of the kernel.
    Status (*refuse)(const TapRecord&, const Prefix&);
    Status (*add)(NlSocket&, const TapRecord&, const Prefix&);
    Status (*remove)(NlSocket&, int, const Prefix&);
    // The tap's IPv4 addresses are what masquerade applies to: they may not change under it.
    bool fixed_while_masquerading;
};

namespace {

const PrefixKind kAddressKind{
    "address",
    parse_interface_address,
    &TapRecord::addresses,
    [](const TapRecord&, const Prefix& p) { return check_tap_address(p); },
    [](NlSocket& nl, const TapRecord& r, const Prefix& p) {
        return add_address(nl, r.ifindex, p, address_options(r, p));
    },
    delete_address,
    true};
const PrefixKind kRouteKind{
    "route", parse_network, &TapRecord::routes,
    // An address's prefix route is the kernel's from the start (only CreateTap, which adds
    // routes and addresses together, can make it tapd's).
    [](const TapRecord& r, const Prefix& route) -> Status {
        for (const auto& a : r.addresses)
            if (a.network() == route)
                return make_error(ErrorKind::Conflict,
                                  "route " + route.str() + " is already there as the prefix route" +
                                      " of address " + a.str() + " on '" + r.name + "'");
        return {};
    },
    [](NlSocket& nl, const TapRecord& r, const Prefix& p) { return add_route(nl, r.ifindex, p); },
    delete_route, false};

}  // namespace

Status Service::add_prefix(const Caller& caller, const std::string& name, const std::string& text,
                           const PrefixKind& kind) {
    auto r = owned_tap(caller, name);
    if (!r) return r.error();
    auto p = kind.parse(text);
    if (!p) return p.error();
    TapRecord& rec = *r.value();
    auto& list = rec.*kind.list;
    if (auto st = check_prefix(grant_for(caller), p.value(), kind.what); !st) return st;
    if (std::find(list.begin(), list.end(), p.value()) != list.end())
        return make_error(ErrorKind::Conflict,
                          "tap '" + name + "' already has " + kind.what + " " + p->str());
    if (kind.fixed_while_masquerading && rec.masquerade && p->address.family == AF_INET)
        return make_error(ErrorKind::Conflict, "turn masquerade off before adding IPv4 address " +
                                                   p->str() + " to '" + name + "'");
    if (auto st = kind.refuse(rec, p.value()); !st) return st;
    if (auto st = check_conflicts({p.value()}, rec.ifindex); !st) return st;
    if (auto st = kind.add(*nl_, rec, p.value()); !st) return st;
    list.push_back(p.value());
    if (auto st = save(); !st) {
        list.pop_back();
        log_undo_failure(kind.remove(*nl_, rec.ifindex, p.value()));
        return st;
    }
    if (events_.changed) events_.changed(rec);
    return {};
}

Status Service::remove_prefix(const Caller& caller, const std::string& name,
                              const std::string& text, const PrefixKind& kind) {
    auto r = owned_tap(caller, name);
    if (!r) return r.error();
    auto p = kind.parse(text);
    if (!p) return p.error();
    TapRecord& rec = *r.value();
    auto& list = rec.*kind.list;
    auto it = std::find(list.begin(), list.end(), p.value());
    if (it == list.end())
        return make_error(ErrorKind::NotFound,
                          "tap '" + name + "' has no " + kind.what + " " + p->str());
    if (kind.fixed_while_masquerading && rec.masquerade && p->address.family == AF_INET)
        return make_error(ErrorKind::Conflict, "turn masquerade off before removing IPv4 address " +
                                                   p->str() + " from '" + name + "'");
    if (auto st = kind.remove(*nl_, rec.ifindex, p.value()); !st) return st;
    list.erase(it);
    if (auto st = save(); !st) return st;
    if (events_.changed) events_.changed(rec);
    return {};
}

Status Service::add_address(const Caller& caller, const std::string& name,
                            const std::string& text) {
    return add_prefix(caller, name, text, kAddressKind);
}

Status Service::remove_address(const Caller& caller, const std::string& name,
                               const std::string& text) {
    return remove_prefix(caller, name, text, kAddressKind);
}

Status Service::add_route(const Caller& caller, const std::string& name, const std::string& text) {
    return add_prefix(caller, name, text, kRouteKind);
}

Status Service::remove_route(const Caller& caller, const std::string& name,
                             const std::string& text) {
    return remove_prefix(caller, name, text, kRouteKind);
}

Status Service::set_masquerade(const Caller& caller, const std::string& name, bool enabled) {
    auto r = owned_tap(caller, name);
    if (!r) return r.error();
    TapRecord& rec = *r.value();
    if (rec.masquerade == enabled) return {};
    if (enabled) {
        if (!grant_for(caller).masquerade)
            return make_error(ErrorKind::PermissionDenied,
                              "the policy does not allow you masquerade");
        if (rec.masquerade_subnets().empty())
            return make_error(ErrorKind::InvalidArgument,
                              "masquerade needs an IPv4 address on tap '" + name + "'");
        auto due = enable_masquerade(rec);
        if (!due) return due.error();
        rec.masquerade = true;
        Status st = save();
        if (st && due.value()) st = start_forwarding("masquerading tap=" + name);
        if (!st) {
            rec.masquerade = false;
            log_undo_failure(disable_masquerade(rec));
            log_undo_failure(save());
            return st;
        }
    } else {
        if (auto st = disable_masquerade(rec); !st) return st;
        rec.masquerade = false;
        if (auto st = save(); !st) return st;
    }
    if (events_.changed) events_.changed(rec);
    return {};
}

void Service::destroy_if(const std::function<bool(const TapRecord&)>& which,
                         const std::string& why) {
    std::vector<std::string> gone;
    for (const auto& [name, r] : taps_)
        if (which(r)) gone.push_back(name);
    for (const auto& name : gone) {
        auto st = destroy(name);
        log::info(why + " tap=" + name +
                  " result=" + (st ? "removed" : log::value(st.error().message)));
    }
}

bool Service::holds_lease(const std::string& sender) const {
    return leases_.count(sender) != 0;
}

void Service::client_gone(const std::string& sender) {
    destroy_if([&](const TapRecord& r) { return !r.persistent && r.lease == sender; },
               "lease ended: client=" + sender);
}

void Service::shutdown() {
    destroy_if([](const TapRecord& r) { return !r.persistent; }, "shutdown:");
}

}  // namespace tapd
