// libtapd's D-Bus client: method calls on net.tapd1, sdbus errors turned into ClientError.
#include "client.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <sdbus-c++/sdbus-c++.h>

#include "client_sdbus.hpp"
#include "manager_proxy.h"
#include "names.hpp"
#include "tap_fields.hpp"

namespace tapd {

namespace {

PolicyValue policy_value(const sdbus::Variant& v) {
    if (v.containsValueOfType<bool>()) return v.get<bool>();
    if (v.containsValueOfType<uint32_t>()) return v.get<uint32_t>();
    if (v.containsValueOfType<std::string>()) return v.get<std::string>();
    if (v.containsValueOfType<std::vector<std::string>>()) return v.get<std::vector<std::string>>();
    return "(" + v.peekValueType() + ")";
}

// The fd of a reply, FD_CLOEXEC. sd-bus receives fds with MSG_CMSG_CLOEXEC, but sdbus-c++
// copies each out of the message with plain dup(), which clears the flag: without this a
// program's fork+exec leaked the tap (found by tests/install/c_api_test). A thread that
// forks in between could still leak it; sdbus-c++ offers no way to avoid that dup.
UniqueFd adopt(sdbus::UnixFd fd) {
    UniqueFd out(fd.release());
    int flags = ::fcntl(out.get(), F_GETFD);
    if (flags < 0 || ::fcntl(out.get(), F_SETFD, flags | FD_CLOEXEC) < 0)
        throw ClientError(
            "net.tapd1.Error.Failed",
            std::string("fcntl(F_SETFD, FD_CLOEXEC) on a received fd: ") + std::strerror(errno));
    return out;
}

}  // namespace

std::string to_text(const PolicyValue& v) {
    if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    if (auto* n = std::get_if<uint32_t>(&v)) return std::to_string(*n);
    if (auto* s = std::get_if<std::string>(&v)) return *s;
    std::string out;
    for (const auto& s : std::get<std::vector<std::string>>(v)) out += (out.empty() ? "" : " ") + s;
    return out;
}

class Client::ManagerProxy final : public sdbus::ProxyInterfaces<net::tapd1::Manager_proxy> {
  public:
    explicit ManagerProxy(sdbus::IConnection& conn)
        : ProxyInterfaces(conn, names::kBusName, names::kManagerPath) {
        registerProxy();
    }
    ~ManagerProxy() { unregisterProxy(); }
};

Client::Client(const std::string& address) {
    try {
        if (!address.empty()) ::setenv("DBUS_SYSTEM_BUS_ADDRESS", address.c_str(), 1);
        conn_ = sdbus::createSystemBusConnection();
        manager_ = std::make_unique<ManagerProxy>(*conn_);
    } catch (const sdbus::Error& e) {
        rethrow(e);
    }
}

Client::~Client() = default;

std::string Client::create_tap(const TapSpec& s) {
    std::map<std::string, sdbus::Variant> o;
    if (!s.addresses.empty()) o["addresses"] = sdbus::Variant(s.addresses);
    if (!s.routes.empty()) o["routes"] = sdbus::Variant(s.routes);
    if (s.masquerade) o["masquerade"] = sdbus::Variant(true);
    if (s.persistent) o["persistent"] = sdbus::Variant(true);
    if (s.owner_access) o["owner_access"] = sdbus::Variant(true);
    if (s.vnet_hdr) o["vnet_hdr"] = sdbus::Variant(true);
    if (s.multi_queue) o["multi_queue"] = sdbus::Variant(true);
    if (s.mtu) o["mtu"] = sdbus::Variant(*s.mtu);
    if (s.mac) o["mac"] = sdbus::Variant(*s.mac);
    try {
        return manager_->CreateTap(s.name, o);
    } catch (const sdbus::Error& e) {
        rethrow(e);
    }
}

std::string Client::attach_namespace(int netns, const NamespaceSpec& s) {
    std::map<std::string, sdbus::Variant> o;
    o["name"] = sdbus::Variant(s.name);
    if (!s.peer_name.empty()) o["peer_name"] = sdbus::Variant(s.peer_name);
    if (!s.addresses.empty()) o["addresses"] = sdbus::Variant(s.addresses);
    if (!s.gateways.empty()) o["gateway"] = sdbus::Variant(s.gateways);
    if (s.masquerade) o["masquerade"] = sdbus::Variant(true);
    if (s.persistent) o["persistent"] = sdbus::Variant(true);
    if (s.mtu) o["mtu"] = sdbus::Variant(*s.mtu);
    // sdbus::UnixFd dup()s: the caller keeps its fds.
    if (s.netlink >= 0) o["netlink"] = sdbus::Variant(sdbus::UnixFd(s.netlink));
    try {
        return manager_->AttachNamespace(sdbus::UnixFd(netns), o);
    } catch (const sdbus::Error& e) {
        rethrow(e);
    }
}

UniqueFd Client::open_tap(const std::string& name) {
    return open_tap(name, OpenSpec{});
}

UniqueFd Client::open_tap(const std::string& name, const OpenSpec& spec) {
    std::map<std::string, sdbus::Variant> o;
    if (spec.offloads) o["offloads"] = sdbus::Variant(*spec.offloads);
    try {
        sdbus::UnixFd fd = manager_->OpenTap(name, o);
        return adopt(std::move(fd));
    } catch (const sdbus::Error& e) {
        rethrow(e);
    }
}

std::vector<UniqueFd> Client::open_tap_queues(const std::string& name, uint32_t queues,
                                              const OpenSpec& spec) {
    std::map<std::string, sdbus::Variant> o;
    o["queues"] = sdbus::Variant(queues);
    if (spec.offloads) o["offloads"] = sdbus::Variant(*spec.offloads);
    try {
        std::vector<sdbus::UnixFd> fds = manager_->OpenTapQueues(name, o);
        if (fds.size() != queues)  // the C API writes them into an array of QUEUES
            throw ClientError("net.tapd1.Error.Failed", "asked for " + std::to_string(queues) +
                                                            " queues of '" + name + "', got " +
                                                            std::to_string(fds.size()));
        std::vector<UniqueFd> out;
        for (auto& fd : fds) out.push_back(adopt(std::move(fd)));
        return out;
    } catch (const sdbus::Error& e) {
        rethrow(e);
    }
}

UniqueFd Client::open_raw_socket(const std::string& name, int family, int protocol) {
    try {
        sdbus::UnixFd fd = manager_->OpenRawSocket(name, family, protocol);
        return adopt(std::move(fd));
    } catch (const sdbus::Error& e) {
        rethrow(e);
    }
}

UniqueFd Client::open_capture(const std::string& name, uint32_t snaplen) {
    return open_capture(name, snaplen, "");
}

UniqueFd Client::open_capture(const std::string& name, uint32_t snaplen,
                              const std::string& filter) {
    std::map<std::string, sdbus::Variant> o;
    if (snaplen != 0) o["snaplen"] = sdbus::Variant(snaplen);
    if (!filter.empty()) o["filter"] = sdbus::Variant(filter);
    try {
        sdbus::UnixFd fd = manager_->OpenCapture(name, o);
        return adopt(std::move(fd));
    } catch (const sdbus::Error& e) {
        rethrow(e);
    }
}

void Client::delete_tap(const std::string& name) {
    try {
        manager_->DeleteTap(name);
    } catch (const sdbus::Error& e) {
        rethrow(e);
    }
}

std::vector<TapInfo> Client::list() {
    return listing(false);
}

std::vector<TapInfo> Client::list_all() {
    return listing(true);
}

// One GetTaps call for any number of taps: paths and properties together.
std::vector<TapInfo> Client::listing(bool all) {
    try {
        std::vector<TapInfo> out;
        for (const auto& [path, props] : manager_->GetTaps(all))
            out.push_back(info_from(path, props));
        return out;
    } catch (const sdbus::Error& e) {
        rethrow(e);
    }
}

std::vector<std::string> Client::cleanup(bool all) {
    try {
        return manager_->Cleanup(all);
    } catch (const sdbus::Error& e) {
        rethrow(e);
    }
}

std::vector<TapInfo> Client::infos(const std::vector<sdbus::ObjectPath>& paths) {
    try {
        std::vector<TapInfo> out;
        for (const auto& path : paths) {
            std::map<std::string, sdbus::Variant> props;
            try {
                // A plain proxy: the generated Properties_proxy would subscribe to signals.
                auto proxy = sdbus::createProxy(*conn_, names::kBusName, path);
                proxy->callMethod("GetAll")
                    .onInterface("org.freedesktop.DBus.Properties")
                    .withArguments(std::string(names::kTapInterface))
                    .storeResultsTo(props);
            } catch (const sdbus::Error& e) {
                // Deleted between the two calls: not an error for a listing.
                if (e.getName() == "org.freedesktop.DBus.Error.UnknownObject" ||
                    e.getName() == names::kErrNotFound)
                    continue;
                throw;
            }
            out.push_back(info_from(path, props));
        }
        return out;
    } catch (const sdbus::Error& e) {
        rethrow(e);
    }
}

bool Client::has_tap(const std::string& name) {
    try {
        std::string path = names::tap_object_path(name);
        for (const auto& p : manager_->ListTaps())
            if (p == path) return true;
        return false;
    } catch (const sdbus::Error& e) {
        rethrow(e);
    }
}

TapInfo Client::show(const std::string& name) {
    // One ListTaps call, then the properties of that tap alone.
    if (has_tap(name)) {
        auto found = infos({sdbus::ObjectPath(names::tap_object_path(name))});
        if (!found.empty()) return found.front();
    }
    throw ClientError(names::kErrNotFound, "no tap '" + name + "' of yours");
}

PolicyView Client::policy() {
    PolicyView out;
    for (const auto& [k, v] : policy_values()) out[k] = to_text(v);
    return out;
}

Policy Client::policy_values() {
    try {
        Policy out;
        for (const auto& [k, v] : manager_->GetPolicy()) out[k] = policy_value(v);
        return out;
    } catch (const sdbus::Error& e) {
        rethrow(e);
    }
}

template <class Arg>
void Client::call_tap(const std::string& name, const char* method, const Arg& arg) {
    try {
        // A plain proxy, as in infos(): the generated Tap_proxy would subscribe to signals.
        auto proxy = sdbus::createProxy(*conn_, names::kBusName, names::tap_object_path(name));
        proxy->callMethod(method).onInterface(names::kTapInterface).withArguments(arg);
    } catch (const sdbus::Error& e) {
        // tapd has an object for each tap it owns and none for other names: say it as
        // DeleteTap does rather than with sd-bus's "Unknown object '/net/tapd1/tap/...'".
        if (e.getName() == "org.freedesktop.DBus.Error.UnknownObject")
            throw ClientError(names::kErrNotFound, "no tap '" + name + "' of yours");
        rethrow(e);
    }
}

void Client::add_address(const std::string& name, const std::string& address) {
    call_tap(name, "AddAddress", address);
}

void Client::remove_address(const std::string& name, const std::string& address) {
    call_tap(name, "RemoveAddress", address);
}

void Client::add_route(const std::string& name, const std::string& route) {
    call_tap(name, "AddRoute", route);
}

void Client::remove_route(const std::string& name, const std::string& route) {
    call_tap(name, "RemoveRoute", route);
}

void Client::set_masquerade(const std::string& name, bool enabled) {
    call_tap(name, "SetMasquerade", enabled);
}

std::string Client::version() {
    try {
        return manager_->Version();
    } catch (const sdbus::Error& e) {
        rethrow(e);
    }
}

std::vector<Finding> Client::findings() {
    try {
        std::vector<Finding> out;
        for (const auto& f : manager_->GetFindings())
            out.push_back(Finding{f.get<0>(), f.get<1>(), f.get<2>(), f.get<3>(), f.get<4>()});
        return out;
    } catch (const sdbus::Error& e) {
        rethrow(e);
    }
}

}  // namespace tapd
