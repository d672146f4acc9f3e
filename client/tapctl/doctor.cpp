// tapctl doctor [NAME]: why a tap's traffic does not flow, a line per check. Host facts that
// need root (the nf_tables ruleset) come from tapd's GetFindings; the rest tapctl reads itself.
#include "doctor.hpp"

#include <cstdio>
#include <exception>
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "output.hpp"

namespace tapd::tapctl {

namespace {

Check from_finding(const tapd::Finding& f) {
    std::string what = f.kind == "forward_chain" ? "forward chain"
                       : f.kind == "ip_forward"  ? "forwarding (tapd)"
                       : f.kind == "rp_filter"   ? "rp_filter (tapd)"
                       : f.kind == "masquerade"  ? "masquerade"
                                                 : f.kind;
    return Check{(f.tap.empty() ? "" : f.tap + " ") + what, f.severity, f.text, f.fix};
}

// What tapd says of itself and of the caller's policy; false if tapd cannot be reached.
bool tapd_checks(Invocation& inv, std::vector<Check>& out) {
    try {
        std::string v = inv.bus().version();
        out.push_back({"tapd", "ok", "tapd " + v + " answers on the system bus", ""});
    } catch (const std::exception& e) {
        out.push_back({"tapd", "fail", std::string("cannot reach tapd: ") + e.what(),
                       "systemctl start tapd (journalctl -u tapd says why it stopped)"});
        return false;
    }
    try {
        auto p = inv.bus().policy();
        std::string taps =
            p["taps"] + " of " + (p["unlimited"] == "true" ? "unlimited" : p["max_taps"]) + " taps";
        std::string detail = "uid " + p["uid"] + ": " + taps + ", prefixes " +
                             (p["prefixes"].empty() ? "none" : p["prefixes"]) + ", masquerade " +
                             (p["masquerade"] == "true" ? "yes" : "no");
        if (p["matched_rules"].empty() && p["unlimited"] != "true")
            out.push_back({"policy", "warn", detail + ": no policy rule matches you",
                           "ask an administrator for a rule in tapd's policy (tapd.policy(5))"});
        else
            out.push_back({"policy", "ok", detail, ""});
    } catch (const std::exception& e) {
        out.push_back({"policy", "fail", e.what(), ""});
    }
    return true;
}

void tap_checks(Invocation& inv, const std::string& name,
                const std::vector<tapd::Finding>& findings, std::vector<Check>& out) {
    tapd::TapInfo t;
    try {
        t = inv.bus().show(name);
    } catch (const std::exception& e) {
        out.push_back({name, "fail", e.what(), "tapctl create " + name + " ..."});
        return;
    }
    out.push_back(link_check(name));
    out.push_back(addresses_check(name, t.addresses));
    out.push_back(routes_check(name, t.routes));
    bool element_missing = false, chain_found = false;
    for (const auto& f : findings) {
        if (f.tap != name) continue;
        if (f.kind == "masquerade") element_missing = true;
        if (f.kind == "forward_chain") chain_found = true;
    }
    if (!t.masquerade)
        out.push_back({name + " masquerade", "ok", "off: the tap reaches the host only", ""});
    else if (!element_missing)
        out.push_back({name + " masquerade", "ok", "on: table inet tapd holds its elements", ""});
    out.push_back(forwarding_check(t.masquerade));
    out.push_back(rp_filter_check(name + " rp_filter", name));
    for (const auto& f : findings)
        if (f.tap == name && f.kind != "rp_filter" && f.kind != "ip_forward")
            out.push_back(from_finding(f));
    if (t.masquerade && !chain_found)
        out.push_back({name + " forward chains", "ok",
                       "no other table's forward chain drops its traffic", ""});
}

void print(const std::vector<Check>& checks, bool json) {
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& c : checks)
            out.push_back(
                {{"check", c.check}, {"status", c.status}, {"detail", c.detail}, {"fix", c.fix}});
        std::cout << out.dump(2) << "\n";
        return;
    }
    for (const auto& c : checks) {
        std::printf("%-4s  %s: %s", c.status.c_str(), c.check.c_str(), c.detail.c_str());
        if (!c.fix.empty()) std::printf("; fix: %s", c.fix.c_str());
        std::printf("\n");
    }
}

}  // namespace

int cmd_doctor(Invocation& inv) {
    no_more_operands(inv, 1);
    std::string name = inv.operands.empty() ? "" : inv.operands[0];
    std::vector<Check> checks;
    std::vector<tapd::Finding> findings;
    bool reachable = tapd_checks(inv, checks);
    if (reachable) {
        try {
            findings = inv.bus().findings();
        } catch (const std::exception& e) {
            checks.push_back(
                {"findings", "warn", std::string("tapd did not tell: ") + e.what(), "update tapd"});
        }
    }
    if (!name.empty() && reachable) tap_checks(inv, name, findings, checks);
    std::string uplink;
    checks.push_back(uplink_check(&uplink));
    if (!uplink.empty()) checks.push_back(rp_filter_check("uplink rp_filter", uplink));
    // The host's findings (those of no tap), and with no NAME every tap's; the uplink's
    // rp_filter was read above.
    for (const auto& f : findings)
        if ((f.tap.empty() && f.kind != "rp_filter") || (name.empty() && !f.tap.empty()))
            checks.push_back(from_finding(f));
    checks.push_back(ownerless_check());
    checks.push_back(tun_device_check());
    print(checks, inv.json);
    // 0 only when every check is ok: a script can tell "all is well" from "look at this".
    for (const auto& c : checks)
        if (c.status != "ok") return 1;
    return 0;
}

void warn_findings(tapd::Client& client, const std::string& tap) {
    try {
        for (const auto& f : client.findings())
            if (f.tap == tap || (f.tap.empty() && f.kind != "forward_chain"))
                std::fprintf(stderr, "tapctl: warning: %s; to fix: %s\n", f.text.c_str(),
                             f.fix.c_str());
    } catch (const std::exception&) {
        // An older tapd: it cannot tell.
    }
}

}  // namespace tapd::tapctl
