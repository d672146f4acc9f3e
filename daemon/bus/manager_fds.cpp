// ManagerObject's methods that hand out fds besides tap fds: OpenRawSocket and OpenCapture
// (answered when its streamer is ready).
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

void ManagerObject::OpenCapture(sdbus::Result<sdbus::UnixFd>&& result, std::string name,
                                std::map<std::string, sdbus::Variant> options) {
    Caller c = callers_.of(getObject());
    IfName ifname = tap_name(c, "OpenCapture", name);
    std::string args = log_arg("name", name);
    require(c, "OpenCapture", args, check_option_keys(getObject()));
    CaptureOptions o = required(c, "OpenCapture", args, parse_capture_options(options));
    args += " snaplen=" + std::to_string(o.snaplen);
    if (!o.filter.empty()) args += log_arg("filter", o.filter);
    // sdbus::Result is move-only and std::function copyable: the answer is shared.
    auto answer = std::make_shared<sdbus::Result<sdbus::UnixFd>>(std::move(result));
    auto done = [c, args, answer](Result<UniqueFd> fd) {
        log_reply(c, "OpenCapture", args, fd.status());
        if (!fd) {
            answer->returnError(bus_error(fd.error()));
            return;
        }
        answer->returnResults(sdbus::UnixFd(fd.value().release(), sdbus::adopt_fd));
    };
    // Refused before a streamer started: answered now, through the handler's throw.
    require(c, "OpenCapture", args, service_.open_capture(c, ifname, o, std::move(done)));
}

}  // namespace tapd
