// The properties of a tap's object (interface net.tapd1.Tap, dbus/net.tapd1.Tap.xml): name on
// the bus, C++ and D-Bus type, whether PropertiesChanged announces it. The one list that tapd's
// bus layer and libtapd map a tap record from; tests/unit/tap_properties_test.cpp checks it
// against the XML.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tapd {

// The D-Bus signature of the C++ type T, for the types that a tap's properties have (no other
// type has one, so a property of any other type does not compile).
template <class T>
struct DbusSignature;
template <>
struct DbusSignature<std::string> {
    static constexpr std::string_view value = "s";
};
template <>
struct DbusSignature<uint32_t> {
    static constexpr std::string_view value = "u";
};
template <>
struct DbusSignature<bool> {
    static constexpr std::string_view value = "b";
};
template <>
struct DbusSignature<std::vector<std::string>> {
    static constexpr std::string_view value = "as";
};

// One property of net.tapd1.Tap: its NAME on the bus, its value's C++ type T (whose D-Bus
// signature is `signature`), and whether it CHANGES during the tap's life (EmitsChangedSignal
// "true": tapd announces it in PropertiesChanged) or is fixed ("const").
template <class T>
struct TapProperty {
    using type = T;
    static constexpr std::string_view signature = DbusSignature<T>::value;
    std::string_view name;
    bool changes;
};

namespace tap_property {

inline constexpr TapProperty<std::string> kName{"Name", false};
inline constexpr TapProperty<uint32_t> kIndex{"Index", false};
inline constexpr TapProperty<uint32_t> kOwnerUid{"OwnerUid", false};
inline constexpr TapProperty<std::vector<std::string>> kAddresses{"Addresses", true};
inline constexpr TapProperty<std::vector<std::string>> kRoutes{"Routes", true};
inline constexpr TapProperty<bool> kMasquerade{"Masquerade", true};
inline constexpr TapProperty<bool> kPersistent{"Persistent", false};
// MTU and MAC are the link's values when tapd made it (the fd holder may change the MAC after).
inline constexpr TapProperty<uint32_t> kMtu{"MTU", false};
inline constexpr TapProperty<std::string> kMac{"MAC", false};
// "tap" (CreateTap) or "veth" (AttachNamespace: the host side of a namespace's link).
inline constexpr TapProperty<std::string> kKind{"Kind", false};

}  // namespace tap_property

// Calls F(property) for every property of net.tapd1.Tap, in the XML's order; each property is
// a TapProperty<T> of its own T, so F is generic (a lambda taking `const auto&`).
template <class F>
constexpr void for_each_tap_property(F&& f) {
    namespace p = tap_property;
    f(p::kName);
    f(p::kIndex);
    f(p::kOwnerUid);
    f(p::kAddresses);
    f(p::kRoutes);
    f(p::kMasquerade);
    f(p::kPersistent);
    f(p::kMtu);
    f(p::kMac);
    f(p::kKind);
}

// The names of the properties that change during a tap's life, in the XML's order: what a
// PropertiesChanged signal of a tap names.
inline std::vector<std::string> changing_tap_properties() {
    std::vector<std::string> out;
    for_each_tap_property([&](const auto& p) {
        if (p.changes) out.emplace_back(p.name);
    });
    return out;
}

}  // namespace tapd
