// Tap records, their alias form, and the atomically written state file.
#include "state.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string_view>

#include "unique_fd.hpp"

namespace tapd {

using nlohmann::json;

std::vector<Prefix> TapRecord::masquerade_subnets() const {
    std::vector<Prefix> out;
    for (const auto& a : addresses)
        if (a.address.family == AF_INET) out.push_back(a.network());
    return out;
}

std::string tap_alias(const TapRecord& r) {
    return "tapd owner=" + std::to_string(r.owner) + " persistent=" + (r.persistent ? "1" : "0");
}

std::optional<AliasInfo> parse_tap_alias(const std::string& alias) {
    // Only the exact text tap_alias() writes: any other alias is a foreign link's.
    unsigned long long owner = 0;
    int persistent = 0;
    if (std::sscanf(alias.c_str(), "tapd owner=%llu persistent=%d", &owner, &persistent) != 2 ||
        owner > 0xfffffffeULL || (persistent != 0 && persistent != 1))
        return std::nullopt;
    if (alias !=
        "tapd owner=" + std::to_string(owner) + " persistent=" + std::to_string(persistent))
        return std::nullopt;
    return AliasInfo{static_cast<uid_t>(owner), persistent == 1};
}

static json prefixes(const std::vector<Prefix>& v) {
    json a = json::array();
    for (const auto& p : v) a.push_back(p.str());
    return a;
}

namespace {

// TEXT as a JSON string. Text beyond ASCII goes through nlohmann, which checks its UTF-8 as
// to_json()'s dump() does.
void put_string(std::string& out, std::string_view text) {
    bool ascii = std::all_of(text.begin(), text.end(),
                             [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (!ascii) {
        out += json(std::string(text)).dump();
        return;
    }
    out += '"';
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            static constexpr char kShort[] = "btn\0fr";  // \b \t \n (\v has none) \f \r
            if (u >= 8 && u <= 13 && u != 11) {
                out += '\\';
                out += kShort[u - 8];
            } else {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", u);
                out += buf;
            }
        } else {
            out += c;
        }
    }
    out += '"';
}

void put_key(std::string& out, const char* key) {
    out += out.back() == '{' ? "\"" : ",\"";
    out += key;
    out += "\":";
}

void put_prefixes(std::string& out, const char* key, const std::vector<Prefix>& v) {
    put_key(out, key);
    out += '[';
    for (size_t i = 0; i < v.size(); ++i) {
        if (i) out += ',';
        put_string(out, v[i].str());
    }
    out += ']';
}

}  // namespace

std::string record_json_text(const TapRecord& r) {
    // The keys in nlohmann's order (sorted), so that the text is what its JSON value dumps.
    std::string out;
    out.reserve(512);
    out += '{';
    put_prefixes(out, "addresses", r.addresses);
    put_key(out, "ifindex");
    out += std::to_string(r.ifindex);
    if (r.veth) {
        put_key(out, "kind");
        put_string(out, "veth");
    }
    put_key(out, "lease");
    put_string(out, r.lease);
    put_key(out, "mac");
    put_string(out, r.mac);
    put_key(out, "masquerade");
    out += r.masquerade ? "true" : "false";
    put_key(out, "mtu");
    out += std::to_string(r.mtu);
    put_key(out, "multi_queue");
    out += r.multi_queue ? "true" : "false";
    put_key(out, "name");
    put_string(out, r.name);
    put_key(out, "owner");
    out += std::to_string(r.owner);
    put_key(out, "owner_access");
    out += r.owner_access ? "true" : "false";
    if (r.veth) {
        put_prefixes(out, "peer_addresses", r.peer_addresses);
        put_key(out, "peer_name");
        put_string(out, r.peer_name);
    }
    put_key(out, "persistent");
    out += r.persistent ? "true" : "false";
    put_prefixes(out, "routes", r.routes);
    put_key(out, "vnet_hdr");
    out += r.vnet_hdr ? "true" : "false";
    out += '}';
    return out;
}

Result<TapRecord> record_from_json(const json& t) {
    try {
        TapRecord r;
        r.name = t.at("name").get<std::string>();
        r.ifindex = t.at("ifindex").get<int>();
        r.owner = t.at("owner").get<uid_t>();
        for (const auto& a : t.at("addresses")) {
            auto p = parse_interface_address(a.get<std::string>());
            if (!p) return p.error();
            r.addresses.push_back(p.value());
        }
        for (const auto& a : t.at("routes")) {
            auto p = parse_network(a.get<std::string>());
            if (!p) return p.error();
            r.routes.push_back(p.value());
        }
        r.masquerade = t.at("masquerade").get<bool>();
        r.persistent = t.at("persistent").get<bool>();
        r.owner_access = t.value("owner_access", false);
        r.vnet_hdr = t.value("vnet_hdr", false);
        r.multi_queue = t.value("multi_queue", false);
        r.mtu = t.value("mtu", 0u);
        r.mac = t.value("mac", "");
        r.lease = t.value("lease", "");
        std::string kind = t.value("kind", "tap");
        if (kind != "tap" && kind != "veth")
            return make_error(ErrorKind::Failed, "tap record: unknown kind '" + kind + "'");
        r.veth = kind == "veth";
        r.peer_name = t.value("peer_name", "");
        for (const auto& a : t.value("peer_addresses", json::array())) {
            auto p = parse_interface_address(a.get<std::string>());
            if (!p) return p.error();
            r.peer_addresses.push_back(p.value());
        }
        return r;
    } catch (const json::exception& e) {
        return make_error(ErrorKind::Failed, std::string("tap record: ") + e.what());
    }
}

json to_json(const TapRecord& r) {
    return json::parse(record_json_text(r));
}

std::string state_json_text(const State& s) {
    // The keys sorted, as in record_json_text; a record per line.
    std::string out = "{";
    if (s.saved_ip_forward)
        out += "\"saved_ip_forward\":" + std::to_string(*s.saved_ip_forward) + ",";
    out += "\"taps\":[";
    for (size_t i = 0; i < s.taps.size(); ++i) {
        out += i ? ",\n" : "\n";
        out += record_json_text(s.taps[i]);
    }
    out += "\n],\"version\":1}\n";
    return out;
}

json to_json(const State& s) {
    return json::parse(state_json_text(s));
}

Result<State> state_from_json(const json& j) {
    try {
        State s;
        if (j.value("version", 0) != 1)
            return make_error(ErrorKind::Failed, "state file: unsupported version");
        for (const auto& t : j.at("taps")) {
            auto r = record_from_json(t);
            if (!r) return make_error(r.error().kind, "state file: " + r.error().message);
            s.taps.push_back(std::move(r.value()));
        }
        if (j.contains("saved_ip_forward")) s.saved_ip_forward = j["saved_ip_forward"].get<int>();
        return s;
    } catch (const json::exception& e) {
        return make_error(ErrorKind::Failed, std::string("state file: ") + e.what());
    }
}

}  // namespace tapd
