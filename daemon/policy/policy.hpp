// The policy in force and the checks every mutating call runs against the caller's grant.
// Parsing and rule matching live in policy_file; this file holds what a call asks of them.
#pragma once

#include <sys/types.h>

#include <string>

#include "caller.hpp"
#include "ip.hpp"
#include "options.hpp"
#include "policy_file.hpp"
#include "result.hpp"

namespace tapd {

using Grant = PolicyGrant;

// The policy in force: set at start and replaced whole on a successful reload. tapd serves on
// one thread, so no call ever sees half of a reload.
const Policy& current_policy();
void set_current_policy(Policy policy);

// Loads PATH and, if it is valid, puts it in force; a bad file leaves the old policy in force
// and the error says why (FILE:LINE:COLUMN: reason). At start, no file means root only.
Status load_policy_in_force(const std::string& path);
// The same for Reload and SIGHUP, where a missing file or a dangling symlink is an error too
// (the policy in force stays) instead of locking every user out.
Status reload_policy_in_force(const std::string& path);

// The caller's grant under the policy in force, with its uid's groups from the user database
// (CALLER.groups when already looked up).
Grant grant_for(const Caller& caller);
// UID's grant, its groups looked up now.
inline Grant grant_for(uid_t uid) {
    return grant_for(Caller(uid, 0, ""));
}

// Checks a CreateTap request's options against GRANT; OWNED is how many taps the caller has.
// The name is checked before (check_name), and before anything about existing interfaces.
Status check_create(const Grant& grant, const CreateOptions& options, size_t owned);

// Checks that one more capture fits: MINE of the caller's are running and TOTAL of everyone's
// (root's included). GRANT's max_captures bounds MINE, LIMITS.captures bounds TOTAL; root is
// bounded by neither. Returns QuotaExceeded naming the limit and its policy key.
Status check_capture_quota(const Grant& grant, const Limits& limits, size_t mine, size_t total);
// The same for raw sockets still open: max_raw_sockets and limits.raw_sockets.
Status check_raw_socket_quota(const Grant& grant, const Limits& limits, size_t mine, size_t total);

}  // namespace tapd
