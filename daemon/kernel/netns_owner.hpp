// The ownership rule for a network namespace a caller hands tapd (AttachNamespace): which user
// namespace owns it, who owns that, and where it stands relative to tapd's own.
#pragma once

#include <sys/types.h>

#include "result.hpp"

namespace tapd {

// A namespace's identity: its nsfs inode (st_dev, st_ino), as /proc/PID/ns/* show it.
struct NsId {
    dev_t dev = 0;
    ino_t ino = 0;
    friend bool operator==(const NsId&, const NsId&) = default;
};

// The identity of the namespace behind FD.
Result<NsId> ns_id(int fd);

// Accepts FD only if (README "Security model", lxc-user-nic's CVE-2017-5985 is the failure it
// prevents):
//  1. it is a network namespace (NS_GET_NSTYPE is CLONE_NEWNET);
//  2. its owning user namespace (NS_GET_USERNS) is a strict descendant of tapd's own (walking
//     NS_GET_PARENT up from it reaches tapd's, which is thus never the owner itself: the initial
//     user namespace, root's, is refused);
//  3. that user namespace and every one between it and tapd's are owned by UID
//     (NS_GET_OWNER_UID): no namespace of another user, or reached through one, is accepted.
// Any other answer is PermissionDenied naming the rule that failed (and the errno).
Status check_netns_owner(int fd, uid_t uid);

}  // namespace tapd
