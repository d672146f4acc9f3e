// Firewall: tapd's nf_tables table and net.ipv4.ip_forward, from the firewall's own state.
#include "firewall.hpp"

#include <algorithm>

#include <set>

#include "fault.hpp"
#include "forwarding.hpp"
#include "log.hpp"
#include "profile.hpp"
#include "raw_socket.hpp"
#include "xt_matches.hpp"

namespace tapd {

namespace {

nft::MasqueradeEntry masquerade_entry(const FirewallTap& t) {
    return nft::MasqueradeEntry{t.name, t.subnets};
}

// The tap's pair in rawallow, none if its ifindex has no mark (open_raw_socket refuses it too).
std::optional<nft::RawEntry> raw_entry(const FirewallTap& t) {
    auto mark = raw_socket_mark(t.ifindex);
    if (!mark) return std::nullopt;
    return nft::RawEntry{mark.value(), t.name};
}

}  // namespace

Result<std::unique_ptr<Firewall>> Firewall::open() {
    std::unique_ptr<Firewall> f(new Firewall());
    auto table = NftTable::open();
    if (!table) return table.error();
    f->table_ = std::move(table.value());
    auto docker = DockerRules::open(*f->table_);
    if (!docker) return docker.error();
    f->docker_ = std::move(docker.value());
    auto events = NftEvents::open();
    if (!events) return events.error();
    f->events_ = std::move(events.value());
    return f;
}

nft::TableState Firewall::expected() const {
    nft::TableState table;
    for (const auto& [name, e] : masquerade_) table.entries.push_back(e);
    for (const auto& [name, e] : raw_) table.raw.push_back(e);
    // By name, as the maps were ordered: batches and their errors come out the same every time.
    auto by_name = [](const auto& a, const auto& b) { return a.ifname < b.ifname; };
    std::sort(table.entries.begin(), table.entries.end(), by_name);
    std::sort(table.raw.begin(), table.raw.end(), by_name);
    table.guard = !table.entries.empty() && saved_ip_forward_ == 0;
    return table;
}

Status Firewall::adopt(const std::vector<FirewallTap>& taps, std::optional<int> saved) {
    masquerade_.clear();
    raw_.clear();
    saved_ip_forward_ = saved;
    for (const auto& t : taps) {
        if (t.masquerade) masquerade_[t.name] = masquerade_entry(t);
        if (auto raw = raw_entry(t)) raw_[t.name] = *raw;
    }
    // Clears stale elements and rules (every chain flushed, every set emptied, then filled).
    if (auto st = table_->rebuild(expected(), "rebuilding table inet tapd"); !st) return st;
    if (masquerade_.empty() && saved_ip_forward_) {
        if (auto st = write_ip_forward(*saved_ip_forward_); !st) return st;
        log::info("reconcile: restored net.ipv4.ip_forward=" + std::to_string(*saved_ip_forward_));
        saved_ip_forward_.reset();
    } else if (!masquerade_.empty() && saved_ip_forward_ == 0) {
        // Masquerading taps adopted with forwarding tapd turned on: a crash between the state
        // file and the sysctl (a create writes it last) leaves it off.
        auto cur = read_ip_forward();
        if (!cur) return cur.error();
        if (cur.value() == 0)
            if (auto st = start_forwarding("reconcile: the adopted masquerading taps"); !st)
                return st;
    }
    return {};
}

Result<bool> Firewall::add_tap(const FirewallTap& tap) {
    auto raw = raw_entry(tap);
    std::optional<nft::ElementBatch> raw_batch;
    if (raw) raw_batch = nft::raw_elements(true, *raw);
    bool due = false;
    if (tap.masquerade) {
        auto st = apply_masquerade(true, masquerade_entry(tap), std::move(raw_batch), &due);
        if (!st) return st.error();
    } else if (raw_batch) {
        if (auto st = table_->apply(*raw_batch, "allowing raw sockets of " + tap.name); !st)
            return st.error();
    }
    if (raw) raw_[tap.name] = *raw;
    return due;
}

Result<bool> Firewall::enable_masquerade(const FirewallTap& tap) {
    bool due = false;
    if (auto st = apply_masquerade(true, masquerade_entry(tap), std::nullopt, &due); !st)
        return st.error();
    return due;
}

Status Firewall::disable_masquerade(const std::string& name) {
    auto it = masquerade_.find(name);
    if (it == masquerade_.end()) return {};
    return apply_masquerade(false, it->second, std::nullopt, nullptr);
}

// Adds or removes ENTRY's elements, EXTRA in the same transaction. The first masquerading tap
// saves ip_forward's value and, if it was off, puts the guard in before forwarding goes on
// (*FORWARDING_DUE); the last turns forwarding off before the guard goes out: never forwarding
// without the guard. A failure changes nothing (forwarding is put back on).
Status Firewall::apply_masquerade(bool add, const nft::MasqueradeEntry& entry,
                                  std::optional<nft::ElementBatch> extra, bool* forwarding_due) {
    auto batch = nft::masquerade_elements(add, entry);
    if (extra) batch.join(std::move(*extra));
    if (add) {
        bool first = masquerade_.empty();
        std::optional<int> before;
        if (first) {
            auto cur = read_ip_forward();
            if (!cur) return cur.error();
            before = cur.value();
            if (cur.value() == 0) batch.join(nft::guard_elements(true));
        }
        if (auto st = table_->apply(batch, "adding masquerade for " + entry.ifname); !st) return st;
        masquerade_[entry.ifname] = entry;
        if (first) saved_ip_forward_ = before;
        if (forwarding_due) *forwarding_due = first && before == 0;
        sync_docker();
        return {};
    }
    std::string name = entry.ifname;  // ENTRY may be the element erased below
    bool last = masquerade_.size() == 1;
    bool stop = last && saved_ip_forward_ == 0;
    if (stop) {
        if (auto st = write_ip_forward(0); !st) return st;
        batch.join(nft::guard_elements(false));
    }
    if (auto st = table_->apply(batch, "removing masquerade for " + name); !st) {
        if (stop) {
            auto back = write_ip_forward(1);
            if (!back) log::error("undo failed: " + back.error().message);
        }
        return st;
    }
    if (stop) log::info("net.ipv4.ip_forward=0 restored");
    masquerade_.erase(name);
    if (last) saved_ip_forward_.reset();
    sync_docker();
    return {};
}

Status Firewall::remove_tap(const std::string& name) {
    std::optional<nft::ElementBatch> raw_batch;
    if (auto it = raw_.find(name); it != raw_.end()) {
        // Its raw sockets stay open in their holders' hands, but everything they send is dropped
        // (the rule fails closed on an unknown mark).
        raw_batch = nft::raw_elements(false, it->second);
        raw_.erase(it);
    }
    Status st;
    if (auto it = masquerade_.find(name); it != masquerade_.end()) {
        bool last = masquerade_.size() == 1;
        auto batch = nft::masquerade_elements(false, it->second);
        if (raw_batch) batch.join(std::move(*raw_batch));
        if (last && saved_ip_forward_ == 0) {
            // Forwarding off first, then the guard out: never forwarding without the guard.
            if (auto w = write_ip_forward(0); !w)
                st = w;
            else
                log::info("net.ipv4.ip_forward=0 restored");
            batch.join(nft::guard_elements(false));
        }
        masquerade_.erase(it);
        if (last) saved_ip_forward_.reset();
        if (auto a = table_->apply(batch, "removing masquerade for " + name); !a && st) st = a;
        sync_docker();
    } else if (raw_batch) {
        st = table_->apply(*raw_batch, "forgetting raw sockets of " + name);
    }
    // A refused transaction changed nothing: rebuild the table from the state instead.
    if (!st) check_table();
    return st;
}

Status Firewall::start_forwarding(const std::string& why) {
    if (auto st = write_ip_forward(1); !st) return st;
    log::info("net.ipv4.ip_forward=1 (was 0) for " + why);
    return {};
}

Result<nlohmann::json> Firewall::list_ruleset() {
    auto listed = table_->list_ruleset();
    if (!listed) return listed;
    if (auto matches = xt::dump_ip_matches())
        xt::annotate(listed.value(), matches.value());
    else
        log::warn("reading iptables' conntrack matches: " + matches.error().message +
                  " (they count as \"may\")");
    return listed;
}

void Firewall::set_docker(bool on) {
    if (on != docker_on_) log::info(std::string("docker integration ") + (on ? "on" : "off"));
    docker_on_ = on;
    // Also when off: rules a tapd with the integration on left behind go.
    std::set<std::string> taps;
    if (on)
        for (const auto& [name, e] : masquerade_) taps.insert(name);
    if (docker_->sync(taps)) foreign_changed_ = true;
}

void Firewall::sync_docker() {
    if (docker_on_) set_docker(true);
}

std::optional<nlohmann::json> Firewall::check_table() {
    sync_docker();
    StepClock clock("table check inet tapd");
    auto listed = table_->list();
    clock.mark("list");
    if (!listed) {
        log::error("checking table inet tapd: " + listed.error().message);
        return std::nullopt;
    }
    auto want = expected();
    std::string why;
    if (nft::table_matches(listed.value(), want, &why)) return std::nullopt;
    // Someone else (nft flush ruleset, a firewall reload) changed tapd's table: put it back.
    Status st = fail_point("table_restore");
    if (st) st = table_->run(nft::table_batch(want), "restoring table inet tapd");
    log::warn("nf_tables: " + why + "; " +
              (st ? std::string("restored table inet tapd") : st.error().message));
    if (st) return std::nullopt;
    return std::move(listed.value());
}

}  // namespace tapd
