// The foreign forward rule analyser on rulesets as `nft -j list ruleset` prints them.
#include <gtest/gtest.h>

#include "foreign_rules.hpp"

namespace tapd::nft {
namespace {

using json = nlohmann::json;

TapTraffic tap0() {
    return TapTraffic{"tap0", {parse_network("192.168.69.0/24").value()}, "uplink"};
}

// A ruleset of one table FAMILY NAME with CHAINS (objects without family/table) and RULES
// ({chain, expr}), as nft lists it.
json ruleset(const std::string& family, const std::string& name, json chains, json rules) {
    json items = json::array({{{"metainfo", {{"json_schema_version", 1}}}},
                              {{"table", {{"family", family}, {"name", name}, {"handle", 1}}}}});
    for (auto c : chains) {
        c["family"] = family;
        c["table"] = name;
        items.push_back({{"chain", c}});
    }
    int handle = 10;
    for (auto r : rules) {
        r["family"] = family;
        r["table"] = name;
        r["handle"] = handle++;
        items.push_back({{"rule", r}});
    }
    return {{"nftables", items}};
}

json base(const std::string& name, const std::string& policy, const std::string& hook = "forward") {
    return {{"name", name}, {"type", "filter"}, {"hook", hook}, {"prio", 0}, {"policy", policy}};
}

json match(const std::string& op, json left, json right) {
    return {{"match", {{"op", op}, {"left", left}, {"right", right}}}};
}
json meta(const std::string& key) {
    return {{"meta", {{"key", key}}}};
}
json ip(const std::string& field) {
    return {{"payload", {{"protocol", "ip"}, {"field", field}}}};
}
json prefix(const std::string& addr, int len) {
    return {{"prefix", {{"addr", addr}, {"len", len}}}};
}
const json kDrop = {{"drop", nullptr}};
const json kAccept = {{"accept", nullptr}};
const json kCounter = {{"counter", {{"packets", 0}, {"bytes", 0}}}};

TEST(ForeignRules, ForwardChainWithPolicyDropDropsBothDirections) {
    json rs = ruleset("inet", "foreign", json::array({base("fwd", "drop")}), json::array());
    ForwardRuleset index(rs, "inet", "tapd");
    auto drops = index.drops(tap0());
    ASSERT_EQ(drops.size(), 1u);
    EXPECT_EQ(drops[0].table, "foreign");
    EXPECT_EQ(drops[0].chain, "fwd");
    EXPECT_TRUE(drops[0].certain);
    EXPECT_EQ(drops[0].culprit, "policy drop");
    EXPECT_EQ(drops[0].directions, "outgoing and replies");
    EXPECT_EQ(describe(drops[0], "tap0"),
              "table inet foreign chain fwd (hook forward) drops tap0's outgoing and replies "
              "traffic: policy drop");
    EXPECT_EQ(fix_for(drops[0], "tap0", "uplink"),
              "nft insert rule inet foreign fwd iifname tap0 accept; nft insert rule inet foreign "
              "fwd oifname tap0 ct state established,related accept");
}

TEST(ForeignRules, TapdsOwnTableAndOtherHooksAreLeftOut) {
    json rs = ruleset("inet", "tapd", json::array({base("forward", "drop")}), json::array());
    EXPECT_TRUE(ForwardRuleset(rs, "inet", "tapd").drops(tap0()).empty());
    rs = ruleset("inet", "other", json::array({base("in", "drop", "input")}), json::array());
    EXPECT_TRUE(ForwardRuleset(rs, "inet", "tapd").drops(tap0()).empty());
    rs = ruleset("ip6", "other", json::array({base("fwd", "drop")}), json::array());
    EXPECT_TRUE(ForwardRuleset(rs, "inet", "tapd").drops(tap0()).empty());
}

TEST(ForeignRules, AcceptsForTheTapAheadOfThePolicyPassIt) {
    json rs = ruleset(
        "inet", "foreign", json::array({base("fwd", "drop")}),
        json::array(
            {{{"chain", "fwd"}, {"expr", {match("==", meta("iifname"), "tap0"), kAccept}}},
             {{"chain", "fwd"},
              {"expr",
               {match("in", {{"ct", {{"key", "state"}}}}, json::array({"established", "related"})),
                kAccept}}}}));
    EXPECT_TRUE(ForwardRuleset(rs, "inet", "tapd").drops(tap0()).empty());
    // Another tap's accept does not help tap0.
    auto drops = ForwardRuleset(rs, "inet", "tapd").drops(TapTraffic{"tap1", {}, "uplink"});
    ASSERT_EQ(drops.size(), 1u);
    EXPECT_EQ(drops[0].directions, "outgoing");
    EXPECT_TRUE(drops[0].certain);
}

TEST(ForeignRules, DropRulesCountOnlyWhenTheirMatchesCanHoldForTheTap) {
    auto one_rule = [](json expr) {
        return ruleset("inet", "f", json::array({base("fwd", "accept")}),
                       json::array({{{"chain", "fwd"}, {"expr", expr}}}));
    };
    auto drops_of = [](const json& rs) { return ForwardRuleset(rs, "inet", "tapd").drops(tap0()); };
    // No match at all: everything is dropped.
    auto d = drops_of(one_rule({kCounter, kDrop}));
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(d[0].certain);
    EXPECT_EQ(d[0].culprit, "rule handle 10 (drop) in chain fwd");
    // Another interface, another network, IPv6 only, invalid packets: never the tap's.
    EXPECT_TRUE(drops_of(one_rule({match("==", meta("iifname"), "docker0"), kDrop})).empty());
    EXPECT_TRUE(drops_of(one_rule({match("==", ip("saddr"), prefix("10.0.0.0", 8)),
                                   match("==", ip("daddr"), prefix("10.0.0.0", 8)), kDrop}))
                    .empty());
    EXPECT_TRUE(
        drops_of(one_rule({match("==", {{"payload", {{"protocol", "ip6"}, {"field", "saddr"}}}},
                                 prefix("fdaa::", 64)),
                           kDrop}))
            .empty());
    EXPECT_TRUE(
        drops_of(one_rule({match("in", {{"ct", {{"key", "state"}}}}, "invalid"), kDrop})).empty());
    // The tap's own name, its network, a wildcard covering it: dropped for sure.
    d = drops_of(one_rule({match("==", meta("iifname"), "tap*"), kDrop}));
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(d[0].certain);
    EXPECT_EQ(d[0].directions, "outgoing");
    d = drops_of(one_rule({match("==", ip("saddr"), prefix("192.168.0.0", 16)), kDrop}));
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(d[0].certain);
    // iifname != the tap: only the replies (in on the uplink).
    d = drops_of(one_rule({match("!=", meta("iifname"), "tap0"), kDrop}));
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].directions, "replies");
    // A port or an xt match cannot be decided: "may drop".
    d = drops_of(one_rule(
        {match("==", {{"payload", {{"protocol", "udp"}, {"field", "dport"}}}}, 53), kDrop}));
    ASSERT_EQ(d.size(), 1u);
    EXPECT_FALSE(d[0].certain);
    EXPECT_NE(describe(d[0], "tap0").find("may drop"), std::string::npos);
}

