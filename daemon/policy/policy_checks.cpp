// The checks a call runs against a caller's grant: tap names, addresses and routes, CreateTap's
// options, and the counts of captures and raw sockets.
#include <string>

#include "ifname.hpp"
#include "policy.hpp"

namespace tapd {

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

Status Policy::check_name(const Grant& grant, const std::string& name) {
    if (auto st = validate_ifname(name); !st) return st;
    if (grant.unlimited) return {};
    for (const auto& p : grant.name_prefixes)
        if (name.starts_with(p)) return {};
    if (grant.name_prefixes.empty())
        return make_error(ErrorKind::PermissionDenied,
                          "tap name '" + name + "': no policy rule lets you create taps");
    std::string list;
    for (const auto& p : grant.name_prefixes) list += (list.empty() ? "'" : ", '") + p + "'";
    return make_error(ErrorKind::PermissionDenied,
                      "tap name '" + name + "' must start with " +
                          (grant.name_prefixes.size() > 1 ? "one of " : "") + list);
}

Status Policy::check_prefix(const Grant& grant, const Prefix& prefix, const char* what) {
    if (grant.unlimited) return {};
    // contains() compares networks: the candidate's length must be at least the allowed one's, and
    // its address cut to the allowed length must equal the allowed network. So an interface
    // address with host bits fits its network, and a larger network never fits a smaller one.
    for (const auto& allowed : grant.prefixes) {
        if (!allowed.contains(prefix)) continue;
        // A rule grants a /0 only with default_route (parse_policy_file); the grant is checked
        // here too, so that the permission is named where it is missing.
        if (prefix.length == 0 && !grant.default_route)
            return make_error(ErrorKind::PermissionDenied,
                              std::string(what) + " " + prefix.str() +
                                  " would take all of the host's traffic through your tap; the "
                                  "policy does not allow you default routes (\"default_route\")");
        return {};
    }
    return make_error(ErrorKind::PermissionDenied, std::string(what) + " " + prefix.str() +
                                                       " is outside the prefixes you may use");
}

Status Policy::check_create(const Grant& grant, const CreateOptions& o, size_t owned) {
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

Status Policy::check_capture_quota(const Grant& grant, size_t mine, size_t total) const {
    return check_capture_quota(grant, limits, mine, total);
}

Status Policy::check_raw_socket_quota(const Grant& grant, size_t mine, size_t total) const {
    return check_raw_socket_quota(grant, limits, mine, total);
}

Status Policy::check_capture_quota(const Grant& grant, const Limits& limits, size_t mine,
                                   size_t total) {
    return check_count(grant, "captures", "have", mine, grant.max_captures, "max_captures", total,
                       limits.captures, "tapd already runs " + std::to_string(total) + " captures",
                       "captures");
}

Status Policy::check_raw_socket_quota(const Grant& grant, const Limits& limits, size_t mine,
                                      size_t total) {
    return check_count(grant, "raw sockets", "hold", mine, grant.max_raw_sockets, "max_raw_sockets",
                       total, limits.raw_sockets,
                       std::to_string(total) + " raw sockets from tapd are open", "raw_sockets");
}

}  // namespace tapd
