// nf_tables JSON for tapd's table "inet tapd": sets masq4 and taps, chains postrouting, forward
// and guard4. Schema: libnftables-json(5) as of nftables 1.0.6.
#include "nat_json.hpp"

namespace tapd::nat {

using nlohmann::json;

static json base() { return json{{"family", kFamily}, {"table", kTable}}; }

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
    out.push_back(rule("guard4", json::array({
                                     {{"match",
                                       {{"op", "=="},
                                        {"left", {{"meta", {{"key", "iifname"}}}}},
                                        {"right", "@taps"}}}},
                                     {{"accept", nullptr}},
                                 })));
    out.push_back(rule("guard4", json::array({{{"drop", nullptr}}})));
    return out;
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

    json post = named("postrouting");
    post.update({{"type", "nat"}, {"hook", "postrouting"}, {"prio", 100}, {"policy", "accept"}});
    cmds.push_back({{"add", {{"chain", post}}}});
    json fwd = named("forward");
    fwd.update({{"type", "filter"}, {"hook", "forward"}, {"prio", 0}, {"policy", "accept"}});
    cmds.push_back({{"add", {{"chain", fwd}}}});
    cmds.push_back({{"add", {{"chain", named("guard4")}}}});

    // The seed's "iptables -t nat -A POSTROUTING -s 192.168.69.0/24 -j MASQUERADE", for every
    // masqueraded subnet at once through the set.
    cmds.push_back(rule("postrouting", json::array({
                                           {{"match",
                                             {{"op", "=="},
                                              {"left", {{"payload", {{"protocol", "ip"}, {"field", "saddr"}}}}},
                                              {"right", "@masq4"}}}},
                                           {{"masquerade", nullptr}},
                                       })));
    // IPv6 forwarding is not tapd's to police: only IPv4 enters the guard.
    cmds.push_back(rule("forward", json::array({
                                       {{"match",
                                         {{"op", "=="},
                                          {"left", {{"meta", {{"key", "nfproto"}}}}},
                                          {"right", "ipv4"}}}},
                                       {{"jump", {{"target", "guard4"}}}},
                                   })));
    for (const auto& e : state.entries)
        for (auto& c : masquerade_batch(true, e)["nftables"]) cmds.push_back(c);
    if (state.guard)
        for (auto& c : guard_rules()) cmds.push_back(c);
    return json{{"nftables", cmds}};
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
    json cmds = json::array();
    json chain = named("guard4");
    cmds.push_back({{"flush", {{"chain", chain}}}});
    if (on)
        for (auto& c : guard_rules()) cmds.push_back(c);
    return json{{"nftables", cmds}};
}

json join(std::initializer_list<json> batches) {
    json cmds = json::array();
    for (const auto& b : batches)
        for (const auto& c : b["nftables"]) cmds.push_back(c);
    return json{{"nftables", cmds}};
}

}  // namespace tapd::nat
