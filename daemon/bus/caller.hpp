// Caller: who is calling, as the bus and the user database tell it. There is no default: every
// Caller comes from a message's credentials (Callers::of), so no path can act as root by
// forgetting to say who calls.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tapd {

struct Caller {
    Caller(uid_t uid_, pid_t pid_, std::string sender_,
           std::optional<std::vector<gid_t>> groups_ = std::nullopt)
        : uid(uid_), pid(pid_), sender(std::move(sender_)), groups(std::move(groups_)) {}

    uid_t uid;
    pid_t pid;           // for logs only (read from /proc: racy)
    std::string sender;  // unique bus name, the lease holder for non-persistent taps
    // The uid's groups from the user database, looked up once per bus connection (Callers);
    // unset: the policy looks them up.
    std::optional<std::vector<gid_t>> groups;
};

}  // namespace tapd
