// ManagerObject: CreateTap, OpenTap(Queues), DeleteTap, listing, Cleanup; the Tap object registry.
#include "manager_object.hpp"

#include <set>

#include "log.hpp"
#include "names.hpp"
#include "replies.hpp"

namespace tapd {

namespace {

constexpr const char* kIntrospectable = "org.freedesktop.DBus.Introspectable";
constexpr const char* kObjectManager = "org.freedesktop.DBus.ObjectManager";

std::string joined(const std::vector<Prefix>& v) {
    std::string out;
    for (const auto& p : v) out += (out.empty() ? "" : ",") + p.str();
    return out;
}

std::vector<sdbus::ObjectPath> paths(const std::vector<const TapRecord*>& taps) {
    std::vector<sdbus::ObjectPath> out;
    for (const auto* r : taps) out.emplace_back(names::tap_object_path(r->name));
    return out;
}

}  // namespace

IfName tap_name(const Caller& c, const char* method, const std::string& name) {
    std::string args = log_arg("name", name);
    require(c, method, args, check_name_length(name));
    return required(c, method, args, IfName::parse(name));
}

ManagerObject::ManagerObject(sdbus::IConnection& conn, Service& service, Callers& callers)
    : AdaptorInterfaces(conn, names::kManagerPath),
      conn_(conn),
      service_(service),
      callers_(callers) {
    registerAdaptor();
    // The taps adopted at start are not announced (the name net.tapd1 is not owned yet: a
    // client lists the taps once it sees it appear).
    service_.take_changes();
    sd_bus_slot* slot = nullptr;
    int r = sd_bus_add_filter(raw_bus(getObject()), &slot, &ManagerObject::on_message, this);
    if (r < 0) throw sdbus::Error(SD_BUS_ERROR_FAILED, errno_text("sd_bus_add_filter", -r));
    filter_.reset(slot);
}

ManagerObject::~ManagerObject() {
    filter_.reset();
    objects_.clear();
    unregisterAdaptor();
}

int ManagerObject::on_message(sd_bus_message* m, void* self, sd_bus_error*) {
    try {
        static_cast<ManagerObject*>(self)->export_for(m);
    } catch (const std::exception& e) {
        // sd-bus then answers the call as for an unknown object.
        log::warn(std::string("exporting a tap's object: ") + e.what());
    }
    return 0;  // dispatched on as usual
}

void ManagerObject::export_for(sd_bus_message* m) {
    if (!sd_bus_message_is_method_call(m, nullptr, nullptr)) return;
    const char* p = sd_bus_message_get_path(m);
    if (!p) return;
    std::string_view path = p, prefix = names::kTapPathPrefix;
    if (path.starts_with(prefix)) {
        // Anything but a tap's own path (a deeper one, a bad escape) finds no object, as before.
        if (std::string name = names::tap_name_from_path(path); !name.empty()) export_object(name);
        return;
    }
    // The listings that show taps: the children of /net/tapd1/tap and the ObjectManager's
    // objects (every tap); the children of /net/tapd1 ("tap", if one tap is there). Above, sd-bus
    // lists the manager's path alone.
    std::string_view taps = prefix.substr(0, prefix.size() - 1);
    bool introspect = sd_bus_message_is_method_call(m, kIntrospectable, "Introspect") > 0;
    if ((introspect && path == taps) ||
        (path == names::kManagerPath &&
         sd_bus_message_is_method_call(m, kObjectManager, "GetManagedObjects") > 0)) {
        for (const auto& [name, r] : service_.taps().all()) export_object(name);
        answered_about(service_.taps().all().size());
    } else if (introspect && path == names::kManagerPath && !service_.taps().all().empty()) {
        export_object(service_.taps().all().begin()->first);
    }
}

void ManagerObject::export_object(const std::string& name) {
    if (objects_.contains(name) || !service_.find(name)) return;
    objects_[name] = std::make_unique<TapObject>(*this, conn_, name);
}

bool ManagerObject::announce(const std::string& name, bool added) {
    try {
        auto signal = getObject().createSignal(kObjectManager,
                                               added ? "InterfacesAdded" : "InterfacesRemoved");
        signal << sdbus::ObjectPath(names::tap_object_path(name));
        if (added) {
            const TapRecord* r = service_.find(name);
            if (!r) return false;
            signal << std::map<std::string, std::map<std::string, sdbus::Variant>>{
                {net::tapd1::Tap_adaptor::INTERFACE_NAME, tap_properties(*r)}};
        } else {
            signal << std::vector<std::string>{net::tapd1::Tap_adaptor::INTERFACE_NAME};
        }
        getObject().emitSignal(signal);
    } catch (const sdbus::Error& e) {
        // The bus may be gone already (tapd stopping because of it).
        log::warn(std::string(added ? "InterfacesAdded" : "InterfacesRemoved") + " for " + name +
                  ": " + e.getMessage());
    }
    return true;
}

void ManagerObject::after_call() {
    service_.after_reply();
    std::set<std::string> unannounced;  // added and gone again since the last after_call()
    for (const auto& change : service_.take_changes()) {
        switch (change.kind) {
            case TapChange::Added:
                if (!announce(change.name, true)) unannounced.insert(change.name);
                break;
            case TapChange::Changed:
                export_object(change.name);
                if (auto it = objects_.find(change.name); it != objects_.end())
                    it->second->emit_changed();
                break;
            case TapChange::Removed:
                objects_.erase(change.name);
                if (!unannounced.erase(change.name)) announce(change.name, false);
                break;
        }
    }
}

sdbus::ObjectPath ManagerObject::CreateTap(const std::string& name,
                                           const std::map<std::string, sdbus::Variant>& options) {
    Caller c = callers_.of(getObject());
    IfName ifname = tap_name(c, "CreateTap", name);
    std::string args = log_arg("name", name);
    require(c, "CreateTap", args, check_option_keys(getObject()));
    CreateOptions o = required(c, "CreateTap", args, parse_create_options(options));
    args += log_arg("addresses", joined(o.addresses)) + log_arg("routes", joined(o.routes)) +
            " masquerade=" + (o.masquerade ? "1" : "0") +
            " persistent=" + (o.persistent ? "1" : "0");
    reply(c, "CreateTap", args, service_.create(c, ifname, o).status());
    return names::tap_object_path(name);
}

std::vector<sdbus::UnixFd> ManagerObject::open_tap(
    const Caller& c, const char* method, const std::string& name,
    const std::map<std::string, sdbus::Variant>& options, bool queues,
    const sdbus::IObject& object) {
    IfName ifname = tap_name(c, method, name);
    std::string args = log_arg("name", name);
    require(c, method, args, check_option_keys(object));
    OpenOptions o = required(c, method, args, parse_open_options(options, queues));
    if (queues) args += " queues=" + std::to_string(o.queues);
    if (o.offloads) args += " offloads=" + o.offloads->text();
    auto fds = required(c, method, args, service_.open(c, ifname, o));
    reply(c, method, args, {});
    std::vector<sdbus::UnixFd> out;
    for (auto& fd : fds) out.emplace_back(fd.release(), sdbus::adopt_fd);
    return out;
}

void ManagerObject::delete_tap(const Caller& c, const char* method, const std::string& name) {
    IfName ifname = tap_name(c, method, name);
    reply(c, method, log_arg("name", name), service_.remove(c, ifname));
}

sdbus::UnixFd ManagerObject::OpenTap(const std::string& name,
                                     const std::map<std::string, sdbus::Variant>& options) {
    auto fds = open_tap(callers_.of(getObject()), "OpenTap", name, options, false, getObject());
    return std::move(fds.front());
}

std::vector<sdbus::UnixFd> ManagerObject::OpenTapQueues(
    const std::string& name, const std::map<std::string, sdbus::Variant>& options) {
    return open_tap(callers_.of(getObject()), "OpenTapQueues", name, options, true, getObject());
}

void ManagerObject::DeleteTap(const std::string& name) {
    delete_tap(callers_.of(getObject()), "DeleteTap", name);
}

std::vector<sdbus::ObjectPath> ManagerObject::ListTaps() {
    auto taps = service_.owned(callers_.of(getObject()));
    answered_about(taps.size());
    return paths(taps);
}

std::vector<sdbus::ObjectPath> ManagerObject::ListAllTaps() {
    Caller c = callers_.of(getObject());
    auto taps = required(c, "ListAllTaps", "", service_.all(c));
    answered_about(taps.size());
    return paths(taps);
}

std::map<sdbus::ObjectPath, std::map<std::string, sdbus::Variant>> ManagerObject::GetTaps(
    const bool& all) {
    Caller c = callers_.of(getObject());
    auto taps = all ? required(c, "GetTaps", " all=1", service_.all(c)) : service_.owned(c);
    answered_about(taps.size());
    std::map<sdbus::ObjectPath, std::map<std::string, sdbus::Variant>> out;
    for (const TapRecord* r : taps)
        out.emplace(names::tap_object_path(r->name), tap_properties(*r));
    return out;
}

std::vector<std::string> ManagerObject::Cleanup(const bool& all) {
    Caller c = callers_.of(getObject());
    auto names = service_.cleanup(c, all);
    std::string deleted;
    if (names)
        for (const auto& n : names.value()) deleted += (deleted.empty() ? "" : ",") + n;
    reply(c, "Cleanup", std::string(" all=") + (all ? "1" : "0") + log_arg("deleted", deleted),
          names.status());
    return names.value();
}

}  // namespace tapd
