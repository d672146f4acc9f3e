// Match expressions against a tap's traffic: interface names, IPv4 addresses, conntrack state,
// the protocol family; anything else is a "maybe".
#include "foreign_match.hpp"

#include <sys/socket.h>

#include <algorithm>

namespace tapd::nft {

namespace {

using json = nlohmann::json;

Tri invert(Tri t) {
    return t == Tri::Always ? Tri::Never : t == Tri::Never ? Tri::Always : Tri::Maybe;
}

// The values of RIGHT: a set's elements, an array's, or the one value.
std::vector<const json*> values(const json& right) {
    std::vector<const json*> out;
    const json* list = &right;
    if (right.is_object() && right.contains("set")) list = &right["set"];
    if (list->is_array())
        for (const auto& v : *list) out.push_back(&v);
    else
        out.push_back(list);
    return out;
}

// Any of VALUES: Always if one always applies, Never if none can, else Maybe.
template <typename F>
Tri any_of(const json& right, F each) {
    Tri out = Tri::Never;
    for (const json* v : values(right)) {
        Tri t = each(*v);
        if (t == Tri::Always) return Tri::Always;
        if (t == Tri::Maybe) out = Tri::Maybe;
    }
    return out;
}

// An interface name against NAME ("" unknown); nft's wildcard "eth*" matches a prefix.
Tri ifname_is(const json& v, const std::string& name) {
    if (!v.is_string() || name.empty()) return Tri::Maybe;
    std::string pattern = v.get<std::string>();
    if (!pattern.empty() && pattern.back() == '*') {
        pattern.pop_back();
        return name.compare(0, pattern.size(), pattern) == 0 ? Tri::Always : Tri::Never;
    }
    return pattern == name ? Tri::Always : Tri::Never;
}

// An address value ("ADDR" or {"prefix": {...}}) against packets whose address lies in one of
// SUBNETS (null or empty: unknown).
Tri address_in(const json& v, const std::vector<Prefix>* subnets) {
    if (!subnets || subnets->empty()) return Tri::Maybe;
    Prefix rule;
    if (v.is_string()) {
        auto a = parse_ip_address(v.get<std::string>());
        if (!a) return Tri::Maybe;
        rule = Prefix{a.value(), static_cast<uint8_t>(a.value().family == AF_INET ? 32 : 128)};
    } else if (v.is_object() && v.contains("prefix") && v["prefix"].is_object()) {
        auto a = parse_ip_address(v["prefix"].value("addr", ""));
        if (!a) return Tri::Maybe;
        rule = Prefix{a.value(), static_cast<uint8_t>(v["prefix"].value("len", 0))};
    } else {
        return Tri::Maybe;  // ranges, set references, concatenations
    }
    bool all = true, none = true;
    for (const auto& s : *subnets) {
        if (!rule.contains(s.network())) all = false;
        if (rule.overlaps(s.network())) none = false;
    }
    return all ? Tri::Always : none ? Tri::Never : Tri::Maybe;
}

Tri ct_state_is(const json& v, bool established) {
    if (!v.is_string()) return Tri::Maybe;
    const std::string& s = v.get_ref<const std::string&>();
    if (s == (established ? "established" : "new")) return Tri::Always;
    if (s == "new" || s == "established" || s == "related" || s == "invalid" || s == "untracked")
        return Tri::Never;
    return Tri::Maybe;
}

Tri left_applies(const json& left, const json& right, const Direction& dir) {
    if (left.contains("meta") && left["meta"].is_object()) {
        std::string key = left["meta"].value("key", "");
        if (key == "iifname" || key == "iif")
            return any_of(right, [&](const json& v) { return ifname_is(v, dir.iif); });
        if (key == "oifname" || key == "oif")
            return any_of(right, [&](const json& v) { return ifname_is(v, dir.oif); });
        if (key == "nfproto")
            return any_of(right, [](const json& v) {
                return v == "ipv4" ? Tri::Always : v == "ipv6" ? Tri::Never : Tri::Maybe;
            });
        return Tri::Maybe;
    }
    if (left.contains("payload") && left["payload"].is_object()) {
        std::string protocol = left["payload"].value("protocol", "");
        std::string field = left["payload"].value("field", "");
        if (protocol == "ip" && field == "saddr")
            return any_of(right, [&](const json& v) { return address_in(v, dir.saddr); });
        if (protocol == "ip" && field == "daddr")
            return any_of(right, [&](const json& v) { return address_in(v, dir.daddr); });
        return Tri::Maybe;
    }
    if (left.contains("ct") && left["ct"].is_object()) {
        std::string key = left["ct"].value("key", "");
        if (key == "state")
            return any_of(right, [&](const json& v) { return ct_state_is(v, dir.established); });
        // Masquerade is source NAT: the tap's connections carry no destination NAT.
        if (key == "status")
            return any_of(right,
                          [](const json& v) { return v == "dnat" ? Tri::Never : Tri::Maybe; });
        return Tri::Maybe;
    }
    return Tri::Maybe;
}

}  // namespace

Tri match_applies(const json& match, const Direction& dir) {
    if (!match.is_object() || !match.contains("left") || !match.contains("right"))
        return Tri::Maybe;
    const json& left = match["left"];
    // An IPv6 header field is never there in IPv4 traffic, whatever the operator: nft adds the
    // protocol as an implicit dependency.
    if (left.contains("payload") && left["payload"].is_object() &&
        left["payload"].value("protocol", "") == "ip6")
        return Tri::Never;
    Tri t = left_applies(left, match["right"], dir);
    std::string op = match.value("op", "==");
    if (op == "==" || op == "in") return t;
    if (op == "!=") return invert(t);
    return Tri::Maybe;
}

}  // namespace tapd::nft
