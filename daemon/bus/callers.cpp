// Callers: credentials per bus connection.
#include "callers.hpp"

#include "users.hpp"

namespace tapd {

Caller Callers::of(const sdbus::IObject& object) {
    const sdbus::Message* msg = object.getCurrentlyProcessedMessage();
    std::string sender = msg->getSender();
    if (auto it = creds_.find(sender); it != creds_.end())
        return Caller(it->second.uid, it->second.pid, sender, it->second.groups);
    uid_t uid = msg->getCredsEuid();  // asked of the bus daemon: the kernel's SO_PEERCRED
    pid_t pid = 0;
    try {
        pid = msg->getCredsPid();
    } catch (const sdbus::Error&) {
    }
    std::vector<gid_t> groups = groups_of(uid);
    if (!sender.empty() && sender[0] == ':') creds_[sender] = {uid, pid, groups};
    return Caller(uid, pid, sender, std::move(groups));
}

}  // namespace tapd
