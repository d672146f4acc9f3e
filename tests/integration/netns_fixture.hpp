// What the AttachNamespace suites share: a user namespace with a network namespace, made by a
// given uid and held by a process, and the check that unshare has made it.
#pragma once

#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "harness.hpp"

namespace tapd::test {

// A user namespace with a network namespace of UID's, held by `sleep` (its pid).
inline pid_t spawn_namespace(Env& env, uid_t uid) {
    return env.spawn_as_user(uid,
                             {"unshare", "--user", "--map-root-user", "--net", "sleep", "600"});
}

// The network namespace of PID, once unshare has made it (it differs from the host's).
inline bool unshared(Env& env, pid_t pid) {
    auto r = env.in_ns({"readlink", "/proc/" + std::to_string(pid) + "/ns/net"});
    auto host = env.in_ns({"readlink", "/proc/self/ns/net"});
    return r.status == 0 && !r.out.empty() && r.out != host.out;
}

}  // namespace tapd::test
