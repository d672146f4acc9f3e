// Callers: the credentials of the bus clients calling tapd, per unique bus name. Fixed for a
// connection's life (the bus reads them from the socket at connect), so each client costs the
// bus round trips once; forgotten when the name goes. The uid's groups are read from the user
// database at the same time and kept as long: a change of group membership applies to new
// connections, as it applies to new login sessions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <sdbus-c++/sdbus-c++.h>

#include "caller.hpp"

namespace tapd {

class Callers {
  public:
    // The caller of the message OBJECT is handling (kernel-verified uid, through the bus).
    Caller of(const sdbus::IObject& object);
    void forget(const std::string& name) { creds_.erase(name); }

  private:
    struct Creds {
        uid_t uid;
        pid_t pid;
        std::vector<gid_t> groups;
    };
    std::map<std::string, Creds> creds_;
};

}  // namespace tapd
