// The policy file (/etc/tapd/policy.json): its rules, how a caller's grant is derived from them,
// and the name and prefix checks every mutating call runs against that grant.
//
// Format (version 1):
//   { "version": 1,                       required, the number 1
//     "comment": "...",                   optional, ignored
//     "limits": {                         optional: what tapd runs for all users together
//       "captures": 64,                   0..1024, default 64: capture streamers at once
//       "raw_sockets": 1024 },            0..65536, default 1024: raw sockets open at once
//     "rules": [                          required, may be empty
//       { "users": ["devuser", 1001],     user names or uids   } at least one user or group;
//         "groups": ["netdev", 27],       group names or gids  } names resolved at load time
//         "max_taps": 4,                  0..1024, default 0
//         "name_prefix": "tap",           a valid interface-name start of 1-14 bytes, default "tap"
//         "prefixes": ["192.168.69.0/24", "fdaa::/64"],  networks (no host bits), default none
//         "masquerade": false, "persistent": false, "owner_access": false,
//         "raw_sockets": false, "capture": false,        booleans, default false
//         "default_route": false,         boolean, default false: required for prefixes
//                                         shorter than /8 (IPv4) or /4 (IPv6) in "prefixes",
//                                         0.0.0.0/0 and ::/0 among them; allows default routes
//         "max_captures": 4,              0..1024, default 4: captures open at once
//         "max_raw_sockets": 16,          0..16384, default 16: raw sockets open at once
//         "comment": "..." } ] }          optional, ignored
//
// Root may always do everything, whatever the file says. Any other caller gets the UNION of the
// rules that match it (by uid, or by any of its groups from the user database): the largest
// max_taps, any of the rules' name prefixes, all of their prefixes, and a permission if any rule
// grants it; max_captures and max_raw_sockets are the largest among the rules that grant capture
// and raw_sockets (a rule without the permission adds no room). No matching rule means nothing is
// allowed. The limits bound every caller but root, and count root's captures and sockets too. No
// file at all means the same: only root. Anything wrong in the file fails the whole load
// ("FILE:LINE:COLUMN: reason"); there is no partial policy and no fallback.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ip.hpp"
#include "result.hpp"

