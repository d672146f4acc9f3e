// Findings: the host's forward chains, forwarding and rp_filter against the masquerading taps.
#include "findings.hpp"

#include <algorithm>
#include <set>

#include "log.hpp"
#include "nft_batches.hpp"

namespace tapd {

namespace {

using json = nlohmann::json;

// A set's elements in tapd's table, as text ("tap0", "192.168.69.0/24").
std::set<std::string> elements(const json& ruleset, const std::string& name, bool* seen) {
    std::set<std::string> out;
    if (!ruleset.is_object() || !ruleset.contains("nftables") || !ruleset["nftables"].is_array())
        return out;
    for (const auto& item : ruleset["nftables"]) {
        if (!item.is_object() || !item.contains("set") || !item["set"].is_object()) continue;
        const json& set = item["set"];
        if (set.value("family", "") != nft::kFamily || set.value("table", "") != nft::kTable ||
            set.value("name", "") != name)
            continue;
        *seen = true;
        if (!set.contains("elem") || !set["elem"].is_array()) continue;
        for (const auto& e : set["elem"]) {
            const json& v = e.is_object() && e.contains("elem") ? e["elem"]["val"] : e;
            if (v.is_string())
                out.insert(v.get<std::string>());
            else if (v.is_object() && v.contains("prefix") && v["prefix"].is_object())
                out.insert(v["prefix"].value("addr", "") + "/" +
                           std::to_string(v["prefix"].value("len", 0)));
        }
    }
    return out;
}

Finding sysctl_finding(const std::string& tap, const std::string& text, const std::string& fix,
                       const char* severity, const char* kind) {
    return Finding{severity, kind, tap, text, fix};
}

}  // namespace

std::vector<Finding> forward_findings(const nft::ForwardRuleset& rules,
                                      const std::vector<FirewallTap>& taps,
                                      const std::string& uplink) {
    std::vector<Finding> out;
    auto add = [&](const nft::TapTraffic& t, bool any_tap) {
        for (const auto& d : rules.drops(t))
            out.push_back(Finding{d.certain && !any_tap ? "fail" : "warn", "forward_chain", t.tap,
                                  nft::describe(d, t.tap), nft::fix_for(d, t.tap, uplink)});
    };
    if (taps.empty()) add(nft::TapTraffic{"", {}, uplink}, true);
    for (const auto& tap : taps) add(nft::TapTraffic{tap.name, tap.subnets, uplink}, false);
    return out;
}

std::vector<Finding> masquerade_findings(const json& ruleset,
                                         const std::vector<FirewallTap>& taps) {
    std::vector<Finding> out;
    bool seen_taps = false, seen_masq = false;
    auto names = elements(ruleset, "taps", &seen_taps);
    auto subnets = elements(ruleset, "masq4", &seen_masq);
    for (const auto& tap : taps) {
        std::string missing;
        if (!names.count(tap.name)) missing = tap.name + " in set taps";
        for (const auto& p : tap.subnets) {
            std::string text = p.length == 32 ? p.address.str() : p.str();
            if (!subnets.count(text))
                missing += (missing.empty() ? "" : ", ") + text + " in set masq4";
        }
        if (missing.empty()) continue;
        out.push_back(Finding{"fail", "masquerade", tap.name,
                              "table inet tapd lacks " + tap.name + "'s masquerade (" + missing +
                                  "): its traffic leaves unmasqueraded",
                              "tapctl masquerade " + tap.name + " off; tapctl masquerade " +
                                  tap.name + " on (or restart tapd, which rebuilds its table)"});
    }
    return out;
}

void HostCheck::relist(Firewall& firewall, const std::vector<FirewallTap>& taps,
                       const nlohmann::json* own_table) {
    elements_ = own_table ? masquerade_findings(*own_table, taps) : std::vector<Finding>{};
    auto listed = firewall.list_ruleset();
    if (!listed) {
        log::error("checking other tables' forward chains: " + listed.error().message);
    } else {
        rules_.reset();
        ruleset_ = std::move(listed.value());
        rules_ = std::make_unique<nft::ForwardRuleset>(ruleset_, nft::kFamily, nft::kTable);
    }
    check(taps);
}

std::vector<Finding> HostCheck::tap_findings(const FirewallTap& tap, const std::string& uplink) {
    std::vector<Finding> out;
    if (rules_) out = forward_findings(*rules_, {tap}, uplink);
    for (const auto& f : elements_)
        if (f.tap == tap.name) out.push_back(f);
    if (auto f = strict_rp_filter(tap.name, tap.name)) out.push_back(*f);
    return out;
}

std::string HostCheck::current_uplink() {
    if (!epoch_ || !read_epoch_ || *epoch_ != *read_epoch_) {
        auto route = read_default_route();
        read_uplink_ = route ? route->ifname : "";
        read_epoch_ = epoch_;
    }
    return read_uplink_;
}

void HostCheck::check(const std::vector<FirewallTap>& taps) {
    uplink_ = current_uplink();
    per_tap_.clear();
    for (const auto& tap : taps) per_tap_[tap.name] = tap_findings(tap, uplink_);
    std::vector<Finding> host;
    if (taps.empty() && rules_) host = forward_findings(*rules_, {}, uplink_);
    publish(std::move(host), !taps.empty());
}

void HostCheck::check_new(const std::vector<FirewallTap>& added,
                          const std::vector<std::string>& gone) {
    for (const auto& name : gone) per_tap_.erase(name);
    if (current_uplink() != uplink_) {
        // The uplink changed: every tap's findings may have.
        needs_full_ = true;
        return;
    }
    for (const auto& tap : added) per_tap_[tap.name] = tap_findings(tap, uplink_);
    publish({}, !per_tap_.empty());
}

std::optional<Finding> HostCheck::strict_rp_filter(const std::string& ifname,
                                                   const std::string& tap) {
    if (effective_rp_filter(ifname) != 1) return std::nullopt;
    return sysctl_finding(
        tap,
        "rp_filter is strict (1) on " + ifname + " (the larger of net.ipv4.conf.all and ." +
            ifname + ".rp_filter): packets whose source is not routed back through " + ifname +
            " are dropped",
        "sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf." + ifname + ".rp_filter=2", "warn",
        "rp_filter");
}

void HostCheck::publish(std::vector<Finding> now, bool masquerading) {
    if (masquerading && read_sysctl_int("net/ipv4/ip_forward") == 0)
        now.push_back(sysctl_finding(
            "", "net.ipv4.ip_forward is 0 while taps masquerade: someone turned forwarding off",
            "sysctl -w net.ipv4.ip_forward=1 (and find what turned it off: a network manager, "
            "a sysctl.d file)",
            "fail", "ip_forward"));
    if (masquerading && !uplink_.empty())
        if (auto f = strict_rp_filter(uplink_, "")) now.push_back(*f);
    for (const auto& [name, found] : per_tap_) now.insert(now.end(), found.begin(), found.end());
    std::sort(now.begin(), now.end());
    now.erase(std::unique(now.begin(), now.end()), now.end());
    replace(std::move(now));
}

void HostCheck::replace(std::vector<Finding> now) {
    for (const auto& f : now)
        if (!std::binary_search(findings_.begin(), findings_.end(), f))
            log::warn("finding: " + f.text + "; to fix: " + f.fix);
    for (const auto& f : findings_)
        if (!std::binary_search(now.begin(), now.end(), f)) log::info("finding gone: " + f.text);
    findings_ = std::move(now);
}

}  // namespace tapd
