// TapObject: the Tap interface's methods and properties.
#include "tap_object.hpp"

#include <type_traits>

#include "tap_properties.hpp"

#include "ifname.hpp"
#include "log.hpp"
#include "manager_object.hpp"
#include "names.hpp"
#include "options.hpp"
#include "replies.hpp"

namespace tapd {

namespace {

// Each getter returns its property's type in common/tap_properties.hpp (which a unit test checks
// against the XML): the one mapping of a tap record, on tapd's side.
template <auto Getter, const auto& Property>
constexpr bool returns_property_type =
    std::is_same_v<std::invoke_result_t<decltype(Getter), TapObject&>,
                   typename std::remove_cvref_t<decltype(Property)>::type>;

std::vector<std::string> strings(const std::vector<Prefix>& v) {
    std::vector<std::string> out;
    for (const auto& p : v) out.push_back(p.str());
    return out;
}

}  // namespace

TapObject::TapObject(ManagerObject& manager, sdbus::IConnection& conn, const std::string& name,
                     bool announce)
    : AdaptorInterfaces(conn, names::tap_object_path(name)), manager_(manager), name_(name) {
    registerAdaptor();
    if (!announce) return;
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
        static const std::vector<std::string> changing = changing_tap_properties();
        emitPropertiesChangedSignal(net::tapd1::Tap_adaptor::INTERFACE_NAME, changing);
    } catch (const sdbus::Error& e) {
        log::warn("PropertiesChanged for " + name_ + ": " + e.getMessage());
    }
}

template <class F>
void TapObject::for_each_property(F&& f) {
    auto property = [&]<auto Getter, const auto & Property>() {
        static_assert(returns_property_type<Getter, Property>);
        f(Property, (this->*Getter)());
    };
    namespace p = tap_property;
    property.template operator()<&TapObject::Name, p::kName>();
    property.template operator()<&TapObject::Index, p::kIndex>();
    property.template operator()<&TapObject::OwnerUid, p::kOwnerUid>();
    property.template operator()<&TapObject::Addresses, p::kAddresses>();
    property.template operator()<&TapObject::Routes, p::kRoutes>();
    property.template operator()<&TapObject::Masquerade, p::kMasquerade>();
    property.template operator()<&TapObject::Persistent, p::kPersistent>();
    property.template operator()<&TapObject::MTU, p::kMtu>();
    property.template operator()<&TapObject::MAC, p::kMac>();
    property.template operator()<&TapObject::Kind, p::kKind>();
}

std::map<std::string, sdbus::Variant> TapObject::properties() {
    std::map<std::string, sdbus::Variant> out;
    for_each_property([&](const auto& property, auto value) {
        out.emplace(std::string(property.name), sdbus::Variant(std::move(value)));
    });
    return out;
}

const TapRecord& TapObject::record() {
    const TapRecord* r = manager_.service().find(name_);
    if (!r) throw_error(make_error(ErrorKind::NotFound, "no tap '" + name_ + "'"));
    return *r;
}

template <typename Arg, typename Fn>
void TapObject::change(const char* method, const char* key, const std::string& text, Fn fn) {
    Caller c = manager_.callers().of(getObject());
    std::string args = log_arg("name", name_) + log_arg(key, text);
    require(c, method, args, check_length(key, text, kMaxOptionString));
    IfName name = required(c, method, args, IfName::parse(name_));
    Arg arg = required(c, method, args, Arg::parse(text));
    reply(c, method, args, fn(c, name, arg));
}

void TapObject::AddAddress(const std::string& address) {
    change<TapAddress>("Tap.AddAddress", "address", address,
                       [this](const Caller& c, const IfName& n, const TapAddress& a) {
                           return manager_.service().add_address(c, n, a);
                       });
}

void TapObject::RemoveAddress(const std::string& address) {
    change<TapAddress>("Tap.RemoveAddress", "address", address,
                       [this](const Caller& c, const IfName& n, const TapAddress& a) {
                           return manager_.service().remove_address(c, n, a);
                       });
}

void TapObject::AddRoute(const std::string& route) {
    change<Network>("Tap.AddRoute", "route", route,
                    [this](const Caller& c, const IfName& n, const Network& r) {
                        return manager_.service().add_route(c, n, r);
                    });
}

void TapObject::RemoveRoute(const std::string& route) {
    change<Network>("Tap.RemoveRoute", "route", route,
                    [this](const Caller& c, const IfName& n, const Network& r) {
                        return manager_.service().remove_route(c, n, r);
                    });
}

void TapObject::SetMasquerade(const bool& enabled) {
    Caller c = manager_.callers().of(getObject());
    std::string args = log_arg("name", name_) + " enabled=" + (enabled ? "1" : "0");
    IfName name = required(c, "Tap.SetMasquerade", args, IfName::parse(name_));
    reply(c, "Tap.SetMasquerade", args, manager_.service().set_masquerade(c, name, enabled));
}

sdbus::UnixFd TapObject::Open(const std::map<std::string, sdbus::Variant>& options) {
    auto fds = manager_.open_tap(manager_.callers().of(getObject()), "Tap.Open", name_, options,
                                 false, getObject());
    return std::move(fds.front());
}

std::vector<sdbus::UnixFd> TapObject::OpenQueues(
    const std::map<std::string, sdbus::Variant>& options) {
    return manager_.open_tap(manager_.callers().of(getObject()), "Tap.OpenQueues", name_, options,
                             true, getObject());
}

void TapObject::Delete() {
    manager_.delete_tap(manager_.callers().of(getObject()), "Tap.Delete", name_);
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
std::string TapObject::Kind() {
    return record().veth ? "veth" : "tap";
}

}  // namespace tapd
