// The ownership rule for AttachNamespace's namespace fd: nsfs ioctls (ioctl_ns(2)).
#include "netns_owner.hpp"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <cerrno>
#include <string>

#include "unique_fd.hpp"

namespace tapd {

namespace {

// User namespaces nest at most 32 deep (the kernel's limit); one more step proves a loop.
constexpr int kMaxUserNsDepth = 33;

Error denied(const std::string& why) {
    return make_error(ErrorKind::PermissionDenied, "network namespace refused: " + why);
}

Error denied_errno(const std::string& why, int err) {
    return errno_error(ErrorKind::PermissionDenied, "network namespace refused: " + why, err);
}

}  // namespace

Result<NsId> ns_id(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) < 0) return errno_error(ErrorKind::Failed, "fstat of a namespace", errno);
    return NsId{st.st_dev, st.st_ino};
}

Status check_netns_owner(int fd, uid_t uid) {
    int type = ::ioctl(fd, NS_GET_NSTYPE);
    if (type < 0) return denied_errno("the fd is not a namespace (NS_GET_NSTYPE)", errno);
    if (type != CLONE_NEWNET)
        return denied("the fd is a namespace of type " + std::to_string(type) +
                      ", not a network namespace");
    UniqueFd own(::open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC));
    if (!own) return errno_error(ErrorKind::Failed, "opening /proc/self/ns/user", errno);
    auto mine = ns_id(own.get());
    if (!mine) return mine.error();

    UniqueFd level(::ioctl(fd, NS_GET_USERNS));
    if (!level)
        return denied_errno("its owning user namespace is out of reach (NS_GET_USERNS)", errno);
    for (int depth = 0;; ++depth) {
        auto id = ns_id(level.get());
        if (!id) return id.error();
        if (id.value() == mine.value())
            return depth == 0 ? denied(
                                    "it is owned by tapd's own user namespace (the host's), "
                                    "not by a user namespace of the caller")
                              : Status{};
        if (depth == kMaxUserNsDepth) return denied("its user namespaces nest too deep");
        uid_t owner = 0;
        if (::ioctl(level.get(), NS_GET_OWNER_UID, &owner) < 0)
            return denied_errno("the owner of its user namespace is unknown (NS_GET_OWNER_UID)",
                                errno);
        if (owner != uid)
            return denied(std::string(depth == 0 ? "its owning user namespace"
                                                 : "a user namespace above its owner") +
                          " belongs to uid " + std::to_string(owner) + ", not to uid " +
                          std::to_string(uid));
        UniqueFd parent(::ioctl(level.get(), NS_GET_PARENT));
        // EPERM: the parent is outside tapd's scope, so tapd's own namespace is not above it.
        if (!parent)
            return denied_errno("its user namespace is not below tapd's (NS_GET_PARENT)", errno);
        level = std::move(parent);
    }
}

}  // namespace tapd
