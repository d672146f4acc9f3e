// nf_tables JSON for tapd's table "inet tapd": sets masq4, taps and rawallow, chains postrouting,
// forward, guard4, rawout and rawpost. Schema: libnftables-json(5) as of nftables 1.0.6.
#include "nft_batches.hpp"

#include <map>
#include <set>

namespace tapd::nft {

using nlohmann::json;

static json base() {
    return json{{"family", kFamily}, {"table", kTable}};
}

static json named(const char* name) {
    json j = base();
    j["name"] = name;
    return j;
}

static json rule(const char* chain, json expr) {
    json r = base();
    r["chain"] = chain;
    r["expr"] = std::move(expr);
    return json{{"add", {{"rule", r}}}};
}

static json prefix_elem(const Prefix& p) {
    return json{{"prefix", {{"addr", p.address.str()}, {"len", p.length}}}};
}

static json guard_rules() {
    json out = json::array();
    // Replies to connections the taps opened come back in.
    out.push_back(rule("guard4", json::array({
                                     {{"match",
                                       {{"op", "in"},
                                        {"left", {{"ct", {{"key", "state"}}}}},
                                        {"right", json::array({"established", "related"})}}}},
                                     {{"accept", nullptr}},
                                 })));
    out.push_back(
        rule("guard4",
             json::array({
                 {{"match",
                   {{"op", "=="}, {"left", {{"meta", {{"key", "iifname"}}}}}, {"right", "@taps"}}}},
                 {{"accept", nullptr}},
             })));
    out.push_back(rule("guard4", json::array({{{"drop", nullptr}}})));
    return out;
}

static json raw_elem(const RawEntry& e) {
    return json{{"concat", json::array({e.mark, e.ifname})}};
}

// Drops a packet of a tapd raw socket (mark in tapd's range) unless the pair (mark, output
// interface) is in rawallow. The same rule runs in two hooks: output drops early, so the sender
// sees EPERM; postrouting sees the final output interface, after any rerouting in between
// (another table's "type route" chain or an output DNAT makes the kernel route again).
static json raw_rule(const char* chain) {
    json meta_mark = {{"meta", {{"key", "mark"}}}};
    return rule(
        chain,
        json::array({
            {{"match",
              {{"op", "=="},
               {"left", {{"&", json::array({meta_mark, kRawMarkMask})}}},
               {"right", kRawMarkTag}}}},
            {{"match",
              {{"op", "!="},
               {"left", {{"concat", json::array({meta_mark, {{"meta", {{"key", "oifname"}}}}})}}},
               {"right", "@rawallow"}}}},
            {{"counter", nullptr}},
            {{"drop", nullptr}},
        }));
}

json table_batch(const TableState& state) {
    json cmds = json::array();
    json table = {{"family", kFamily}, {"name", kTable}};
    cmds.push_back({{"add", {{"table", table}}}});
    cmds.push_back({{"delete", {{"table", table}}}});
    cmds.push_back({{"add", {{"table", table}}}});

    json masq4 = named("masq4");
    masq4["type"] = "ipv4_addr";
    masq4["flags"] = json::array({"interval"});
    cmds.push_back({{"add", {{"set", masq4}}}});
    json taps = named("taps");
    taps["type"] = "ifname";
    cmds.push_back({{"add", {{"set", taps}}}});
    json rawallow = named("rawallow");
    rawallow["type"] = json::array({"mark", "ifname"});
    cmds.push_back({{"add", {{"set", rawallow}}}});

    json post = named("postrouting");
    post.update({{"type", "nat"}, {"hook", "postrouting"}, {"prio", 100}, {"policy", "accept"}});
    cmds.push_back({{"add", {{"chain", post}}}});
    json fwd = named("forward");
    fwd.update({{"type", "filter"}, {"hook", "forward"}, {"prio", 0}, {"policy", "accept"}});
    cmds.push_back({{"add", {{"chain", fwd}}}});
    cmds.push_back({{"add", {{"chain", named("guard4")}}}});
    // The guard is switched by one map element (ipv4 : jump guard4), not by adding and flushing
    // rules: an element is the cheapest change nf_tables makes, and the rules never change.
    json mode = named("guardmode");
    mode["type"] = "nf_proto";
    mode["map"] = "verdict";
    cmds.push_back({{"add", {{"map", mode}}}});
    // Priority 0 in output: after mangle's "type route" chains and the output DNAT, which may
    // reroute; 300 in postrouting: after source NAT, the last word before the device.
    json rawout = named("rawout");
    rawout.update({{"type", "filter"}, {"hook", "output"}, {"prio", 0}, {"policy", "accept"}});
    cmds.push_back({{"add", {{"chain", rawout}}}});
    json rawpost = named("rawpost");
    rawpost.update(
        {{"type", "filter"}, {"hook", "postrouting"}, {"prio", 300}, {"policy", "accept"}});
    cmds.push_back({{"add", {{"chain", rawpost}}}});

    // The seed's "iptables -t nat -A POSTROUTING -s 192.168.69.0/24 -j MASQUERADE", for every
    // masqueraded subnet at once through the set.
    cmds.push_back(rule("postrouting",
                        json::array({
                            {{"match",
                              {{"op", "=="},
                               {"left", {{"payload", {{"protocol", "ip"}, {"field", "saddr"}}}}},
                               {"right", "@masq4"}}}},
                            {{"masquerade", nullptr}},
                        })));
    // IPv6 forwarding is not tapd's to police: only IPv4 can enter the guard (the map's one
    // possible element is ipv4).
    cmds.push_back(
        rule("forward",
             json::array({
                 {{"vmap", {{"key", {{"meta", {{"key", "nfproto"}}}}}, {"data", "@guardmode"}}}},
             })));
    for (auto& c : guard_rules()) cmds.push_back(c);
    // Every set's elements in one command: libnftables evaluates each command against the
    // interval set's elements so far, and 2,000 commands for 1,000 taps cost it ~100 ms where
    // two cost ~10.
    json subnets = json::array(), ifnames = json::array();
    for (const auto& e : state.entries) {
        for (const auto& p : e.subnets) subnets.push_back(prefix_elem(p));
        ifnames.push_back(e.ifname);
    }
    if (!subnets.empty()) {
        json el = named("masq4");
        el["elem"] = std::move(subnets);
        cmds.push_back({{"add", {{"element", el}}}});
    }
    if (!ifnames.empty()) {
        json el = named("taps");
        el["elem"] = std::move(ifnames);
        cmds.push_back({{"add", {{"element", el}}}});
    }
    if (state.guard) {
        json on = guard_batch(true);
        for (auto& c : on["nftables"]) cmds.push_back(c);
    }
    cmds.push_back(raw_rule("rawout"));
    cmds.push_back(raw_rule("rawpost"));
    if (!state.raw.empty()) {
        json elems = json::array();
        for (const auto& e : state.raw) elems.push_back(raw_elem(e));
        json el = named("rawallow");
        el["elem"] = elems;
        cmds.push_back({{"add", {{"element", el}}}});
    }
    return json{{"nftables", cmds}};
}

json raw_batch(bool add, const RawEntry& entry) {
    json el = named("rawallow");
    el["elem"] = json::array({raw_elem(entry)});
    return json{{"nftables", json::array({json{{add ? "add" : "delete", {{"element", el}}}}})}};
}

json masquerade_batch(bool add, const MasqueradeEntry& entry) {
    const char* verb = add ? "add" : "delete";
    json cmds = json::array();
    if (!entry.subnets.empty()) {
        json elems = json::array();
        for (const auto& p : entry.subnets) elems.push_back(prefix_elem(p));
        json el = named("masq4");
        el["elem"] = elems;
        cmds.push_back({{verb, {{"element", el}}}});
    }
    json el = named("taps");
    el["elem"] = json::array({entry.ifname});
    cmds.push_back({{verb, {{"element", el}}}});
    return json{{"nftables", cmds}};
}

json guard_batch(bool on) {
    json el = named("guardmode");
    el["elem"] = json::array({json::array({"ipv4", {{"jump", {{"target", "guard4"}}}}})});
    return json{{"nftables", json::array({json{{on ? "add" : "delete", {{"element", el}}}}})}};
}

json join(std::initializer_list<json> batches) {
    json cmds = json::array();
    for (const auto& b : batches)
        for (const auto& c : b["nftables"]) cmds.push_back(c);
    return json{{"nftables", cmds}};
}

// Text of one set element as nft lists it: "tap0", "192.168.69.0/24", or a single address.
static std::string element_text(const json& e) {
    if (e.is_string()) return e.get<std::string>();
    if (e.is_object() && e.contains("prefix"))
        return e["prefix"].value("addr", "") + "/" + std::to_string(e["prefix"].value("len", 0));
    if (e.is_object() && e.contains("elem")) return element_text(e["elem"]["val"]);
    if (e.is_object() && e.contains("concat") && e["concat"].is_array()) {
        std::string out;
        for (const auto& part : e["concat"])
            out += (out.empty() ? "" : " . ") +
                   (part.is_number() ? std::to_string(part.get<uint64_t>()) : element_text(part));
        return out;
    }
    return e.dump();
}

bool table_matches(const json& listed, const TableState& expected, std::string* why) {
    auto fail = [&](std::string reason) {
        if (why) *why = std::move(reason);
        return false;
    };
    if (!listed.is_object() || !listed.contains("nftables") || !listed["nftables"].is_array())
        return fail("table inet tapd is missing");
    std::multiset<std::string> want_masq, want_taps, want_raw, have_masq, have_taps, have_raw;
    for (const auto& e : expected.raw) want_raw.insert(element_text(raw_elem(e)));
    for (const auto& e : expected.entries) {
        want_taps.insert(e.ifname);
        for (const auto& p : e.subnets)
            want_masq.insert(p.length == 32 ? p.address.str() : p.str());
    }
    std::map<std::string, size_t> rules;
    bool seen_table = false, seen_masq = false, seen_taps = false, seen_raw = false;
    bool seen_mode = false;
    size_t mode_elems = 0;
    for (const auto& item : listed["nftables"]) {
        if (item.contains("table")) seen_table = true;
        if (item.contains("set")) {
            const auto& set = item["set"];
            std::string name = set.value("name", "");
            auto* into = name == "masq4"      ? &have_masq
                         : name == "taps"     ? &have_taps
                         : name == "rawallow" ? &have_raw
                                              : nullptr;
            if (!into) continue;
            (name == "masq4" ? seen_masq : name == "taps" ? seen_taps : seen_raw) = true;
            if (set.contains("elem"))
                for (const auto& e : set["elem"]) into->insert(element_text(e));
        }
        if (item.contains("rule")) ++rules[item["rule"].value("chain", "")];
        if (item.contains("map") && item["map"].value("name", "") == "guardmode") {
            seen_mode = true;
            if (item["map"].contains("elem")) mode_elems = item["map"]["elem"].size();
        }
    }
    if (!seen_table) return fail("table inet tapd is missing");
    if (!seen_masq || !seen_taps || !seen_raw) return fail("a set of table inet tapd is missing");
    if (have_masq != want_masq) return fail("set masq4 differs from tapd's records");
    if (have_taps != want_taps) return fail("set taps differs from tapd's records");
    if (have_raw != want_raw) return fail("set rawallow differs from tapd's records");
    if (rules["postrouting"] != 1) return fail("chain postrouting does not hold its one rule");
    if (rules["forward"] != 1) return fail("chain forward does not hold its one rule");
    if (rules["guard4"] != 3) return fail("chain guard4 differs");
    if (!seen_mode) return fail("map guardmode is missing");
    if (mode_elems != (expected.guard ? 1u : 0u))
        return fail("the forward guard is switched wrongly");
    if (rules["rawout"] != 1 || rules["rawpost"] != 1)
        return fail("chain rawout or rawpost does not hold its one rule");
    return true;
}

}  // namespace tapd::nft
