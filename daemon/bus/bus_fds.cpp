// D-Bus glue of OpenRawSocket and OpenCapture: decode, call the Service, log one line, reply.
#include "bus.hpp"
#include "capture.hpp"

namespace tapd {

sdbus::UnixFd Bus::OpenRawSocket(const std::string& name, const int32_t& family,
                                 const int32_t& protocol) {
    Caller c = caller(getObject());
    std::string args = log_arg("name", name) + " family=" + std::to_string(family) +
                       " protocol=" + std::to_string(protocol);
    require(c, "OpenRawSocket", args, check_name_length(name));
    auto fd = service_.open_raw_socket(c, name, family, protocol);
    check(c, "OpenRawSocket", args, fd.status());
    return sdbus::UnixFd(fd->release(), sdbus::adopt_fd);
}

sdbus::UnixFd Bus::OpenCapture(const std::string& name,
                               const std::map<std::string, sdbus::Variant>& options) {
    Caller c = caller(getObject());
    std::string args = log_arg("name", name);
    require(c, "OpenCapture", args, check_name_length(name));
    require(c, "OpenCapture", args, check_option_keys(getObject()));
    auto o = parse_capture_options(options);
    if (!o) check(c, "OpenCapture", args, o.error());
    args += " snaplen=" + std::to_string(o->snaplen);
    auto fd = service_.open_capture(c, name, o.value());
    check(c, "OpenCapture", args, fd.status());
    return sdbus::UnixFd(fd->release(), sdbus::adopt_fd);
}

}  // namespace tapd
