// The policy: an immutable set of rules read from the policy file, the grant it gives a caller,
// and the checks every mutating call runs against that grant. The format and its parser are
// policy_file.hpp's; the policy in force (swapped on Reload) is policy_in_force.hpp's.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "caller.hpp"
#include "ip.hpp"
#include "options.hpp"
#include "policy_file.hpp"
#include "result.hpp"

namespace tapd {

// What one caller may do: root's unlimited grant, or the union of the rules that match it.
// Its permissions (Permissions) are those of any matching rule.
struct Grant : Permissions {
    // Root: every limit below is waived. The fields are also set as permissive as they can be
    // expressed (all permissions, the max_ counts, 0.0.0.0/0 and ::/0) so that a forgotten
    // `unlimited` check denies nothing to root; name_prefixes stays empty, check_name() knows.
    bool unlimited = false;
    size_t max_taps = 0;
    std::vector<std::string> name_prefixes;  // a tap name must start with one of these
    std::vector<Prefix> prefixes;            // addresses and routes must lie inside one of these
    size_t max_captures = 0;                 // 0 unless capture
    size_t max_raw_sockets = 0;              // 0 unless raw_sockets
    std::vector<size_t> matched_rules;       // indexes into Policy::rules, in file order
};

// A policy never changes once built: its fields are const, and it is handed out as
// std::shared_ptr<const Policy>, so that a call that took one keeps it whole whatever a reload
// puts in force meanwhile. It is built only from a file (load, parse) or as root_only().
class Policy {
  public:
    // Reads and parses the file at PATH (read_policy_file: owner, mode, size; parse_policy_file).
    // At start, no file there gives root_only(); on a reload or a check it is an error. Returns
    // the policy, or the error of the read or the parse (InvalidArgument "PATH:LINE:COLUMN: ...").
    static Result<std::shared_ptr<const Policy>> load(const std::string& path, LoadTime when);
    // Parses policy TEXT (parse_policy_file); PATH only names the file, in errors and in source.
    static Result<std::shared_ptr<const Policy>> parse(std::string_view text,
                                                       const std::string& path);
    // The policy when there is no file: root may do everything, every other uid nothing.
    static std::shared_ptr<const Policy> root_only();

    const std::string source;  // the file's path, or a description of the built-in default
    const std::vector<Rule> rules;
    const Limits limits;
    const bool from_file = false;
    const Integrations integrations;  // "integrations": Docker and firewalld

    // The grant of UID with GROUPS: root unlimited; else the union of the matching rules; no match
    // gives a grant that allows nothing (max_taps 0).
    Grant grant_for(uid_t uid, const std::vector<gid_t>& groups) const;
    // CALLER's grant, with its uid's groups from the user database (CALLER.groups when already
    // looked up).
    Grant grant_for(const Caller& caller) const;

    // Checks a tap name: first validate_ifname() for every caller, root included
    // (qemu-bridge-helper, CVE-2019-13164, matched a name it then truncated), then that it starts
    // with one of the grant's name prefixes. Returns InvalidArgument for a bad name,
    // PermissionDenied for a prefix mismatch.
    static Status check_name(const Grant& grant, const std::string& name);
    // Checks that PREFIX (an interface address or a route; WHAT names it in the error) lies
    // entirely inside one of the grant's prefixes: 192.168.69.100/24 is inside 192.168.69.0/24, a
    // /16 is never inside a /24, and 0.0.0.0/0 only inside 0.0.0.0/0, which needs default_route as
    // well. Returns PermissionDenied otherwise.
    static Status check_prefix(const Grant& grant, const Prefix& prefix, const char* what);
    // Checks a CreateTap request's options against GRANT; OWNED is how many taps the caller has.
    // The name is checked before (check_name), and before anything about existing interfaces.
    static Status check_create(const Grant& grant, const CreateOptions& options, size_t owned);

    // Checks that one more capture fits: MINE of the caller's are running and TOTAL of everyone's
    // (root's included). GRANT's max_captures bounds MINE, the policy's limits.captures bounds
    // TOTAL; root is bounded by neither. Returns QuotaExceeded naming the limit and its policy key.
    Status check_capture_quota(const Grant& grant, size_t mine, size_t total) const;
    // The same for raw sockets still open: max_raw_sockets and limits.raw_sockets.
    Status check_raw_socket_quota(const Grant& grant, size_t mine, size_t total) const;
    // The same two against LIMITS instead of the policy's own.
    static Status check_capture_quota(const Grant& grant, const Limits& limits, size_t mine,
                                      size_t total);
    static Status check_raw_socket_quota(const Grant& grant, const Limits& limits, size_t mine,
                                         size_t total);

  private:
    Policy(std::string source, std::vector<Rule> rules, Limits limits, bool from_file,
           Integrations integrations = {});
};

}  // namespace tapd
