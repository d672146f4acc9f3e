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

std::vector<std::string> strings(const std::vector<Prefix>& v) {
    std::vector<std::string> out;
    for (const auto& p : v) out.push_back(p.str());
    return out;
}

// The value of each property of net.tapd1.Tap from a tap's record: the one mapping of a tap
// record, on tapd's side.
namespace value {
std::string name(const TapRecord& r) {
    return r.name;
}
uint32_t index(const TapRecord& r) {
    return static_cast<uint32_t>(r.ifindex);
}
uint32_t owner_uid(const TapRecord& r) {
    return r.owner;
}
std::vector<std::string> addresses(const TapRecord& r) {
    return strings(r.addresses);
}
std::vector<std::string> routes(const TapRecord& r) {
    return strings(r.routes);
}
bool masquerade(const TapRecord& r) {
    return r.masquerade;
}
bool persistent(const TapRecord& r) {
    return r.persistent;
}
uint32_t mtu(const TapRecord& r) {
    return r.mtu;
}
std::string mac(const TapRecord& r) {
    return r.mac;
}
std::string kind(const TapRecord& r) {
    return r.veth ? "veth" : "tap";
}
}  // namespace value

// Each value function returns its property's type in common/tap_properties.hpp (which a unit
// test checks against the XML); one of another type does not compile.
template <auto Value, const auto& Property>
constexpr bool returns_property_type =
    std::is_same_v<std::invoke_result_t<decltype(Value), const TapRecord&>,
                   typename std::remove_cvref_t<decltype(Property)>::type>;

// Calls F(property, value) for every property of R.
template <class F>
void for_each_property(const TapRecord& r, F&& f) {
    auto property = [&]<auto Value, const auto & Property>() {
        static_assert(returns_property_type<Value, Property>);
        f(Property, Value(r));
    };
    namespace p = tap_property;
    property.template operator()<&value::name, p::kName>();
    property.template operator()<&value::index, p::kIndex>();
    property.template operator()<&value::owner_uid, p::kOwnerUid>();
    property.template operator()<&value::addresses, p::kAddresses>();
    property.template operator()<&value::routes, p::kRoutes>();
    property.template operator()<&value::masquerade, p::kMasquerade>();
    property.template operator()<&value::persistent, p::kPersistent>();
    property.template operator()<&value::mtu, p::kMtu>();
    property.template operator()<&value::mac, p::kMac>();
    property.template operator()<&value::kind, p::kKind>();
}

}  // namespace

std::map<std::string, sdbus::Variant> tap_properties(const TapRecord& r) {
    std::map<std::string, sdbus::Variant> out;
    for_each_property(r, [&](const auto& property, auto v) {
        out.emplace(std::string(property.name), sdbus::Variant(std::move(v)));
    });
    return out;
}

TapObject::TapObject(ManagerObject& manager, sdbus::IConnection& conn, const std::string& name)
    : AdaptorInterfaces(conn, names::tap_object_path(name)), manager_(manager), name_(name) {
    registerAdaptor();
}

TapObject::~TapObject() {
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
    return value::index(record());
}
uint32_t TapObject::OwnerUid() {
    return value::owner_uid(record());
}
std::vector<std::string> TapObject::Addresses() {
    return value::addresses(record());
}
std::vector<std::string> TapObject::Routes() {
    return value::routes(record());
}
bool TapObject::Masquerade() {
    return value::masquerade(record());
}
bool TapObject::Persistent() {
    return value::persistent(record());
}
uint32_t TapObject::MTU() {
    return value::mtu(record());
}
std::string TapObject::MAC() {
    return value::mac(record());
}
std::string TapObject::Kind() {
    return value::kind(record());
}

}  // namespace tapd
