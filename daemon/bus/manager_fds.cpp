// ManagerObject's methods that hand out fds besides tap fds: OpenRawSocket and OpenCapture.
#include "capture.hpp"
#include "manager_object.hpp"
#include "replies.hpp"

namespace tapd {

sdbus::UnixFd ManagerObject::OpenRawSocket(const std::string& name, const int32_t& family,
                                           const int32_t& protocol) {
    Caller c = callers_.of(getObject());
    IfName ifname = tap_name(c, "OpenRawSocket", name);
    std::string args = log_arg("name", name) + " family=" + std::to_string(family) +
                       " protocol=" + std::to_string(protocol);
    UniqueFd fd =
        required(c, "OpenRawSocket", args, service_.open_raw_socket(c, ifname, family, protocol));
    reply(c, "OpenRawSocket", args, {});
    return sdbus::UnixFd(fd.release(), sdbus::adopt_fd);
}

sdbus::UnixFd ManagerObject::OpenCapture(const std::string& name,
                                         const std::map<std::string, sdbus::Variant>& options) {
    Caller c = callers_.of(getObject());
    IfName ifname = tap_name(c, "OpenCapture", name);
    std::string args = log_arg("name", name);
    require(c, "OpenCapture", args, check_option_keys(getObject()));
    CaptureOptions o = required(c, "OpenCapture", args, parse_capture_options(options));
    args += " snaplen=" + std::to_string(o.snaplen);
    UniqueFd fd = required(c, "OpenCapture", args, service_.open_capture(c, ifname, o));
    reply(c, "OpenCapture", args, {});
    return sdbus::UnixFd(fd.release(), sdbus::adopt_fd);
}

}  // namespace tapd
