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

// The taps tapd's state records: state.json's, with state.journal's changes replayed ({"put":
// RECORD} and {"erase": NAME} lines; a last line without its newline never counted).
inline std::set<std::string> recorded_taps(Env& env) {
    std::set<std::string> names;
    std::ifstream state(env.state_dir() + "/state.json");
    auto j = nlohmann::json::parse(state, nullptr, false);
    if (j.is_object())
        for (const auto& t : j.value("taps", nlohmann::json::array()))
            names.insert(t.at("name").get<std::string>());
    std::ifstream journal(env.state_dir() + "/state.journal");
    std::string text((std::istreambuf_iterator<char>(journal)), std::istreambuf_iterator<char>());
    for (size_t pos = 0, end; (end = text.find('\n', pos)) != std::string::npos; pos = end + 1) {
        auto line = nlohmann::json::parse(text.substr(pos, end - pos));
        if (line.contains("put")) names.insert(line["put"].at("name").get<std::string>());
        if (line.contains("erase")) names.erase(line["erase"].get<std::string>());
    }
    return names;
}

}  // namespace tapd::test
