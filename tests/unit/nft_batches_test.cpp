// Tests for daemon/nft_batches: the nf_tables JSON batches for libnftables, checked structurally.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "expect.hpp"
#include "nft_batches.hpp"

namespace tapd::nft {
namespace {

using nlohmann::json;

// One command of a batch, taken apart: {VERB: {KIND: OBJ}}.
struct Command {
    std::string verb;
    std::string kind;
    json obj;
};

std::vector<Command> commands(const json& batch) {
    std::vector<Command> out;
    EXPECT_TRUE(batch.is_object());
    EXPECT_EQ(batch.size(), 1u) << batch.dump();
    if (!batch.contains("nftables")) {
        ADD_FAILURE() << "no \"nftables\" array: " << batch.dump();
        return out;
    }
    EXPECT_TRUE(batch["nftables"].is_array());
    for (const auto& c : batch["nftables"]) {
        EXPECT_TRUE(c.is_object() && c.size() == 1) << c.dump();
        if (!c.is_object() || c.empty()) continue;
        auto verb = c.begin();
        EXPECT_TRUE(verb.value().is_object() && verb.value().size() == 1) << c.dump();
        if (!verb.value().is_object() || verb.value().empty()) continue;
        auto kind = verb.value().begin();
        out.push_back({verb.key(), kind.key(), kind.value()});
    }
    return out;
}

// Every command must address table "inet tapd" and nothing else.
void expect_only_tapd_table(const json& batch) {
    for (const auto& c : commands(batch)) {
        EXPECT_NE(c.kind, "ruleset") << c.verb << " ruleset";
        ASSERT_TRUE(c.obj.is_object()) << c.verb << " " << c.kind;
        EXPECT_EQ(c.obj.value("family", ""), "inet")
            << c.verb << " " << c.kind << " " << c.obj.dump();
        if (c.kind == "table") {
            EXPECT_EQ(c.obj.value("name", ""), "tapd") << c.obj.dump();
            EXPECT_FALSE(c.obj.contains("table")) << c.obj.dump();
        } else {
            EXPECT_EQ(c.obj.value("table", ""), "tapd")
                << c.verb << " " << c.kind << " " << c.obj.dump();
        }
    }
}

std::vector<Command> matching(const json& batch, const std::string& verb, const std::string& kind,
                              const std::string& name = "") {
    std::vector<Command> out;
    for (auto& c : commands(batch)) {
        if (c.verb != verb || c.kind != kind) continue;
        if (!name.empty() && c.obj.value("name", "") != name) continue;
        out.push_back(c);
    }
    return out;
}

std::vector<json> rules_of(const json& batch, const std::string& chain) {
    std::vector<json> out;
    for (auto& c : matching(batch, "add", "rule"))
        if (c.obj.value("chain", "") == chain) out.push_back(c.obj.at("expr"));
    return out;
}

// Index of the first command satisfying PRED, or -1.
template <class Pred>
int index_of(const json& batch, Pred pred) {
    auto cmds = commands(batch);
    for (size_t i = 0; i < cmds.size(); ++i)
        if (pred(cmds[i])) return static_cast<int>(i);
    return -1;
}

const json kCtEstablishedAccept = json::array({
    {{"match",
      {{"op", "in"},
       {"left", {{"ct", {{"key", "state"}}}}},
       {"right", json::array({"established", "related"})}}}},
    {{"accept", nullptr}},
});
const json kFromTapsAccept = json::array({
    {{"match", {{"op", "=="}, {"left", {{"meta", {{"key", "iifname"}}}}}, {"right", "@taps"}}}},
    {{"accept", nullptr}},
});
const json kDrop = json::array({{{"drop", nullptr}}});

TableState classic_state(bool guard) {
    TableState s;
    s.entries.push_back({"tap0", {net("192.168.69.0/24")}});
    s.entries.push_back({"tap1", {net("10.7.0.0/16"), net("172.16.5.0/24")}});
    s.guard = guard;
    return s;
}

// table_batch

TEST(TableBatch, TouchesOnlyTableInetTapd) {
    expect_only_tapd_table(table_batch({}));
    expect_only_tapd_table(table_batch(classic_state(false)));
    expect_only_tapd_table(table_batch(classic_state(true)));
}

TEST(TableBatch, NeverFlushesTheRuleset) {
    for (const auto& batch : {table_batch({}), table_batch(classic_state(true))}) {
        for (const auto& c : commands(batch)) {
            EXPECT_NE(c.kind, "ruleset");
            EXPECT_NE(c.verb, "flush") << c.kind;
        }
        EXPECT_EQ(batch.dump().find("ruleset"), std::string::npos);
    }
}

TEST(TableBatch, AddsTheTableBeforeDeletingItThenAddsItAgain) {
    auto cmds = commands(table_batch(classic_state(true)));
    ASSERT_GE(cmds.size(), 3u);
    json table = {{"family", "inet"}, {"name", "tapd"}};
    EXPECT_EQ(cmds[0].verb, "add");
    EXPECT_EQ(cmds[0].kind, "table");
    EXPECT_EQ(cmds[0].obj, table);
    EXPECT_EQ(cmds[1].verb, "delete");
    EXPECT_EQ(cmds[1].kind, "table");
    EXPECT_EQ(cmds[1].obj, table);
    EXPECT_EQ(cmds[2].verb, "add");
    EXPECT_EQ(cmds[2].kind, "table");
    EXPECT_EQ(cmds[2].obj, table);
    int deletes = 0;
    for (const auto& c : cmds) deletes += c.verb == "delete";
    EXPECT_EQ(deletes, 1);
}

TEST(TableBatch, DeclaresMasq4AsAnIntervalSetOfIpv4Addresses) {
    auto sets = matching(table_batch({}), "add", "set", "masq4");
    ASSERT_EQ(sets.size(), 1u);
    EXPECT_EQ(sets[0].obj.at("type"), "ipv4_addr");
    EXPECT_EQ(sets[0].obj.at("flags"), json::array({"interval"}));
}

TEST(TableBatch, DeclaresTapsAsASetOfInterfaceNames) {
    auto sets = matching(table_batch({}), "add", "set", "taps");
    ASSERT_EQ(sets.size(), 1u);
    EXPECT_EQ(sets[0].obj.at("type"), "ifname");
}

TEST(TableBatch, HooksPostroutingAsANatChainAtPriority100) {
    auto chains = matching(table_batch({}), "add", "chain", "postrouting");
    ASSERT_EQ(chains.size(), 1u);
    const auto& c = chains[0].obj;
    EXPECT_EQ(c.at("type"), "nat");
    EXPECT_EQ(c.at("hook"), "postrouting");
    EXPECT_EQ(c.at("prio"), 100);
    EXPECT_EQ(c.at("policy"), "accept");
}

TEST(TableBatch, HooksForwardAsAnAcceptingFilterChain) {
    auto chains = matching(table_batch({}), "add", "chain", "forward");
    ASSERT_EQ(chains.size(), 1u);
    const auto& c = chains[0].obj;
    EXPECT_EQ(c.at("type"), "filter");
    EXPECT_EQ(c.at("hook"), "forward");
    EXPECT_EQ(c.at("prio"), 0);
    EXPECT_EQ(c.at("policy"), "accept");
}

TEST(TableBatch, DeclaresGuard4AsARegularChain) {
    auto chains = matching(table_batch({}), "add", "chain", "guard4");
    ASSERT_EQ(chains.size(), 1u);
    EXPECT_FALSE(chains[0].obj.contains("hook"));
    EXPECT_FALSE(chains[0].obj.contains("type"));
    EXPECT_FALSE(chains[0].obj.contains("policy"));
}

TEST(TableBatch, MasqueradesSourcesInMasq4) {
    auto rules = rules_of(table_batch(classic_state(false)), "postrouting");
    ASSERT_EQ(rules.size(), 1u);
    json want = json::array({
        {{"match",
          {{"op", "=="},
           {"left", {{"payload", {{"protocol", "ip"}, {"field", "saddr"}}}}},
           {"right", "@masq4"}}}},
        {{"masquerade", nullptr}},
    });
    EXPECT_EQ(rules[0], want) << rules[0].dump();
    EXPECT_TRUE(rules[0][1].at("masquerade").is_null());
}

TEST(TableBatch, SendsForwardedTrafficThroughTheGuardModeMapByProtocol) {
    auto rules = rules_of(table_batch(classic_state(true)), "forward");
    ASSERT_EQ(rules.size(), 1u);
    json want = json::array({
        {{"vmap", {{"key", {{"meta", {{"key", "nfproto"}}}}}, {"data", "@guardmode"}}}},
    });
    EXPECT_EQ(rules[0], want) << rules[0].dump();
    // The map holds verdicts keyed by protocol family.
    auto maps = matching(table_batch({}), "add", "map", "guardmode");
    ASSERT_EQ(maps.size(), 1u);
    EXPECT_EQ(maps[0].obj.at("type"), "nf_proto");
    EXPECT_EQ(maps[0].obj.at("map"), "verdict");
}

TEST(TableBatch, AddsEveryEntrysSubnetsAsPrefixElementsInOneCommand) {
    auto batch = table_batch(classic_state(false));
    auto elems = matching(batch, "add", "element", "masq4");
    ASSERT_EQ(elems.size(), 1u);
    EXPECT_EQ(elems[0].obj.at("elem"),
              json::array({{{"prefix", {{"addr", "192.168.69.0"}, {"len", 24}}}},
                           {{"prefix", {{"addr", "10.7.0.0"}, {"len", 16}}}},
                           {{"prefix", {{"addr", "172.16.5.0"}, {"len", 24}}}}}));
    EXPECT_TRUE(elems[0].obj["elem"][0]["prefix"]["len"].is_number_unsigned());
}

TEST(TableBatch, AddsEveryEntrysNameToTapsInOneCommand) {
    auto elems = matching(table_batch(classic_state(false)), "add", "element", "taps");
    ASSERT_EQ(elems.size(), 1u);
    EXPECT_EQ(elems[0].obj.at("elem"), json::array({"tap0", "tap1"}));
}

// The same elements as every entry's masquerade batch (what CreateTap adds), set by set.
TEST(TableBatch, HoldsTheElementsOfEveryEntrysMasqueradeBatch) {
    auto state = classic_state(false);
    std::map<std::string, json> want, got;
    for (const auto& e : state.entries) {
        auto batch = masquerade_batch(true, e);  // named: a temporary's ["nftables"] would dangle
        for (const auto& c : batch["nftables"])
            for (const auto& el : c["add"]["element"]["elem"])
                want[c["add"]["element"]["name"]].push_back(el);
    }
    auto batch = table_batch(state);
    for (const auto& c : batch["nftables"])
        if (c.contains("add") && c["add"].contains("element"))
            for (const auto& el : c["add"]["element"]["elem"])
                got[c["add"]["element"]["name"]].push_back(el);
    EXPECT_EQ(got, want);
}

TEST(TableBatch, DeclaresSetsAndChainsBeforeUsingThem) {
    auto batch = table_batch(classic_state(true));
    int last_table = -1;
    auto cmds = commands(batch);
    for (size_t i = 0; i < cmds.size(); ++i)
        if (cmds[i].kind == "table") last_table = static_cast<int>(i);
    for (const char* set : {"masq4", "taps"}) {
        int declared = index_of(batch, [&](const Command& c) {
            return c.verb == "add" && c.kind == "set" && c.obj.value("name", "") == set;
        });
        ASSERT_GE(declared, 0) << set;
        EXPECT_GT(declared, last_table) << set;
        int first_use = index_of(batch, [&](const Command& c) {
            return (c.kind == "element" && c.obj.value("name", "") == set) ||
                   (c.kind == "rule" &&
                    c.obj.at("expr").dump().find(std::string("@") + set) != std::string::npos);
        });
        ASSERT_GE(first_use, 0) << set;
        EXPECT_LT(declared, first_use) << set;
    }
    for (const char* chain : {"postrouting", "forward", "guard4"}) {
        int declared = index_of(batch, [&](const Command& c) {
            return c.verb == "add" && c.kind == "chain" && c.obj.value("name", "") == chain;
        });
        ASSERT_GE(declared, 0) << chain;
        EXPECT_GT(declared, last_table) << chain;
        int first_rule = index_of(batch, [&](const Command& c) {
            return c.kind == "rule" && c.obj.value("chain", "") == chain;
        });
        ASSERT_GE(first_rule, 0) << chain;
        EXPECT_LT(declared, first_rule) << chain;
    }
}

TEST(TableBatch, SwitchesTheGuardOnlyThroughTheGuardModeElement) {
    EXPECT_TRUE(matching(table_batch(classic_state(false)), "add", "element", "guardmode").empty());
    EXPECT_TRUE(matching(table_batch({}), "add", "element", "guardmode").empty());
    auto on = matching(table_batch(classic_state(true)), "add", "element", "guardmode");
    ASSERT_EQ(on.size(), 1u);
    EXPECT_EQ(on[0].obj.at("elem"), json::parse(R"([["ipv4", {"jump": {"target": "guard4"}}]])"));
}

TEST(TableBatch, AlwaysFillsTheGuardChainWithItsThreeRules) {
    for (bool guard : {false, true}) {
        auto rules = rules_of(table_batch(classic_state(guard)), "guard4");
        ASSERT_EQ(rules.size(), 3u);
        EXPECT_EQ(rules[0], kCtEstablishedAccept) << rules[0].dump();
        EXPECT_EQ(rules[1], kFromTapsAccept) << rules[1].dump();
        EXPECT_EQ(rules[2], kDrop) << rules[2].dump();
    }
}

TEST(TableBatch, WithoutEntriesHasNoElements) {
    EXPECT_TRUE(matching(table_batch({}), "add", "element").empty());
}

TEST(TableBatch, SerialisesToTheJsonLibnftablesParses) {
    auto text = table_batch(classic_state(true)).dump();
    auto back = json::parse(text);
    EXPECT_EQ(back, table_batch(classic_state(true)));
    EXPECT_NE(text.find("{\"masquerade\":null}"), std::string::npos) << text;
    EXPECT_NE(text.find("{\"prefix\":{\"addr\":\"192.168.69.0\",\"len\":24}}"), std::string::npos)
        << text;
}

// masquerade_batch

TEST(MasqueradeBatch, AddsSubnetsAndName) {
    MasqueradeEntry e{"tap0", {net("192.168.69.0/24")}};
    auto batch = masquerade_batch(true, e);
    expect_only_tapd_table(batch);
    auto cmds = commands(batch);
    ASSERT_EQ(cmds.size(), 2u);
    EXPECT_EQ(cmds[0].verb, "add");
    EXPECT_EQ(cmds[0].kind, "element");
    EXPECT_EQ(cmds[0].obj.at("name"), "masq4");
    EXPECT_EQ(cmds[0].obj.at("elem"),
              json::array({{{"prefix", {{"addr", "192.168.69.0"}, {"len", 24}}}}}));
    EXPECT_EQ(cmds[1].verb, "add");
    EXPECT_EQ(cmds[1].kind, "element");
    EXPECT_EQ(cmds[1].obj.at("name"), "taps");
    EXPECT_EQ(cmds[1].obj.at("elem"), json::array({"tap0"}));
}

TEST(MasqueradeBatch, DeletesWhatAddingAdded) {
    MasqueradeEntry e{"tap-0.x", {net("192.168.69.0/24"), net("10.0.0.0/8")}};
    auto added = commands(masquerade_batch(true, e));
    auto removed = commands(masquerade_batch(false, e));
    expect_only_tapd_table(masquerade_batch(false, e));
    ASSERT_EQ(added.size(), removed.size());
    for (size_t i = 0; i < added.size(); ++i) {
        EXPECT_EQ(added[i].verb, "add");
        EXPECT_EQ(removed[i].verb, "delete");
        EXPECT_EQ(removed[i].kind, added[i].kind);
        EXPECT_EQ(removed[i].obj, added[i].obj);
    }
}

TEST(MasqueradeBatch, NeverDeletesTheTableOrAChain) {
    MasqueradeEntry e{"tap0", {net("192.168.69.0/24")}};
    for (const auto& c : commands(masquerade_batch(false, e))) EXPECT_EQ(c.kind, "element");
}

TEST(MasqueradeBatch, WithoutSubnetsTouchesOnlyTaps) {
    auto cmds = commands(masquerade_batch(true, MasqueradeEntry{"tap0", {}}));
    ASSERT_EQ(cmds.size(), 1u);
    EXPECT_EQ(cmds[0].obj.at("name"), "taps");
    EXPECT_EQ(cmds[0].obj.at("elem"), json::array({"tap0"}));
}

// guard_batch

TEST(GuardBatch, OnAddsTheIpv4JumpToTheGuardAndTouchesNoRule) {
    auto batch = guard_batch(true);
    expect_only_tapd_table(batch);
    auto cmds = commands(batch);
    ASSERT_EQ(cmds.size(), 1u);
    EXPECT_EQ(cmds[0].verb, "add");
    EXPECT_EQ(cmds[0].kind, "element");
    EXPECT_EQ(cmds[0].obj.at("name"), "guardmode");
    EXPECT_EQ(cmds[0].obj.at("elem"), json::parse(R"([["ipv4", {"jump": {"target": "guard4"}}]])"));
    EXPECT_TRUE(rules_of(batch, "guard4").empty());
}

TEST(GuardBatch, OffDeletesTheSameElement) {
    auto on = commands(guard_batch(true));
    auto off = commands(guard_batch(false));
    ASSERT_EQ(off.size(), 1u);
    EXPECT_EQ(off[0].verb, "delete");
    EXPECT_EQ(off[0].kind, "element");
    EXPECT_EQ(off[0].obj, on[0].obj);
}

TEST(GuardBatch, MatchesTheGuardThatTableBatchBuilds) {
    EXPECT_EQ(commands(guard_batch(true))[0].obj,
              matching(table_batch(classic_state(true)), "add", "element", "guardmode")[0].obj);
}

// join

TEST(Join, ConcatenatesCommandsInOrder) {
    MasqueradeEntry e{"tap0", {net("192.168.69.0/24")}};
    auto a = masquerade_batch(true, e);
    auto b = guard_batch(true);
    auto joined = join({a, b});
    json want = a["nftables"];
    for (const auto& c : b["nftables"]) want.push_back(c);
    EXPECT_EQ(joined, (json{{"nftables", want}}));
    EXPECT_EQ(joined["nftables"].size(), a["nftables"].size() + b["nftables"].size());
    expect_only_tapd_table(joined);
}

TEST(Join, OfNothingIsAnEmptyBatch) {
    auto joined = join({});
    EXPECT_EQ(joined, (json{{"nftables", json::array()}}));
    EXPECT_TRUE(joined["nftables"].is_array());
}

TEST(Join, OfOneBatchIsThatBatch) {
    auto b = table_batch(classic_state(true));
    EXPECT_EQ(join({b}), b);
}

}  // namespace
}  // namespace tapd::nft
