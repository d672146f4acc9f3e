// D-Bus adaptors of tapd: argument decoding, caller identity, logging, error naming.
#include "bus.hpp"

#include "ifname.hpp"
#include "log.hpp"
#include "names.hpp"
#include "policy.hpp"
#include "utf8.hpp"

namespace tapd {

static std::string joined(const std::vector<Prefix>& v) {
    std::string out;
    for (const auto& p : v) out += (out.empty() ? "" : ",") + p.str();
    return out;
}

static std::vector<std::string> strings(const std::vector<Prefix>& v) {
    std::vector<std::string> out;
    for (const auto& p : v) out.push_back(p.str());
    return out;
}

std::string log_arg(const std::string& key, const std::string& v) {
    return " " + key + "=" + log::value(v);
}

void throw_error(const Error& e) {
    // sd-bus does not send a message that is not valid UTF-8: its caller would wait in vain.
    throw sdbus::Error(names::error_name(e.kind), printable_utf8(e.message, kMaxErrorText));
}

Status check_name_length(const std::string& name) {
    return check_length("interface name", name, kMaxIfNameLength);
}

Status check_option_keys(const sdbus::IObject& object) {
    return check_unique_option_keys(*object.getCurrentlyProcessedMessage());
}

Bus::Bus(sdbus::IConnection& conn, Service& service, LeaseWatcher& leases, std::string policy_path)
    : AdaptorInterfaces(conn, names::kManagerPath),
      conn_(conn),
      service_(service),
      leases_(leases),
      policy_path_(std::move(policy_path)) {
    registerAdaptor();
    service_.set_events({
        [this](const TapRecord& r) { born_.push_back(r.name); },
        [this](const TapRecord& r) {
            if (auto it = objects_.find(r.name); it != objects_.end()) it->second->emit_changed();
        },
        // An object must not be destroyed inside its own method call (Tap.Delete): park it.
        [this](const std::string& name) {
            std::erase(born_, name);
            if (auto it = objects_.find(name); it != objects_.end()) {
                dying_.push_back(std::move(it->second));
                objects_.erase(it);
            }
        },
    });
    auto adopted = service_.all(Caller{});  // root: cannot fail
    for (const auto* r : adopted.value())
        objects_[r->name] = std::make_unique<TapObject>(*this, conn_, r->name);
    // Leases end when their holder disconnects (also one that went while tapd started).
    leases_.on_gone([this](const std::string& name) {
        creds_.erase(name);
        // Only a lease holder costs the bus a round trip, to confirm.
        if (service_.holds_lease(name) && !leases_.alive(name)) service_.client_gone(name);
    });
}

void Bus::after_call() {
    service_.after_reply();
    dying_.clear();
    for (const auto& name : born_)
        if (service_.find(name) && !objects_.count(name))
            objects_[name] = std::make_unique<TapObject>(*this, conn_, name);
    born_.clear();
}

Bus::~Bus() {
    leases_.on_gone({});
    service_.set_events({});
    objects_.clear();
    dying_.clear();
    unregisterAdaptor();
}

Caller Bus::caller(const sdbus::IObject& object) const {
    const sdbus::Message* msg = object.getCurrentlyProcessedMessage();
    Caller c;
    c.sender = msg->getSender();
    if (auto it = creds_.find(c.sender); it != creds_.end()) {
        c.uid = it->second.uid;
        c.pid = it->second.pid;
        c.groups = it->second.groups;
        return c;
    }
    c.uid = msg->getCredsEuid();  // asked of the bus daemon: the kernel's SO_PEERCRED
    try {
        c.pid = msg->getCredsPid();
    } catch (const sdbus::Error&) {
        c.pid = 0;
    }
    c.groups = groups_of(c.uid);
    if (!c.sender.empty() && c.sender[0] == ':') creds_[c.sender] = {c.uid, c.pid, *c.groups};
    return c;
}

void Bus::check(const Caller& c, const char* method, const std::string& args, const Status& st) {
    std::string line = std::string("method=") + method + " uid=" + std::to_string(c.uid) +
                       " pid=" + std::to_string(c.pid) + " client=" + c.sender + args;
    if (st) {
        log::info(line + " result=ok");
        return;
    }
    log::info(line + " result=" + names::error_name(st.error().kind) +
              " reason=" + log::value(st.error().message, kMaxErrorText));
    throw_error(st.error());
}

void Bus::require(const Caller& c, const char* method, const std::string& args, const Status& st) {
    if (!st) check(c, method, args, st);
}

sdbus::ObjectPath Bus::CreateTap(const std::string& name,
                                 const std::map<std::string, sdbus::Variant>& options) {
    Caller c = caller(getObject());
    std::string args = log_arg("name", name);
    require(c, "CreateTap", args, check_name_length(name));
    require(c, "CreateTap", args, check_option_keys(getObject()));
    auto o = parse_create_options(options);
    if (!o) check(c, "CreateTap", args, o.error());
    args += log_arg("addresses", joined(o->addresses)) + log_arg("routes", joined(o->routes)) +
            " masquerade=" + (o->masquerade ? "1" : "0") +
            " persistent=" + (o->persistent ? "1" : "0");
    auto r = service_.create(c, name, o.value());
    check(c, "CreateTap", args, r.status());
    return names::tap_object_path(name);
}

sdbus::UnixFd Bus::open_tap(const Caller& c, const char* method, const std::string& name,
                            const std::map<std::string, sdbus::Variant>& options,
                            const sdbus::IObject& object) {
    require(c, method, log_arg("name", name), check_name_length(name));
    require(c, method, log_arg("name", name), check_option_keys(object));
    if (auto st = parse_open_options(options); !st) check(c, method, log_arg("name", name), st);
    auto fd = service_.open(c, name);
    check(c, method, log_arg("name", name), fd.status());
    return sdbus::UnixFd(fd->release(), sdbus::adopt_fd);
}

void Bus::delete_tap(const Caller& c, const char* method, const std::string& name) {
    require(c, method, log_arg("name", name), check_name_length(name));
    check(c, method, log_arg("name", name), service_.remove(c, name));
}

sdbus::UnixFd Bus::OpenTap(const std::string& name,
                           const std::map<std::string, sdbus::Variant>& options) {
    return open_tap(caller(getObject()), "OpenTap", name, options, getObject());
}

void Bus::DeleteTap(const std::string& name) {
    delete_tap(caller(getObject()), "DeleteTap", name);
}

static std::vector<sdbus::ObjectPath> paths(const std::vector<const TapRecord*>& taps) {
    std::vector<sdbus::ObjectPath> out;
    for (const auto* r : taps) out.emplace_back(names::tap_object_path(r->name));
    return out;
}

std::vector<sdbus::ObjectPath> Bus::ListTaps() {
    return paths(service_.owned(caller(getObject())));
}

std::vector<sdbus::ObjectPath> Bus::ListAllTaps() {
    auto taps = service_.all(caller(getObject()));
    if (!taps) throw_error(taps.error());
    return paths(taps.value());
}

std::vector<std::string> Bus::Cleanup(const bool& all) {
    Caller c = caller(getObject());
    auto names = service_.cleanup(c, all);
    std::string deleted;
    if (names)
        for (const auto& n : names.value()) deleted += (deleted.empty() ? "" : ",") + n;
    check(c, "Cleanup", std::string(" all=") + (all ? "1" : "0") + log_arg("deleted", deleted),
          names.status());
    return names.value();
}

std::map<std::string, sdbus::Variant> Bus::GetPolicy() {
    Caller c = caller(getObject());
    Grant g = grant_for(c);
    const Policy& policy = current_policy();
    std::vector<std::string> rules;
    for (size_t i : g.matched_rules) {
        const Rule& r = policy.rules[i];
        rules.push_back(printable_utf8("rule " + std::to_string(i) + " (line " +
                                           std::to_string(r.line) + ")" +
                                           (r.comment.empty() ? "" : ": " + r.comment),
                                       kMaxErrorText));
    }
    std::map<std::string, sdbus::Variant> out;
    out["uid"] = sdbus::Variant(static_cast<uint32_t>(c.uid));
    out["unlimited"] = sdbus::Variant(g.unlimited);
    out["max_taps"] =
        sdbus::Variant(static_cast<uint32_t>(std::min<size_t>(g.max_taps, UINT32_MAX)));
    out["taps"] = sdbus::Variant(static_cast<uint32_t>(service_.owned(c).size()));
    out["name_prefixes"] = sdbus::Variant(g.name_prefixes);
    out["prefixes"] = sdbus::Variant(strings(g.prefixes));
    out["masquerade"] = sdbus::Variant(g.masquerade);
    out["persistent"] = sdbus::Variant(g.persistent);
    out["owner_access"] = sdbus::Variant(g.owner_access);
    out["raw_sockets"] = sdbus::Variant(g.raw_sockets);
    out["capture"] = sdbus::Variant(g.capture);
    out["default_route"] = sdbus::Variant(g.default_route);
    auto count = [](size_t n) {
        return sdbus::Variant(static_cast<uint32_t>(std::min<size_t>(n, UINT32_MAX)));
    };
    out["max_captures"] = count(g.max_captures);
    out["open_captures"] = count(service_.captures_of(c));
    out["max_raw_sockets"] = count(g.max_raw_sockets);
    if (auto open = service_.raw_sockets_of(c)) out["open_raw_sockets"] = count(open.value());
    out["limits.captures"] = count(policy.limits.captures);
    out["limits.raw_sockets"] = count(policy.limits.raw_sockets);
    out["matched_rules"] = sdbus::Variant(rules);
    // The policy's path, as tapd was given it: any bytes but NUL, and sd-bus sends only UTF-8.
    out["policy"] = sdbus::Variant(printable_utf8(policy.source, kMaxErrorText));
    return out;
}

void Bus::Reload() {
    Caller c = caller(getObject());
    Status st;
    if (c.uid != 0)
        st = make_error(ErrorKind::PermissionDenied, "only root may reload the policy");
    else if (st = reload_policy_in_force(policy_path_); !st)
        st = make_error(st.error().kind, st.error().message + "; the policy in force stays");
    check(c, "Reload", log_arg("policy", policy_path_), st);
}

std::string Bus::Version() {
    return TAPD_VERSION;
}

// --- Tap objects --------------------------------------------------------------------------

TapObject::TapObject(Bus& bus, sdbus::IConnection& conn, const std::string& name)
    : AdaptorInterfaces(conn, names::tap_object_path(name)), bus_(bus), name_(name) {
    registerAdaptor();
    try {
        emitInterfacesAddedSignal({net::tapd1::Tap_adaptor::INTERFACE_NAME});
    } catch (const sdbus::Error& e) {
        log::warn("InterfacesAdded for " + name_ + ": " + e.getMessage());
    }
}

TapObject::~TapObject() {
    // The bus may be gone already (tapd stopping because of it): a signal is then not sent.
    try {
        emitInterfacesRemovedSignal({net::tapd1::Tap_adaptor::INTERFACE_NAME});
    } catch (const sdbus::Error&) {
    }
    unregisterAdaptor();
}

void TapObject::emit_changed() {
    try {
        emitPropertiesChangedSignal(net::tapd1::Tap_adaptor::INTERFACE_NAME,
                                    {"Addresses", "Routes", "Masquerade"});
    } catch (const sdbus::Error& e) {
        log::warn("PropertiesChanged for " + name_ + ": " + e.getMessage());
    }
}

const TapRecord& TapObject::record() {
    const TapRecord* r = bus_.service().find(name_);
    if (!r) throw_error(make_error(ErrorKind::NotFound, "no tap '" + name_ + "'"));
    return *r;
}

void TapObject::AddAddress(const std::string& address) {
    Caller c = bus_.caller(getObject());
    std::string args = log_arg("name", name_) + log_arg("address", address);
    bus_.require(c, "Tap.AddAddress", args, check_length("address", address, kMaxOptionString));
    bus_.check(c, "Tap.AddAddress", args, bus_.service().add_address(c, name_, address));
}

void TapObject::RemoveAddress(const std::string& address) {
    Caller c = bus_.caller(getObject());
    std::string args = log_arg("name", name_) + log_arg("address", address);
    bus_.require(c, "Tap.RemoveAddress", args, check_length("address", address, kMaxOptionString));
    bus_.check(c, "Tap.RemoveAddress", args, bus_.service().remove_address(c, name_, address));
}

void TapObject::AddRoute(const std::string& route) {
    Caller c = bus_.caller(getObject());
    std::string args = log_arg("name", name_) + log_arg("route", route);
    bus_.require(c, "Tap.AddRoute", args, check_length("route", route, kMaxOptionString));
    bus_.check(c, "Tap.AddRoute", args, bus_.service().add_route(c, name_, route));
}

void TapObject::RemoveRoute(const std::string& route) {
    Caller c = bus_.caller(getObject());
    std::string args = log_arg("name", name_) + log_arg("route", route);
    bus_.require(c, "Tap.RemoveRoute", args, check_length("route", route, kMaxOptionString));
    bus_.check(c, "Tap.RemoveRoute", args, bus_.service().remove_route(c, name_, route));
}

void TapObject::SetMasquerade(const bool& enabled) {
    Caller c = bus_.caller(getObject());
    bus_.check(c, "Tap.SetMasquerade", log_arg("name", name_) + " enabled=" + (enabled ? "1" : "0"),
               bus_.service().set_masquerade(c, name_, enabled));
}

sdbus::UnixFd TapObject::Open(const std::map<std::string, sdbus::Variant>& options) {
    return bus_.open_tap(bus_.caller(getObject()), "Tap.Open", name_, options, getObject());
}

void TapObject::Delete() {
    std::string name = name_;  // *this is destroyed by a successful delete
    bus_.delete_tap(bus_.caller(getObject()), "Tap.Delete", name);
}

uint32_t TapObject::Index() {
    return static_cast<uint32_t>(record().ifindex);
}
uint32_t TapObject::OwnerUid() {
    return record().owner;
}
std::vector<std::string> TapObject::Addresses() {
    return strings(record().addresses);
}
std::vector<std::string> TapObject::Routes() {
    return strings(record().routes);
}
bool TapObject::Masquerade() {
    return record().masquerade;
}
bool TapObject::Persistent() {
    return record().persistent;
}
uint32_t TapObject::MTU() {
    return record().mtu;
}
std::string TapObject::MAC() {
    return record().mac;
}

}  // namespace tapd
