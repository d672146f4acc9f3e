// TapInfo field by field: the Tap property each field holds and its key in JSON (tapctl --json),
// the one client-side mapping of a tap record (client.cpp reads the properties through it,
// tapctl writes JSON through it). Not installed: part of libtapd's and tapctl's sources only.
#pragma once

#include <type_traits>

#include "client.hpp"
#include "tap_properties.hpp"

namespace tapd {

// Calls F(property, json_key, field) for every field of T (a TapInfo or a const TapInfo) that
// holds a property of net.tapd1.Tap; TapInfo::path (the object's path) is not a property. A
// field whose type is not its property's does not compile.
template <class Info, class F>
requires std::is_same_v<std::remove_const_t<Info>, TapInfo>
void for_each_tap_field(Info& t, F&& f) {
    auto field = [&](const auto& property, const char* key, auto& member) {
        static_assert(std::is_same_v<typename std::remove_cvref_t<decltype(property)>::type,
                                     std::remove_cvref_t<decltype(member)>>,
                      "a TapInfo field has the C++ type of its property");
        f(property, key, member);
    };
    namespace p = tap_property;
    field(p::kName, "name", t.name);
    field(p::kIndex, "index", t.index);
    field(p::kOwnerUid, "owner_uid", t.owner_uid);
    field(p::kAddresses, "addresses", t.addresses);
    field(p::kRoutes, "routes", t.routes);
    field(p::kMasquerade, "masquerade", t.masquerade);
    field(p::kPersistent, "persistent", t.persistent);
    field(p::kMtu, "mtu", t.mtu);
    field(p::kMac, "mac", t.mac);
    field(p::kKind, "kind", t.kind);
}

}  // namespace tapd
