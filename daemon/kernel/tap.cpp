// Tap creation and attachment: ioctls on /dev/net/tun, each error naming the ioctl and errno.
#include "tap.hpp"

#include "fault.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

namespace tapd {

static Result<UniqueFd> open_tun() {
    UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
    if (!fd) return errno_error(ErrorKind::Failed, "open /dev/net/tun", errno);
    return fd;
}

static Status set_iff(int fd, const std::string& name, TapFlags flags, ErrorKind busy_kind) {
    ifreq ifr{};
    std::memcpy(ifr.ifr_name, name.data(), std::min(name.size(), sizeof ifr.ifr_name - 1));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (flags.vnet_hdr) ifr.ifr_flags |= IFF_VNET_HDR;
    if (flags.multi_queue) ifr.ifr_flags |= IFF_MULTI_QUEUE;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int err = errno;
        ErrorKind kind = err == EBUSY ? busy_kind : ErrorKind::Failed;
        if (err == EINVAL) kind = ErrorKind::Conflict;
        return errno_error(kind, "TUNSETIFF '" + name + "'", err);
    }
    if (name != ifr.ifr_name)  // validate_ifname() makes this impossible; never act on another name
        return make_error(ErrorKind::Failed,
                          "TUNSETIFF '" + name + "' attached to '" + ifr.ifr_name + "'");
    return {};
}

Result<UniqueFd> create_tap(const std::string& name, uid_t owner, TapFlags flags) {
    auto fd = open_tun();
    if (!fd) return fd;
    // TUNSETIFF on an existing tap would attach to it instead of creating; the caller checks
    // first, and the kernel answers EBUSY/EINVAL for a tap that is already in use.
    if (auto st = set_iff(fd->get(), name, flags, ErrorKind::Conflict); !st) return st.error();
    pause_point("tunsetiff");  // the window without an owner (tests widen it)
    if (ioctl(fd->get(), TUNSETOWNER, static_cast<unsigned long>(owner)) < 0)
        return errno_error(ErrorKind::Failed,
                           "TUNSETOWNER " + std::to_string(owner) + " on '" + name + "'", errno);
    return fd;
}

Status make_persistent(int fd, const std::string& name) {
    if (ioctl(fd, TUNSETPERSIST, 1UL) < 0)
        return errno_error(ErrorKind::Failed, "TUNSETPERSIST on '" + name + "'", errno);
    return {};
}

Result<UniqueFd> attach_tap(const std::string& name, TapFlags flags) {
    auto fd = open_tun();
    if (!fd) return fd;
    if (auto st = set_iff(fd->get(), name, flags, ErrorKind::Conflict); !st) {
        Error e = st.error();
        if (e.err == EBUSY)
            e.message = "tap '" + name + "' is already open by another program (" + e.message +
                        "); create it with multi_queue to open it more than once";
        return e;
    }
    return fd;
}

}  // namespace tapd