TEST(ForeignRules, DockerForwardPolicyDropThroughDockerUserIsNamedWithItsFix) {
    // iptables-nft as Docker 20.10 leaves it (nft -j list ruleset of the commands in
    // doctor_test.cpp, abridged).
    json rs = json::parse(R"({"nftables": [
      {"table": {"family": "ip", "name": "filter", "handle": 1}},
      {"chain": {"family": "ip", "table": "filter", "name": "DOCKER-USER", "handle": 1}},
      {"chain": {"family": "ip", "table": "filter", "name": "FORWARD", "handle": 2, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}},
      {"chain": {"family": "ip", "table": "filter", "name": "DOCKER", "handle": 4}},
      {"rule": {"family": "ip", "table": "filter", "chain": "DOCKER-USER", "handle": 5, "expr": [{"counter": {"packets": 0, "bytes": 0}}, {"return": null}]}},
      {"rule": {"family": "ip", "table": "filter", "chain": "FORWARD", "handle": 3, "expr": [{"counter": {"packets": 0, "bytes": 0}}, {"jump": {"target": "DOCKER-USER"}}]}},
      {"rule": {"family": "ip", "table": "filter", "chain": "FORWARD", "handle": 6, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "docker0"}}, {"xt": {"type": "match", "name": "conntrack"}}, {"counter": {"packets": 0, "bytes": 0}}, {"accept": null}]}},
      {"rule": {"family": "ip", "table": "filter", "chain": "FORWARD", "handle": 7, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "docker0"}}, {"counter": {"packets": 0, "bytes": 0}}, {"jump": {"target": "DOCKER"}}]}},
      {"rule": {"family": "ip", "table": "filter", "chain": "FORWARD", "handle": 8, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "docker0"}}, {"match": {"op": "!=", "left": {"meta": {"key": "oifname"}}, "right": "docker0"}}, {"counter": {"packets": 0, "bytes": 0}}, {"accept": null}]}}
    ]})");
    ForwardRuleset index(rs, "inet", "tapd");
    auto d = index.drops(tap0());
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(d[0].certain);
    EXPECT_TRUE(d[0].docker_user);
    EXPECT_EQ(d[0].culprit, "policy drop");
    EXPECT_EQ(fix_for(d[0], "tap0", "uplink"),
              "iptables -I DOCKER-USER -i tap0 -j ACCEPT; iptables -I DOCKER-USER -o tap0 -m "
              "conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
    // The admin's accepts in DOCKER-USER let it through.
    rs["nftables"].push_back(json::parse(
        R"({"rule": {"family": "ip", "table": "filter", "chain": "DOCKER-USER", "handle": 20, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "tap0"}}, {"accept": null}]}})"));
    rs["nftables"].push_back(json::parse(
        R"({"rule": {"family": "ip", "table": "filter", "chain": "DOCKER-USER", "handle": 21, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "tap0"}}, {"xt": {"type": "match", "name": "conntrack"}}, {"accept": null}]}})"));
    // Appended after the RETURN they would not count: put them first, as iptables -I does.
    auto& items = rs["nftables"];
    std::rotate(items.begin() + 4, items.end() - 2, items.end());
    d = ForwardRuleset(rs, "inet", "tapd").drops(tap0());
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].directions, "replies");  // the conntrack xt match is a "may"
    EXPECT_FALSE(d[0].certain);
    // tapd's own rules (the Docker integration, comment "tapd:TAP") are what tapd wrote: their
    // conntrack match is --ctstate RELATED,ESTABLISHED, and the replies pass for sure.
    items[4]["rule"]["comment"] = "tapd:tap0";
    items[5]["rule"]["comment"] = "tapd:tap0";
    d = ForwardRuleset(rs, "inet", "tapd").drops(tap0());
    EXPECT_TRUE(d.empty()) << describe(d[0], "tap0") << rs.dump();
    // Another tap's rules are not tap0's.
    items[4]["rule"]["comment"] = "tapd:tap1";
    items[5]["rule"]["comment"] = "tapd:tap1";
    EXPECT_EQ(ForwardRuleset(rs, "inet", "tapd").drops(tap0()).size(), 1u);
}

