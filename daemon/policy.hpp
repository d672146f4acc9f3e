// Policy: what a caller may do. TEMPORARY: a built-in permissive default until the policy-file
// issue lands (root: everything; any other uid: the limits in default_grant()).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "ip.hpp"
#include "options.hpp"
#include "result.hpp"

namespace tapd {

struct Grant {
    bool unlimited = false;        // root: no limits below apply
    size_t max_taps = 0;
    std::string name_prefix;       // names must start with this
    std::vector<Prefix> prefixes;  // addresses and routes must lie inside one of these
    bool masquerade = false;
    bool persistent = false;
    bool owner_access = false;
    bool raw_sockets = false;      // OpenRawSocket on the caller's own taps
    bool capture = false;          // OpenCapture on the caller's own taps
};

// TEMPORARY built-in default (see README "Policy"): non-root callers get up to 4 taps named
// "tap*", private IPv4 ranges (RFC 1918), ULA and link-local IPv6, masquerade and persistence.
Grant grant_for(uid_t uid);

// Checks a CreateTap request against GRANT; OWNED is how many taps the caller has now.
Status check_create(const Grant& grant, const std::string& name, const CreateOptions& options,
                    size_t owned);
// Checks that one address or route lies inside the grant's prefixes.
Status check_prefix(const Grant& grant, const Prefix& prefix, const char* what);

}  // namespace tapd
