// Caller: who is calling, as the bus and the user database tell it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace tapd {

struct Caller {
    uid_t uid = 0;
    pid_t pid = 0;       // for logs only (read from /proc: racy)
    std::string sender;  // unique bus name, the lease holder for non-persistent taps
    // The uid's groups from the user database, looked up once per bus connection (Bus::caller);
    // unset: grant_for() looks them up.
    std::optional<std::vector<gid_t>> groups;
};

}  // namespace tapd
