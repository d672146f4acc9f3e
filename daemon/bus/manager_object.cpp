// ManagerObject: CreateTap, OpenTap(Queues), DeleteTap, listing, Cleanup; the Tap object registry.
#include "manager_object.hpp"

#include "names.hpp"
#include "replies.hpp"

namespace tapd {

namespace {

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
    service_.take_changes();
    // Before the name is requested: exported, not announced (1,000 signals cost ~50 ms of a
    // start; a client lists the taps once it sees net.tapd1 appear).
    for (const auto& [name, r] : service_.taps().all())
        objects_[name] = std::make_unique<TapObject>(*this, conn_, name, false);
}

ManagerObject::~ManagerObject() {
    objects_.clear();
    unregisterAdaptor();
}

void ManagerObject::after_call() {
    service_.after_reply();
    for (const auto& change : service_.take_changes()) {
        auto it = objects_.find(change.name);
        switch (change.kind) {
            case TapChange::Added:
                if (it == objects_.end() && service_.find(change.name))
                    objects_[change.name] = std::make_unique<TapObject>(*this, conn_, change.name);
                break;
            case TapChange::Changed:
                if (it != objects_.end()) it->second->emit_changed();
                break;
            case TapChange::Removed:
                if (it != objects_.end()) objects_.erase(it);
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
    return paths(service_.owned(callers_.of(getObject())));
}

std::vector<sdbus::ObjectPath> ManagerObject::ListAllTaps() {
    Caller c = callers_.of(getObject());
    auto taps = required(c, "ListAllTaps", "", service_.all(c));
    return paths(taps);
}

std::map<sdbus::ObjectPath, std::map<std::string, sdbus::Variant>> ManagerObject::GetTaps(
    const bool& all) {
    Caller c = callers_.of(getObject());
    auto taps = all ? required(c, "GetTaps", " all=1", service_.all(c)) : service_.owned(c);
    std::map<sdbus::ObjectPath, std::map<std::string, sdbus::Variant>> out;
    for (const TapRecord* r : taps) {
        // Every tap the service holds has its object by now: after_call() ran before this call.
        auto it = objects_.find(r->name);
        if (it != objects_.end())
            out.emplace(names::tap_object_path(r->name), it->second->properties());
    }
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
