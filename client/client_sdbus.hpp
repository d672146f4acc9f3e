// What libtapd's client files share over sdbus-c++: an sdbus error as a ClientError, and a
// tap's D-Bus properties as a TapInfo (one mapping, from tap_fields.hpp).
#pragma once

#include <map>
#include <string>
#include <type_traits>

#include <sdbus-c++/sdbus-c++.h>

#include "client.hpp"
#include "tap_fields.hpp"

namespace tapd {

[[noreturn]] inline void rethrow(const sdbus::Error& e) {
    throw ClientError(e.getName(), e.getMessage());
}

inline TapInfo info_from(const std::string& path, const std::map<std::string, sdbus::Variant>& p) {
    TapInfo t;
    t.path = path;
    for_each_tap_field(t, [&](const auto& property, const char*, auto& field) {
        auto it = p.find(std::string(property.name));
        if (it != p.end()) field = it->second.get<std::remove_cvref_t<decltype(field)>>();
    });
    return t;
}

}  // namespace tapd
