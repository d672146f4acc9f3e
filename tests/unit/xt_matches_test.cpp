// iptables' state matches decoded from their xtables info, and put into a listing as nft matches.
#include <netinet/in.h>

#include <gtest/gtest.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_state.h>

#include "foreign_rules.hpp"
#include "xt_matches.hpp"

namespace tapd::xt {
namespace {

using json = nlohmann::json;
using States = std::vector<std::string>;

// "-m conntrack --ctstate RELATED,ESTABLISHED" as iptables 1.8.9 writes it (revision 3).
xt_conntrack_mtinfo3 related_established() {
    xt_conntrack_mtinfo3 i{};
    i.match_flags = XT_CONNTRACK_STATE;
    i.state_mask =
        XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED) | XT_CONNTRACK_STATE_BIT(IP_CT_RELATED);
    return i;
}

TEST(XtMatches, ConntrackStateMatchesGiveTheirStates) {
    auto i = related_established();
    EXPECT_EQ(match_states("conntrack", 3, &i, sizeof i), (States{"established", "related"}));
    i.match_flags |= XT_CONNTRACK_STATE_ALIAS;  // "-m state" translated by iptables
    EXPECT_EQ(match_states("conntrack", 3, &i, sizeof i), (States{"established", "related"}));
    xt_conntrack_mtinfo1 one{};
    one.match_flags = XT_CONNTRACK_STATE;
    one.state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_NEW) | XT_CONNTRACK_STATE_INVALID;
    EXPECT_EQ(match_states("conntrack", 1, &one, sizeof one), (States{"invalid", "new"}));
    xt_state_info s{XT_STATE_BIT(IP_CT_ESTABLISHED) | XT_STATE_UNTRACKED};
    EXPECT_EQ(match_states("state", 0, &s, sizeof s), (States{"established", "untracked"}));
}

TEST(XtMatches, AnythingButAPlainStateMatchStaysUnknown) {
    auto i = related_established();
    i.invert_flags = XT_CONNTRACK_STATE;  // "! --ctstate"
    EXPECT_FALSE(match_states("conntrack", 3, &i, sizeof i));
    i = related_established();
    i.match_flags |= XT_CONNTRACK_PROTO;  // the state and more
    EXPECT_FALSE(match_states("conntrack", 3, &i, sizeof i));
    i = related_established();
    i.state_mask |= XT_CONNTRACK_STATE_SNAT;  // a pseudo-state nft's ct state has not
    EXPECT_FALSE(match_states("conntrack", 3, &i, sizeof i));
    i = related_established();
    EXPECT_FALSE(match_states("conntrack", 3, &i, sizeof i - 1));  // short
    EXPECT_FALSE(match_states("conntrack", 9, &i, sizeof i));      // unknown revision
    EXPECT_FALSE(match_states("limit", 0, &i, sizeof i));
}

// ufw's forward rules as `nft -j` lists them: the conntrack accept in ufw-before-forward, a route
// rule for the tap, FORWARD's policy drop.
json ufw_ruleset() {
    return json::parse(R"({"nftables": [
      {"chain": {"family": "ip", "table": "filter", "name": "FORWARD", "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}},
      {"chain": {"family": "ip", "table": "filter", "name": "ufw-before-forward"}},
      {"chain": {"family": "ip", "table": "filter", "name": "ufw-user-forward"}},
      {"rule": {"family": "ip", "table": "filter", "chain": "FORWARD", "handle": 7, "expr": [{"counter": null}, {"jump": {"target": "ufw-before-forward"}}]}},
      {"rule": {"family": "ip", "table": "filter", "chain": "ufw-before-forward", "handle": 8, "expr": [{"xt": {"type": "match", "name": "conntrack"}}, {"counter": null}, {"accept": null}]}},
      {"rule": {"family": "ip", "table": "filter", "chain": "ufw-before-forward", "handle": 9, "expr": [{"counter": null}, {"jump": {"target": "ufw-user-forward"}}]}},
      {"rule": {"family": "ip", "table": "filter", "chain": "ufw-user-forward", "handle": 10, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "tap0"}}, {"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "uplink"}}, {"counter": null}, {"accept": null}]}}
    ]})");
}

TEST(XtMatches, AnnotatedListingLetsTheForeignRuleCheckReadIptablesConntrack) {
    nft::TapTraffic tap0{"tap0", {parse_network("192.168.69.0/24").value()}, "uplink"};
    json rs = ufw_ruleset();
    auto d = nft::ForwardRuleset(rs, "inet", "tapd").drops(tap0);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].directions, "replies");  // unread: a "may"
    EXPECT_FALSE(d[0].certain);
    RuleMatches m;
    m[{"filter", 8}] = {States{"established", "related"}};
    m[{"other", 8}] = {States{"new"}};  // another table's rule of the same handle: not this one
    annotate(rs, m);
    EXPECT_EQ(rs["nftables"][4]["rule"]["expr"][0],
              json::parse(R"({"match": {"op": "in", "left": {"ct": {"key": "state"}},
                                        "right": ["established", "related"]}})"));
    EXPECT_TRUE(nft::ForwardRuleset(rs, "inet", "tapd").drops(tap0).empty());
}

TEST(XtMatches, RulesTheDumpDidNotDecodeStayAsListed) {
    json rs = ufw_ruleset();
    json before = rs;
    annotate(rs, {});
    EXPECT_EQ(rs, before);
    RuleMatches m;
    m[{"filter", 8}] = {std::nullopt};   // not a plain state match
    m[{"filter", 9}] = {States{"new"}};  // no xt match in that rule (it changed meanwhile)
    annotate(rs, m);
    EXPECT_EQ(rs, before);
    json garbage = json::parse(R"({"nftables": [{"rule": {"family": "ip", "handle": "x"}}, 3]})");
    annotate(garbage, m);
}

}  // namespace
}  // namespace tapd::xt
