// The policy in force and the per-call checks of CreateTap against a grant.
#include "policy.hpp"

namespace tapd {

static Policy& policy_in_force() {
    static Policy policy = default_policy();
    return policy;
}

const Policy& current_policy() {
    return policy_in_force();
}

void set_current_policy(Policy policy) {
    policy_in_force() = std::move(policy);
}

static Status put_in_force(Result<Policy> loaded) {
    if (!loaded) return loaded.error();
    set_current_policy(std::move(loaded.value()));
    return {};
}

Status load_policy_in_force(const std::string& path) {
    return put_in_force(load_policy(path, LoadTime::Start));
}

Status reload_policy_in_force(const std::string& path) {
    return put_in_force(load_policy(path, LoadTime::Reload));
}

Grant grant_for(const Caller& caller) {
    if (caller.groups) return grant_for(current_policy(), caller.uid, *caller.groups);
    return grant_for(current_policy(), caller.uid, groups_of(caller.uid));
}

Status check_create(const Grant& grant, const CreateOptions& o, size_t owned) {
    if (grant.unlimited) return {};
    if (owned >= grant.max_taps)
        return make_error(ErrorKind::QuotaExceeded,
                          grant.max_taps == 0
                              ? std::string("the policy grants you no taps")
                              : "you already have " + std::to_string(owned) + " taps (at most " +
                                    std::to_string(grant.max_taps) + ")");
    for (const auto& a : o.addresses)
        if (auto st = check_prefix(grant, a, "address"); !st) return st;
    for (const auto& r : o.routes)
        if (auto st = check_prefix(grant, r, "route"); !st) return st;
    if (o.masquerade && !grant.masquerade)
        return make_error(ErrorKind::PermissionDenied, "the policy does not allow you masquerade");
    if (o.persistent && !grant.persistent)
        return make_error(ErrorKind::PermissionDenied,
                          "the policy does not allow you persistent taps (use tapctl exec, or "
                          "tapctl create --ephemeral)");
    if (o.owner_access && !grant.owner_access)
        return make_error(ErrorKind::PermissionDenied,
                          "the policy does not allow you owner_access");
    return {};
}

namespace {

// One more of KIND ("captures") for a caller: its MINE against MAX (policy key KEY; VERB words
// its count: "you already have 4 captures"), then everyone's TOTAL against LIMIT (policy key
// "limits." LIMIT_KEY; TOTAL_TEXT words it).
Status check_count(const Grant& grant, const char* kind, const char* verb, size_t mine, size_t max,
                   const char* key, size_t total, size_t limit, const std::string& total_text,
                   const char* limit_key) {
    if (grant.unlimited) return {};
    if (max == 0)
        return make_error(
            ErrorKind::QuotaExceeded,
            std::string("the policy grants you no ") + kind + " (policy key \"" + key + "\" is 0)");
    if (mine >= max)
        return make_error(ErrorKind::QuotaExceeded, std::string("you already ") + verb + " " +
                                                        std::to_string(mine) + " " + kind +
                                                        " (at most " + std::to_string(max) +
                                                        ", policy key \"" + key + "\")");
    if (total >= limit)
        return make_error(ErrorKind::QuotaExceeded,
                          total_text + " (at most " + std::to_string(limit) +
                              ", policy key \"limits." + limit_key + "\")");
    return {};
}

}  // namespace

Status check_capture_quota(const Grant& grant, const Limits& limits, size_t mine, size_t total) {
    return check_count(grant, "captures", "have", mine, grant.max_captures, "max_captures", total,
                       limits.captures, "tapd already runs " + std::to_string(total) + " captures",
                       "captures");
}

Status check_raw_socket_quota(const Grant& grant, const Limits& limits, size_t mine, size_t total) {
    return check_count(grant, "raw sockets", "hold", mine, grant.max_raw_sockets, "max_raw_sockets",
                       total, limits.raw_sockets,
                       std::to_string(total) + " raw sockets from tapd are open", "raw_sockets");
}

}  // namespace tapd
