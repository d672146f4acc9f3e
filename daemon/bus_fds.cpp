// D-Bus glue of OpenRawSocket and OpenCapture: decode, call the Service, log one line, reply.
#include "bus.hpp"
#include "capture.hpp"
#include "log.hpp"

namespace tapd {

// Bounded like every logged argument (see bus.cpp).
static std::string name_arg(const std::string& v) {
    return " name=" + log::value(v.size() > 80 ? v.substr(0, 80) + "..." : v);
}

sdbus::UnixFd Bus::OpenRawSocket(const std::string& name, const int32_t& family,
                                 const int32_t& protocol) {
    Caller c = caller(getObject());
    std::string args = name_arg(name) + " family=" + std::to_string(family) +
                       " protocol=" + std::to_string(protocol);
    auto fd = service_.open_raw_socket(c, name, family, protocol);
    check(c, "OpenRawSocket", args, fd ? Status{} : Status{fd.error()});
    return sdbus::UnixFd(fd->release(), sdbus::adopt_fd);
}

sdbus::UnixFd Bus::OpenCapture(const std::string& name,
                               const std::map<std::string, sdbus::Variant>& options) {
    Caller c = caller(getObject());
    auto o = parse_capture_options(options);
    std::string args = name_arg(name);
    if (!o) check(c, "OpenCapture", args, o.error());
    args += " snaplen=" + std::to_string(o->snaplen);
    auto fd = service_.open_capture(c, name, o.value());
    check(c, "OpenCapture", args, fd ? Status{} : Status{fd.error()});
    return sdbus::UnixFd(fd->release(), sdbus::adopt_fd);
}

}  // namespace tapd
