// The policy file (/etc/tapd/policy.json): its format, the rules it holds, reading and parsing it.
// How a caller's grant is derived from the rules and checked is policy.hpp's (class Policy).
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
//         "comment": "..." } ] },         optional, ignored
//     "integrations": {                   optional: other firewall managers of the host
//       "docker": false,                  boolean, default false: accept rules for masquerading
//                                         taps in Docker's DOCKER-USER chain (table ip filter)
//       "firewalld_zone": "trusted" } }   a zone name (1-17 of A-Z a-z 0-9 _ -), default none:
//                                         firewalld puts every tap in that zone (runtime only)
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
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ip.hpp"
#include "result.hpp"

namespace tapd {

inline constexpr const char* kDefaultPolicyPath = "/etc/tapd/policy.json";
// Taps hold no fd or process in tapd: the bound is memory (a few kB of records and index per
// tap) and the kernel's per-link cost, not a unit limit. An operator may want thousands.
inline constexpr size_t kMaxTapsPerRule = 16384;
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

// The permissions of a rule's boolean keys; a grant holds the union of its rules'.
struct Permissions {
    bool masquerade = false;
    bool persistent = false;
    bool owner_access = false;
    bool raw_sockets = false;
    bool capture = false;
    // A default route through a tap diverts all of the host's traffic that no more specific
    // route takes: a rule may grant 0.0.0.0/0 or ::/0, and so default routes, only with it.
    bool default_route = false;

    // Adds OTHER's permissions to these.
    void add(const Permissions& other) {
        masquerade |= other.masquerade;
        persistent |= other.persistent;
        owner_access |= other.owner_access;
        raw_sockets |= other.raw_sockets;
        capture |= other.capture;
        default_route |= other.default_route;
    }
};

struct Rule : Permissions {
    std::vector<uid_t> uids;  // from "users", names already resolved
    std::vector<gid_t> gids;  // from "groups", names already resolved
    size_t max_taps = 0;
    std::string name_prefix = "tap";
    std::vector<Prefix> prefixes;
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

// What tapd does about the host's other firewall managers ("integrations"); all off by default.
struct Integrations {
    // Accept rules for masquerading taps' traffic in chain DOCKER-USER of table ip filter
    // (docker_rules.hpp), whose FORWARD policy Docker sets to drop.
    bool docker = false;
    // Non-empty: every tap goes into this firewalld zone (runtime configuration, firewalld.hpp).
    std::string firewalld_zone;
    bool operator==(const Integrations&) const = default;
};
// firewalld limits zone names to 17 characters (its chain names must fit iptables' 29).
inline constexpr size_t kMaxFirewalldZoneLength = 17;

// What a policy file holds once parsed.
struct PolicyFileContents {
    std::vector<Rule> rules;
    Limits limits;
    Integrations integrations;
};

// Parses and validates policy TEXT; PATH only names the file in errors. User and group names are
// resolved here through the system user database, so an unknown name fails the parse.
// Returns the rules and limits, or InvalidArgument "PATH:LINE:COLUMN: reason" (LINE and COLUMN
// from 1, the column counted in characters) pointing at the offending key or value.
Result<PolicyFileContents> parse_policy_file(std::string_view text, const std::string& path);

// When a policy is read: at start, to replace the one in force (Reload, SIGHUP), or to check a
// file without using it (tapd --check-policy).
enum class LoadTime { Start, Reload, Check };

// Reads the file at PATH. At start, no file there (ENOENT, also a dangling symlink) gives
// std::nullopt (root only) and logs a line saying so, since a fresh install has none; on a reload
// it is an error (Failed) that says so, so that a file removed or a symlink broken by mistake
// does not lock every user out; for a check it is an error naming the file. Any other failure is an
// error: unreadable file, not a regular file (checked before opening, and the open never blocks: a
// FIFO at PATH would hold tapd until someone wrote to it), larger than kMaxPolicyFileSize, writable
// by group or others, or owned by someone other than root or tapd's own euid (anyone who may write
// the file may grant themselves taps).
Result<std::optional<std::string>> read_policy_file(const std::string& path, LoadTime when);

}  // namespace tapd
