// ManagerObject's policy methods: GetPolicy (what the caller may do, and what it uses), Reload,
// and Version.
#include "manager_object.hpp"
#include "replies.hpp"
#include "utf8.hpp"

namespace tapd {

namespace {

std::vector<std::string> strings(const std::vector<Prefix>& v) {
    std::vector<std::string> out;
    for (const auto& p : v) out.push_back(p.str());
    return out;
}

sdbus::Variant count(size_t n) {
    return sdbus::Variant(static_cast<uint32_t>(std::min<size_t>(n, UINT32_MAX)));
}

}  // namespace

std::map<std::string, sdbus::Variant> ManagerObject::GetPolicy() {
    Caller c = callers_.of(getObject());
    auto policy = service_.policy();
    Grant g = policy->grant_for(c);
    std::vector<std::string> rules;
    for (size_t i : g.matched_rules) {
        const Rule& r = policy->rules[i];
        rules.push_back(printable_utf8("rule " + std::to_string(i) + " (line " +
                                           std::to_string(r.line) + ")" +
                                           (r.comment.empty() ? "" : ": " + r.comment),
                                       kMaxErrorText));
    }
    std::map<std::string, sdbus::Variant> out;
    out["uid"] = sdbus::Variant(static_cast<uint32_t>(c.uid));
    out["unlimited"] = sdbus::Variant(g.unlimited);
    out["max_taps"] = count(g.max_taps);
    out["taps"] = count(service_.taps().owned_by(c.uid));
    out["name_prefixes"] = sdbus::Variant(g.name_prefixes);
    out["prefixes"] = sdbus::Variant(strings(g.prefixes));
    out["masquerade"] = sdbus::Variant(g.masquerade);
    out["persistent"] = sdbus::Variant(g.persistent);
    out["owner_access"] = sdbus::Variant(g.owner_access);
    out["raw_sockets"] = sdbus::Variant(g.raw_sockets);
    out["capture"] = sdbus::Variant(g.capture);
    out["default_route"] = sdbus::Variant(g.default_route);
    out["max_captures"] = count(g.max_captures);
    out["open_captures"] = count(service_.captures_of(c));
    out["max_raw_sockets"] = count(g.max_raw_sockets);
    if (auto open = service_.raw_sockets_of(c)) out["open_raw_sockets"] = count(open.value());
    out["limits.captures"] = count(policy->limits.captures);
    out["limits.raw_sockets"] = count(policy->limits.raw_sockets);
    // The host's "integrations": what tapd does in Docker's and firewalld's rules for every tap.
    out["integrations.docker"] = sdbus::Variant(policy->integrations.docker);
    out["integrations.firewalld_zone"] =
        sdbus::Variant(printable_utf8(policy->integrations.firewalld_zone, kMaxErrorText));
    out["matched_rules"] = sdbus::Variant(rules);
    // The policy's path, as tapd was given it: any bytes but NUL, and sd-bus sends only UTF-8.
    out["policy"] = sdbus::Variant(printable_utf8(policy->source, kMaxErrorText));
    return out;
}

void ManagerObject::Reload() {
    Caller c = callers_.of(getObject());
    reply(c, "Reload", log_arg("policy", service_.policy_path()), service_.reload_policy(c));
}

std::string ManagerObject::Version() {
    return TAPD_VERSION;
}

}  // namespace tapd