TEST(ForeignRules, FirewalldFinalRejectAfterZoneDispatchIsFound) {
    // firewalld 1.3's filter_FORWARD (nftables backend), zones dispatched by a verdict map.
    json rs = ruleset(
        "inet", "firewalld",
        json::array({base("filter_FORWARD", "accept"),
                     {{"name", "filter_FORWARD_IN_ZONES"}},
                     {{"name", "filter_FWD_public"}}}),
        json::array(
            {{{"chain", "filter_FORWARD"},
              {"expr",
               {match("in", {{"ct", {{"key", "state"}}}}, json::array({"established", "related"})),
                kAccept}}},
             {{"chain", "filter_FORWARD"},
              {"expr", {match("in", {{"ct", {{"key", "status"}}}}, "dnat"), kAccept}}},
             {{"chain", "filter_FORWARD"}, {"expr", {match("==", meta("iifname"), "lo"), kAccept}}},
             {{"chain", "filter_FORWARD"},
              {"expr", {{{"jump", {{"target", "filter_FORWARD_IN_ZONES"}}}}}}},
             {{"chain", "filter_FORWARD"},
              {"expr", {{{"reject", {{"type", "icmpx"}, {"expr", "admin-prohibited"}}}}}}},
             {{"chain", "filter_FORWARD_IN_ZONES"},
              {"expr",
               {{{"vmap",
                  {{"key", meta("iifname")},
                   {"data",
                    {{"set",
                      json::array({json::array(
                          {"eth0", {{"goto", {{"target", "filter_FWD_public"}}}}})})}}}}}}}}},
             {{"chain", "filter_FWD_public"},
              {"expr", {match("==", meta("l4proto"), "icmp"), kAccept}}}}));
    auto d = ForwardRuleset(rs, "inet", "tapd").drops(tap0());
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(d[0].certain);
    EXPECT_TRUE(d[0].firewalld);
    EXPECT_EQ(d[0].directions, "outgoing");
    EXPECT_EQ(d[0].culprit, "rule handle 14 (reject) in chain filter_FORWARD");
    EXPECT_EQ(fix_for(d[0], "tap0", "uplink"), "firewall-cmd --zone=trusted --add-interface=tap0");
    // The tap in a zone that accepts everything: passes.
    rs["nftables"][10]["rule"]["expr"][0]["vmap"]["data"]["set"].push_back(
        json::array({"tap0", kAccept}));
    EXPECT_TRUE(ForwardRuleset(rs, "inet", "tapd").drops(tap0()).empty());
}

