// Tests for daemon/firewall/docker_rules: which rules of DOCKER-USER are tapd's, the deletion
// batch, and the rules built for a tap (iptables-nft's own expressions, tapd's comment).
#include "docker_rules.hpp"

#include <gtest/gtest.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include <string>
#include <vector>

namespace tapd {
namespace {

using nlohmann::json;

json rule(const std::string& chain, uint64_t handle, const char* comment) {
    json r = {{"family", "ip"},
              {"table", "filter"},
              {"chain", chain},
              {"handle", handle},
              {"expr", json::array({{{"return", nullptr}}})}};
    if (comment) r["comment"] = comment;
    return {{"rule", r}};
}

TEST(DockerRules, FindsTapdsRulesByTheirCommentOnly) {
    json listed = {
        {"nftables",
         json::array(
             {{{"metainfo", {{"version", "1.0.6"}}}},
              {{"chain",
                {{"family", "ip"}, {"table", "filter"}, {"name", "DOCKER-USER"}, {"handle", 1}}}},
              rule("DOCKER-USER", 7, "tapd:tap0"),
              rule("DOCKER-USER", 8, "tapd:tap0"),
              rule("DOCKER-USER", 9, "tapd:tap1"),
              rule("DOCKER-USER", 10, "admin: keep"),
              rule("DOCKER-USER", 11, nullptr),
              rule("FORWARD", 12, "tapd:tap2")})}};
    auto l = docker::parse_listing(listed);
    EXPECT_TRUE(l.chain);
    ASSERT_EQ(l.handles.size(), 2u);
    EXPECT_EQ(l.handles["tap0"], (std::vector<uint64_t>{7, 8}));
    EXPECT_EQ(l.handles["tap1"], (std::vector<uint64_t>{9}));
}

TEST(DockerRules, SeesNoChainInAnotherTableOrAnEmptyListing) {
    json other = {
        {"nftables",
         json::array(
             {{{"chain", {{"family", "ip"}, {"table", "mangle"}, {"name", "DOCKER-USER"}}}}})}};
    EXPECT_FALSE(docker::parse_listing(other).chain);
    EXPECT_FALSE(docker::parse_listing(json::object()).chain);
}

TEST(DockerRules, DeletesExactlyTheHandlesGiven) {
    auto b = docker::delete_batch({7, 9});
    ASSERT_EQ(b["nftables"].size(), 2u);
    EXPECT_EQ(b["nftables"][1],
              json::parse(R"({"delete": {"rule": {"family": "ip", "table": "filter",
                              "chain": "DOCKER-USER", "handle": 9}}})"));
}

std::vector<std::string> expr_names(nftnl_rule* r) {
    std::vector<std::string> out;
    nftnl_expr_foreach(
        r,
        [](nftnl_expr* e, void* data) {
            static_cast<std::vector<std::string>*>(data)->push_back(
                nftnl_expr_get_str(e, NFTNL_EXPR_NAME));
            return 0;
        },
        &out);
    return out;
}

TEST(DockerRules, BuildsTheReplyRuleFirstWithTheConntrackMatchAndAComment) {
    auto rules = docker::tap_rules("tap0");
    ASSERT_EQ(rules.size(), 2u);
    ASSERT_TRUE(rules[0] && rules[1]);
    EXPECT_EQ(expr_names(rules[0].get()),
              (std::vector<std::string>{"meta", "cmp", "match", "counter", "immediate"}));
    EXPECT_EQ(expr_names(rules[1].get()),
              (std::vector<std::string>{"meta", "cmp", "counter", "immediate"}));
    for (auto& r : rules) {
        EXPECT_STREQ(nftnl_rule_get_str(r.get(), NFTNL_RULE_TABLE), "filter");
        EXPECT_STREQ(nftnl_rule_get_str(r.get(), NFTNL_RULE_CHAIN), "DOCKER-USER");
        uint32_t len = 0;
        auto* udata =
            static_cast<const char*>(nftnl_rule_get_data(r.get(), NFTNL_RULE_USERDATA, &len));
        ASSERT_NE(udata, nullptr);
        EXPECT_NE(std::string(udata, len).find("tapd:tap0"), std::string::npos);
    }
}

}  // namespace
}  // namespace tapd
