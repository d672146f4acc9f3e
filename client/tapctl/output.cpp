// The text and JSON of taps and policy values, as tapctl prints them.
#include "output.hpp"

#include <cstdio>
#include <variant>

#include "tap_fields.hpp"

namespace tapd::tapctl {

nlohmann::json to_json(const tapd::TapInfo& t) {
    nlohmann::json out = nlohmann::json::object();
    out["path"] = t.path;
    for_each_tap_field(t,
                       [&](const auto&, const char* key, const auto& field) { out[key] = field; });
    return out;
}

nlohmann::json to_json(const tapd::PolicyValue& v) {
    return std::visit([](const auto& x) { return nlohmann::json(x); }, v);
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

namespace {

// "tap" or "veth" (a namespace's link); a tapd older than the Kind property made only taps.
const char* kind_of(const tapd::TapInfo& t) {
    return t.kind.empty() ? "tap" : t.kind.c_str();
}

}  // namespace

void print_info(const tapd::TapInfo& t) {
    std::printf("%s: %s index %u owner %u mtu %u mac %s%s%s\n", t.name.c_str(), kind_of(t), t.index,
                t.owner_uid, t.mtu, t.mac.c_str(), t.persistent ? " persistent" : " ephemeral",
                t.masquerade ? " masquerade" : "");
    for (const auto& a : t.addresses) std::printf("  address %s\n", a.c_str());
    for (const auto& r : t.routes) std::printf("  route %s\n", r.c_str());
}

void print_table(const std::vector<tapd::TapInfo>& taps) {
    if (taps.empty()) {
        std::printf("no taps\n");
        return;
    }
    std::printf("%-15s %6s %6s %-4s %-10s %-11s %s\n", "NAME", "INDEX", "OWNER", "KIND", "LIFETIME",
                "MASQUERADE", "ADDRESSES / ROUTES");
    auto or_dash = [](const std::vector<std::string>& v) { return v.empty() ? "-" : join(v); };
    for (const auto& t : taps)
        std::printf("%-15s %6u %6u %-4s %-10s %-11s %s / %s\n", t.name.c_str(), t.index,
                    t.owner_uid, kind_of(t), t.persistent ? "persistent" : "ephemeral",
                    t.masquerade ? "yes" : "no", or_dash(t.addresses).c_str(),
                    or_dash(t.routes).c_str());
}

}  // namespace tapd::tapctl