TEST(ForeignRules, LibvirtRejectsInAJumpedChainAreNamed) {
    // libvirt's iptables rules: FORWARD jumps LIBVIRT_FWI, which rejects what goes to its bridge
    // and is not established... and, in older versions, everything else into its bridges.
    json rs = ruleset(
        "ip", "filter", json::array({base("FORWARD", "accept"), {{"name", "LIBVIRT_FWI"}}}),
        json::array({{{"chain", "FORWARD"}, {"expr", {{{"jump", {{"target", "LIBVIRT_FWI"}}}}}}},
                     {{"chain", "LIBVIRT_FWI"},
                      {"expr",
                       {match("==", meta("oifname"), "virbr0"),
                        {{"xt", {{"type", "target"}, {"name", "REJECT"}}}}}}},
                     {{"chain", "LIBVIRT_FWI"},
                      {"expr", {{{"xt", {{"type", "target"}, {"name", "REJECT"}}}}}}}}));
    auto d = ForwardRuleset(rs, "inet", "tapd").drops(tap0());
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(d[0].certain);
    EXPECT_TRUE(d[0].iptables);
    EXPECT_EQ(d[0].culprit, "rule handle 12 (reject) in chain LIBVIRT_FWI");
    EXPECT_EQ(fix_for(d[0], "tap0", "uplink"),
              "iptables -I FORWARD -i tap0 -j ACCEPT; iptables -I FORWARD -o tap0 -m conntrack "
              "--ctstate RELATED,ESTABLISHED -j ACCEPT");
}

TEST(ForeignRules, UfwsDefaultForwardDropIsNamedWithUfwsCommand) {
    json rs = ruleset(
        "ip", "filter", json::array({base("FORWARD", "drop"), {{"name", "ufw-before-forward"}}}),
        json::array(
            {{{"chain", "FORWARD"}, {"expr", {{{"jump", {{"target", "ufw-before-forward"}}}}}}}}));
    auto d = ForwardRuleset(rs, "inet", "tapd").drops(tap0());
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(d[0].ufw);
    EXPECT_EQ(fix_for(d[0], "tap0", "eth0"), "ufw route allow in on tap0 out on eth0");
}

TEST(ForeignRules, MalformedAndUnknownInputIsNeverFatal) {
    for (
        const char* text :
        {"{}", "[]", R"({"nftables": 3})", R"({"nftables": [1, "x", {"rule": 2}]})",
         R"({"nftables": [{"chain": {"family": "inet", "table": "t", "name": "c", "hook": "forward", "type": "filter"}},
                           {"rule": {"family": "inet", "table": "t", "chain": "c", "expr": [{"jump": {"target": "nowhere"}}, 5, {}]}}]})"}) {
        ForwardRuleset index(json::parse(text), "inet", "tapd");
        (void)index.drops(tap0());
    }
    // A jump to a chain that is not there: "may drop", named.
    auto d =
        ForwardRuleset(
            json::parse(
                R"({"nftables": [{"chain": {"family": "inet", "table": "t", "name": "c", "hook": "forward", "type": "filter", "policy": "accept"}},
        {"rule": {"family": "inet", "table": "t", "chain": "c", "expr": [{"jump": {"target": "nowhere"}}]}}]})"),
            "inet", "tapd")
            .drops(tap0());
    ASSERT_EQ(d.size(), 1u);
    EXPECT_FALSE(d[0].certain);
}

}  // namespace
}  // namespace tapd::nft
