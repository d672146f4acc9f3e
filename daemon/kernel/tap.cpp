// Tap creation and attachment: ioctls on /dev/net/tun, each error naming the ioctl and errno.
#include "tap.hpp"

#include "fault.hpp"
#include "profile.hpp"
#include "utf8.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>

namespace tapd {

namespace {

// USO (UDP segmentation offload) came with Linux 6.2; older uapi headers lack its flags.
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

struct OffloadName {
    const char* name;
    unsigned flag;
};

constexpr OffloadName kOffloadNames[] = {
    {"csum", TUN_F_CSUM}, {"tso4", TUN_F_TSO4}, {"tso6", TUN_F_TSO6}, {"ecn", TUN_F_TSO_ECN},
    {"ufo", TUN_F_UFO},   {"uso4", TUN_F_USO4}, {"uso6", TUN_F_USO6},
};

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
    return out;
}

}  // namespace

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
    KernelCall kernel;
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

Status set_no_carrier(int fd, const std::string& name) {
    KernelCall kernel;
    int carrier = 0;
    if (ioctl(fd, TUNSETCARRIER, &carrier) == 0) return {};
    // A kernel before 5.0 has no TUNSETCARRIER: the tap keeps its carrier until tapd's fd
    // closes, as it always did there.
    if (errno == EINVAL || errno == ENOTTY) return {};
    return errno_error(ErrorKind::Failed, "TUNSETCARRIER 0 on '" + name + "'", errno);
}

Status make_persistent(int fd, const std::string& name) {
    KernelCall kernel;
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
        if (e.err == E2BIG) {
            e.kind = ErrorKind::QuotaExceeded;
            e.message = "tap '" + name + "' has " + std::to_string(kMaxTapQueues) +
                        " queues open, the kernel's most (MAX_TAP_QUEUES; " + e.message + ")";
        }
        return e;
    }
    return fd;
}

Result<std::vector<UniqueFd>> attach_queues(const std::string& name, TapFlags flags,
                                            uint32_t count) {
    std::vector<UniqueFd> fds;
    fds.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
        auto fd = attach_tap(name, flags);
        if (!fd) {
            Error e = fd.error();
            if (count > 1)
                e.message = "queue " + std::to_string(i + 1) + " of " + std::to_string(count) +
                            ": " + e.message;
            return e;
        }
        fds.push_back(std::move(fd.value()));
    }
    return fds;
}

std::string Offloads::text() const {
    return names.empty() ? "none" : joined(names);
}

Result<Offloads> parse_offloads(const std::vector<std::string>& names) {
    Offloads out;
    for (const auto& n : names) {
        auto it = std::find_if(std::begin(kOffloadNames), std::end(kOffloadNames),
                               [&](const OffloadName& o) { return n == o.name; });
        if (it == std::end(kOffloadNames)) {
            std::string known;
            for (const auto& o : kOffloadNames)
                known += (known.empty() ? "" : ", ") + std::string(o.name);
            return make_error(
                ErrorKind::InvalidArgument,
                "unknown offload '" + printable_utf8(n, kShownBytes) + "' (known: " + known + ")");
        }
        out.flags |= it->flag;
        out.names.push_back(n);
    }
    return out;
}

Status set_offloads(int fd, const std::string& name, const Offloads& offloads) {
    if (ioctl(fd, TUNSETOFFLOAD, static_cast<unsigned long>(offloads.flags)) == 0) return {};
    int err = errno;
    std::string what = "TUNSETOFFLOAD " + offloads.text() + " on '" + name + "'";
    if (err == EINVAL)
        return errno_error(ErrorKind::InvalidArgument,
                           what +
                               " (the kernel takes tso4, tso6, ufo and uso4+uso6 only with "
                               "csum, and ecn only with tso4 or tso6)",
                           err);
    return errno_error(ErrorKind::Failed, what, err);
}

}  // namespace tapd
