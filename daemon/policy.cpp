// The TEMPORARY built-in policy and the checks every mutating call runs against a Grant.
#include "policy.hpp"

namespace tapd {

Grant grant_for(uid_t uid) {
    Grant g;
    if (uid == 0) {
        g.unlimited = true;
        return g;
    }
    g.max_taps = 4;
    g.name_prefix = "tap";
    for (const char* p : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/64"})
        g.prefixes.push_back(parse_network(p).value());
    g.masquerade = true;
    g.persistent = true;
    g.owner_access = true;
    g.raw_sockets = true;
    g.capture = true;
    return g;
}

Status check_prefix(const Grant& grant, const Prefix& prefix, const char* what) {
    if (grant.unlimited) return {};
    for (const auto& allowed : grant.prefixes)
        if (allowed.contains(prefix.network())) return {};
    return make_error(ErrorKind::PermissionDenied, std::string(what) + " " + prefix.str() +
                                                       " is outside the prefixes you may use");
}

Status check_create(const Grant& grant, const std::string& name, const CreateOptions& o,
                    size_t owned) {
    if (grant.unlimited) return {};
    if (name.compare(0, grant.name_prefix.size(), grant.name_prefix) != 0)
        return make_error(ErrorKind::PermissionDenied,
                          "tap name '" + name + "' must start with '" + grant.name_prefix + "'");
    if (owned >= grant.max_taps)
        return make_error(ErrorKind::QuotaExceeded, "you already have " + std::to_string(owned) +
                                                        " taps (at most " +
                                                        std::to_string(grant.max_taps) + ")");
    for (const auto& a : o.addresses)
        if (auto st = check_prefix(grant, a, "address"); !st) return st;
    for (const auto& r : o.routes)
        if (auto st = check_prefix(grant, r, "route"); !st) return st;
    if (o.masquerade && !grant.masquerade)
        return make_error(ErrorKind::PermissionDenied, "masquerade is not allowed for you");
    if (o.persistent && !grant.persistent)
        return make_error(ErrorKind::PermissionDenied, "persistent taps are not allowed for you");
    if (o.owner_access && !grant.owner_access)
        return make_error(ErrorKind::PermissionDenied, "owner_access is not allowed for you");
    return {};
}

}  // namespace tapd
