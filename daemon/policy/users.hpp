// The system user database as the policy reads it: user and group names to ids, a uid's groups.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace tapd {

// A name looked up in the user database: its id when found; no id and ERR 0 when there is no such
// name; ERR the errno when the lookup itself failed (EIO, ENOMEM, ERANGE past 1 MiB of entry).
template <class Id>
struct NameLookup {
    std::optional<Id> id;
    int err = 0;
};

// NAME's uid (getpwnam_r) and NAME's gid (getgrnam_r).
NameLookup<uid_t> look_up_user(const std::string& name);
NameLookup<gid_t> look_up_group(const std::string& name);

// UID's groups (primary group first, then supplementary, each once), or an empty list if UID has
// no passwd entry.
std::vector<gid_t> groups_of(uid_t uid);

}  // namespace tapd