namespace tapd {

inline constexpr const char* kDefaultPolicyPath = "/etc/tapd/policy.json";
inline constexpr size_t kMaxTapsPerRule = 1024;
// A rule may grant a prefix shorter than these (a large part of every destination: 0.0.0.0/1
// and 128.0.0.0/1 together take what a default route takes) only with "default_route".
inline constexpr int kBroadPrefix4 = 8;
inline constexpr int kBroadPrefix6 = 4;
inline constexpr size_t kMaxPolicyFileSize = 1 << 20;
// Each capture is a streamer process and a pidfd in tapd; each raw socket a kernel socket that
// tapd created (charged to tapd's cgroup) and no longer holds. The defaults fit the limits of
// systemd/tapd.service.in (TasksMax=, LimitNOFILE=, MemoryMax=) with room for root's own.
inline constexpr size_t kDefaultMaxCaptures = 4;
inline constexpr size_t kMaxCapturesPerRule = 1024;
inline constexpr size_t kDefaultMaxRawSockets = 16;
inline constexpr size_t kMaxRawSocketsPerRule = 16384;
inline constexpr size_t kDefaultCaptureLimit = 64;
inline constexpr size_t kMaxCaptureLimit = 1024;
inline constexpr size_t kDefaultRawSocketLimit = 1024;
inline constexpr size_t kMaxRawSocketLimit = 65536;

struct Rule {
    std::vector<uid_t> uids;  // from "users", names already resolved
    std::vector<gid_t> gids;  // from "groups", names already resolved
    size_t max_taps = 0;
    std::string name_prefix = "tap";
    std::vector<Prefix> prefixes;
    bool masquerade = false;
    bool persistent = false;
    bool owner_access = false;
    bool raw_sockets = false;
    bool capture = false;
    // A default route through a tap diverts all of the host's traffic that no more specific
    // route takes: a rule may grant 0.0.0.0/0 or ::/0, and so default routes, only with it.
    bool default_route = false;
    size_t max_captures = kDefaultMaxCaptures;
    size_t max_raw_sockets = kDefaultMaxRawSockets;
    std::string comment;
    size_t line = 0;  // where the rule starts in the file, for logs and GetPolicy
};

// What tapd runs for all callers together ("limits"); root is never refused by them, but what
// root holds counts.
struct Limits {
    size_t captures = kDefaultCaptureLimit;
    size_t raw_sockets = kDefaultRawSocketLimit;
};

struct Policy {
    std::string source;  // the file's path, or a description of the built-in default
    std::vector<Rule> rules;
    Limits limits;
    bool from_file = false;
};

// What one caller may do: root's unlimited grant, or the union of the rules that match it.
struct PolicyGrant {
    // Root: every limit below is waived. The fields are also set as permissive as they can be
    // expressed (all booleans, the max_ counts, 0.0.0.0/0 and ::/0) so that a forgotten `unlimited`
    // check denies nothing to root; name_prefixes stays empty, check_name() knows.
    bool unlimited = false;
    size_t max_taps = 0;
    std::vector<std::string> name_prefixes;  // a tap name must start with one of these
    std::vector<Prefix> prefixes;            // addresses and routes must lie inside one of these
    bool masquerade = false;
    bool persistent = false;
    bool owner_access = false;
    bool raw_sockets = false;
    bool capture = false;
    bool default_route = false;
    size_t max_captures = 0;            // 0 unless capture
    size_t max_raw_sockets = 0;         // 0 unless raw_sockets
    std::vector<size_t> matched_rules;  // indexes into Policy::rules, in file order
};

// The policy when there is no file: root may do everything, every other uid nothing.
Policy default_policy();

// Parses and validates policy TEXT; PATH only names the file in errors. User and group names are
// resolved here through the system user database, so an unknown name fails the parse.
// Returns the policy, or InvalidArgument "PATH:LINE:COLUMN: reason" (LINE and COLUMN from 1,
// the column counted in characters) pointing at the offending key or value.
Result<Policy> parse_policy(std::string_view text, const std::string& path);

// When a policy is read: at start, to replace the one in force (Reload, SIGHUP), or to check a
// file without using it (tapd --check-policy).
enum class LoadTime { Start, Reload, Check };

// Reads and parses the file at PATH. At start, no file there (ENOENT, also a dangling symlink)
// gives default_policy() and logs a line saying so, since a fresh install has none; on a reload
// it is an error (Failed) that says so, so that a file removed or a symlink broken by mistake
// does not lock every user out; for a check it is an error naming the file. Any other failure is an
// error: unreadable file, not a regular file (checked before opening, and the open never blocks: a
// FIFO at PATH would hold tapd until someone wrote to it), larger than kMaxPolicyFileSize, writable
// by group or others, or owned by someone other than root or tapd's own euid (anyone who may write
// the file may grant themselves taps).
Result<Policy> load_policy(const std::string& path, LoadTime when = LoadTime::Start);

// The grant of UID with GROUPS: root unlimited; else the union of the matching rules; no match
// gives a grant that allows nothing (max_taps 0).
PolicyGrant grant_for(const Policy& policy, uid_t uid, const std::vector<gid_t>& groups);

// UID's groups from the user database (primary group first, then supplementary), or an empty
// list if UID has no passwd entry.
std::vector<gid_t> groups_of(uid_t uid);

// Checks a tap name: first validate_ifname() for every caller, root included (qemu-bridge-helper,
// CVE-2019-13164, matched a name it then truncated), then that it starts with one of the grant's
// name prefixes. Returns InvalidArgument for a bad name, PermissionDenied for a prefix mismatch.
Status check_name(const PolicyGrant& grant, const std::string& name);

// Checks that PREFIX (an interface address or a route; WHAT names it in the error) lies entirely
// inside one of the grant's prefixes: 192.168.69.100/24 is inside 192.168.69.0/24, a /16 is never
// inside a /24, and 0.0.0.0/0 only inside 0.0.0.0/0, which needs default_route as well. Returns
// PermissionDenied otherwise.
Status check_prefix(const PolicyGrant& grant, const Prefix& prefix, const char* what);

}  // namespace tapd
