// Tests for daemon/policy/policy_file: parse errors with their positions, name resolution, every
// field of a rule, the limits, and the prefixes that need "default_route".
#include "policy_file.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "expect.hpp"
#include "policy.hpp"
#include "policy_text.hpp"

namespace tapd {
namespace {

// Passes when TEXT is refused with "policy.json:AT: " followed by a reason holding REASON.
::testing::AssertionResult RefusedAt(std::string_view text, std::string_view at,
                                     std::string_view reason) {
    auto p = Policy::parse(text, "policy.json");
    if (p.ok()) return ::testing::AssertionFailure() << "was accepted";
    const auto& m = p.error().message;
    if (p.error().kind != ErrorKind::InvalidArgument)
        return ::testing::AssertionFailure() << "wrong error kind: " << m;
    auto head = "policy.json:" + std::string(at) + ": ";
    if (m.rfind(head, 0) != 0)
        return ::testing::AssertionFailure()
               << "\"" << m << "\" does not start with \"" << head << "\"";
    if (m.find(reason, head.size()) == std::string::npos)
        return ::testing::AssertionFailure() << "\"" << m << "\" does not say \"" << reason << "\"";
    return ::testing::AssertionSuccess();
}

// ---- Syntax ----

TEST(PolicyFileSyntax, ReportsASyntaxErrorAtItsLineAndColumn) {
    EXPECT_TRUE(RefusedAt("{\n  \"version\": 1,\n    x\n}", "3:5", "invalid literal"));
}

TEST(PolicyFileSyntax, ReportsAnUnfinishedFileAtItsEnd) {
    EXPECT_TRUE(RefusedAt("{\"version\": 1,\n \"rules\": [", "2:12", "unexpected end of input"));
}

TEST(PolicyFileSyntax, ReportsATrailingComma) {
    EXPECT_TRUE(RefusedAt("{\"version\": 1, \"rules\": [],\n}", "2:1", "unexpected '}'"));
}

TEST(PolicyFileSyntax, RefusesAnEmptyFile) {
    EXPECT_TRUE(RefusedAt("", "1:1", "the file is empty"));
    EXPECT_TRUE(RefusedAt(" \n\t\n", "1:1", "the file is empty"));
}

TEST(PolicyFileSyntax, RefusesATopLevelThatIsNotAnObject) {
    EXPECT_TRUE(RefusedAt("[]", "1:1", "the policy must be a JSON object, not an array"));
    EXPECT_TRUE(RefusedAt("\n  1", "2:3", "the policy must be a JSON object, not 1"));
}

TEST(PolicyFileSyntax, CountsColumnsInCharactersNotBytes) {
    // "ü" is two bytes; the unknown key "x" is the 18th character on its line (19th byte).
    EXPECT_TRUE(RefusedAt("{\"comment\": \"\xc3\xbc\", \"x\": 1, \"version\": 1, \"rules\": []}",
                          "1:18", "unknown key \"x\""));
}

TEST(PolicyFileSyntax, AcceptsAByteOrderMarkAndCrLfLineEnds) {
    auto p = parsed("\xef\xbb\xbf{\"version\": 1,\r\n \"rules\": []}\r\n");
    EXPECT_TRUE(p->from_file);
    EXPECT_TRUE(p->rules.empty());
}

TEST(PolicyFileSyntax, RefusesDeepNesting) {
    std::string deep = "{\"version\": 1, \"rules\": [], \"comment\": " + std::string(40, '[') +
                       std::string(40, ']') + "}";
    EXPECT_TRUE(RefusedAt(deep, "1:55", "nested deeper than 16 levels"));
}

// ---- Top level ----

TEST(PolicyFileTopLevel, AcceptsAnEmptyRuleList) {
    auto p = parsed(R"({"version": 1, "rules": [], "comment": "only root"})");
    EXPECT_EQ(p->source, "policy.json");
    EXPECT_TRUE(p->from_file);
    EXPECT_TRUE(p->rules.empty());
}

TEST(PolicyFileTopLevel, RequiresTheVersion) {
    EXPECT_TRUE(RefusedAt("\n {\"rules\": []}", "2:2", "missing key \"version\""));
}

TEST(PolicyFileTopLevel, RefusesAnotherVersion) {
    EXPECT_TRUE(RefusedAt(R"({"version": 2, "rules": []})", "1:13", "unsupported version 2"));
    EXPECT_TRUE(RefusedAt(R"({"version": 1.5, "rules": []})", "1:13", "unsupported version 1.5"));
    EXPECT_TRUE(RefusedAt(R"({"version": "1", "rules": []})", "1:13",
                          "version: expected the number 1, got \"1\""));
}

TEST(PolicyFileTopLevel, ChecksTheVersionBeforeUnknownKeys) {
    EXPECT_TRUE(RefusedAt(R"({"hosts": {}, "version": 2})", "1:26", "unsupported version 2"));
}

TEST(PolicyFileTopLevel, RefusesAnUnknownKeyAtTheKey) {
    EXPECT_TRUE(RefusedAt("{\"version\": 1,\n  \"rule\": []}", "2:3",
                          "unknown key \"rule\" (known keys: version, rules, comment, limits, "
                          "integrations)"));
}

TEST(PolicyFileTopLevel, RefusesADuplicateKeyNamingTheFirst) {
    EXPECT_TRUE(RefusedAt("{\"version\": 1, \"rules\": [],\n \"rules\": []}", "2:2",
                          "duplicate key \"rules\" (first at 1:16)"));
}

TEST(PolicyFileTopLevel, ParsesTheLimits) {
    auto p = parsed(R"({"version": 1, "limits": {"captures": 3, "raw_sockets": 0}, "rules": []})");
    EXPECT_EQ(p->limits.captures, 3u);
    EXPECT_EQ(p->limits.raw_sockets, 0u);
    auto half = parsed(R"({"version": 1, "limits": {"raw_sockets": 7}, "rules": []})");
    EXPECT_EQ(half->limits.captures, kDefaultCaptureLimit);
    EXPECT_EQ(half->limits.raw_sockets, 7u);
}

TEST(PolicyFileIntegrations, AreOffByDefaultWithAndWithoutAFile) {
    for (const auto& p : {Policy::root_only(), parsed(R"({"version": 1, "rules": []})")}) {
        EXPECT_FALSE(p->integrations.docker);
        EXPECT_EQ(p->integrations.firewalld_zone, "");
    }
}

TEST(PolicyFileIntegrations, ParsesDockerAndTheFirewalldZone) {
    auto p = parsed(R"({"version": 1, "rules": [],
        "integrations": {"docker": true, "firewalld_zone": "trusted"}})");
    EXPECT_TRUE(p->integrations.docker);
    EXPECT_EQ(p->integrations.firewalld_zone, "trusted");
    auto zone_only = parsed(R"({"version": 1, "integrations": {"firewalld_zone": "my-zone_1"},
        "rules": []})");
    EXPECT_FALSE(zone_only->integrations.docker);
    EXPECT_EQ(zone_only->integrations.firewalld_zone, "my-zone_1");
}

TEST(PolicyFileIntegrations, RefusesBadValuesNamingThem) {
    EXPECT_TRUE(RefusedAt(R"({"version": 1, "integrations": true, "rules": []})", "1:32",
                          "integrations: expected an object, got true"));
    EXPECT_TRUE(RefusedAt(R"({"version": 1, "integrations": {"ufw": true}, "rules": []})", "1:33",
                          "unknown key \"ufw\" in integrations (known keys: docker, "
                          "firewalld_zone)"));
    EXPECT_TRUE(RefusedAt(R"({"version": 1, "integrations": {"docker": "yes"}, "rules": []})",
                          "1:43", "integrations.docker: expected true or false, got \"yes\""));
    EXPECT_TRUE(RefusedAt(R"({"version": 1, "integrations": {"firewalld_zone": 1}, "rules": []})",
                          "1:51", "integrations.firewalld_zone: expected a string, got 1"));
    for (const char* zone : {"", "a zone", "../etc", "abcdefghijklmnopqr", "tr\u00fcsted"})
        EXPECT_TRUE(
            RefusedAt(std::string(R"({"version": 1, "integrations": {"firewalld_zone": ")") + zone +
                          R"("}, "rules": []})",
                      "1:51", "is not a firewalld zone name (1 to 17 of"))
            << zone;
}

TEST(PolicyFileTopLevel, DefaultsTheLimitsWithAndWithoutAFile) {
    for (const auto& p : {Policy::root_only(), parsed(R"({"version": 1, "rules": []})")}) {
        EXPECT_EQ(p->limits.captures, 64u);
        EXPECT_EQ(p->limits.raw_sockets, 1024u);
    }
}

TEST(PolicyFileTopLevel, RefusesLimitsOfTheWrongShapeOrRange) {
    EXPECT_TRUE(RefusedAt(R"({"version": 1, "limits": [], "rules": []})", "1:26",
                          "limits: expected an object, got an array"));
    EXPECT_TRUE(RefusedAt(R"({"version": 1, "limits": {"taps": 1}, "rules": []})", "1:27",
                          "unknown key \"taps\" in limits (known keys: captures, raw_sockets)"));
    EXPECT_TRUE(RefusedAt(R"({"version": 1, "limits": {"captures": 1025}, "rules": []})", "1:39",
                          "limits.captures: expected a whole number from 0 to 1024, got 1025"));
    EXPECT_TRUE(RefusedAt(R"({"version": 1, "limits": {"raw_sockets": -1}, "rules": []})", "1:42",
                          "limits.raw_sockets: expected a whole number from 0 to 65536, got -1"));
    EXPECT_TRUE(
        RefusedAt(R"({"version": 1, "limits": {"captures": 1, "captures": 2}, "rules": []})",
                  "1:42", "duplicate key \"captures\" (first at 1:27)"));
}

TEST(PolicyFileTopLevel, RequiresRules) {
    EXPECT_TRUE(RefusedAt(R"({"version": 1})", "1:1", "missing key \"rules\""));
}

TEST(PolicyFileTopLevel, RefusesRulesThatAreNotAnArray) {
    EXPECT_TRUE(RefusedAt(R"({"version": 1, "rules": {"users": [0]}})", "1:25",
                          "rules: expected an array of rules, got an object"));
}

// ---- Rules ----

TEST(PolicyFileRule, ParsesEveryField) {
    auto p = parsed(R"({ "version": 1,
  "rules": [
    { "users": ["root", 1001], "groups": ["nogroup", 27],
      "max_taps": 4,
      "name_prefix": "vm",
      "prefixes": ["192.168.69.0/24", "fdaa::/64", "fe80::/64"],
      "masquerade": true,
      "persistent": false,
      "owner_access": true,
      "raw_sockets": false,
      "capture": true,
      "max_captures": 2,
      "max_raw_sockets": 0,
      "comment": "developers" } ] })");
    ASSERT_EQ(p->rules.size(), 1u);
    const Rule& r = p->rules[0];
    EXPECT_EQ(r.uids, (std::vector<uid_t>{0, 1001}));
    EXPECT_EQ(r.gids, (std::vector<gid_t>{65534, 27}));
    EXPECT_EQ(r.max_taps, 4u);
    EXPECT_EQ(r.name_prefix, "vm");
    EXPECT_EQ(r.prefixes,
              (std::vector<Prefix>{net("192.168.69.0/24"), net("fdaa::/64"), net("fe80::/64")}));
    EXPECT_TRUE(r.masquerade);
    EXPECT_FALSE(r.persistent);
    EXPECT_TRUE(r.owner_access);
    EXPECT_FALSE(r.raw_sockets);
    EXPECT_TRUE(r.capture);
    EXPECT_EQ(r.max_captures, 2u);
    EXPECT_EQ(r.max_raw_sockets, 0u);
    EXPECT_EQ(r.comment, "developers");
    EXPECT_EQ(r.line, 3u);
}

TEST(PolicyFileRule, DefaultsToNoTapsPrefixTapAndNoPermissions) {
    auto p = parsed(with_rule(R"("users": [1001])"));
    ASSERT_EQ(p->rules.size(), 1u);
    const Rule& r = p->rules[0];
    EXPECT_EQ(r.max_taps, 0u);
    EXPECT_EQ(r.name_prefix, "tap");
    EXPECT_TRUE(r.prefixes.empty());
    EXPECT_TRUE(r.gids.empty());
    EXPECT_FALSE(r.masquerade || r.persistent || r.owner_access || r.raw_sockets || r.capture);
    EXPECT_EQ(r.max_captures, 4u);
    EXPECT_EQ(r.max_raw_sockets, 16u);
}

TEST(PolicyFileRule, ResolvesUserAndGroupNamesFromTheSystemDatabase) {
    auto p = parsed(with_rule(R"("users": ["root", "daemon"], "groups": ["root", "nogroup"])"));
    ASSERT_EQ(p->rules.size(), 1u);
    EXPECT_EQ(p->rules[0].uids, (std::vector<uid_t>{0, 1}));
    EXPECT_EQ(p->rules[0].gids, (std::vector<gid_t>{0, 65534}));
}

TEST(PolicyFileRule, RefusesAnUnknownUserName) {
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": ["root", "no-such-user-tapd"])"), "1:45",
                          "rules[0].users[1]: unknown user \"no-such-user-tapd\""));
}

TEST(PolicyFileRule, RefusesAnUnknownGroupName) {
    EXPECT_TRUE(RefusedAt(with_rule(R"("groups": ["no-such-group-tapd"])"), "1:38",
                          "rules[0].groups[0]: unknown group \"no-such-group-tapd\""));
}

TEST(PolicyFileRule, HintsThatAQuotedNumberIsNotAUid) {
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": ["987654"])"), "1:37",
                          "unknown user \"987654\" (write a numeric id without quotes: 987654)"));
}

TEST(PolicyFileRule, RefusesIdsOutsideTheRangeOfUidT) {
    EXPECT_TRUE(
        RefusedAt(with_rule(R"("users": [-1])"), "1:37",
                  "rules[0].users[0]: expected a whole number from 0 to 4294967294, got -1"));
    EXPECT_TRUE(RefusedAt(with_rule(R"("groups": [4294967295])"), "1:38",
                          "rules[0].groups[0]: expected a whole number from 0 to 4294967294"));
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [true])"), "1:37",
                          "rules[0].users[0]: expected a user name or a numeric id, got true"));
}

TEST(PolicyFileRule, RefusesARuleWithoutUsersOrGroups) {
    EXPECT_TRUE(RefusedAt(with_rule(R"("max_taps": 4)"), "1:26",
                          "rules[0]: a rule needs at least one user or group"));
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [], "groups": [])"), "1:26",
                          "rules[0]: a rule needs at least one user or group"));
}

TEST(PolicyFileRule, RefusesARuleThatIsNotAnObject) {
    EXPECT_TRUE(RefusedAt(R"({"version": 1, "rules": [{"users": [0]}, "all"]})", "1:42",
                          "rules[1]: expected an object (a rule), got \"all\""));
}

TEST(PolicyFileRule, RefusesAnUnknownKeyAtTheKey) {
    EXPECT_TRUE(RefusedAt("{\"version\": 1, \"rules\": [\n  {\"users\": [0],\n   \"max_tap\": 4}]}",
                          "3:4", "unknown key \"max_tap\" in rules[0]"));
}

TEST(PolicyFileRule, RefusesADuplicateKey) {
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "max_taps": 1, "max_taps": 1024)"), "1:56",
                          "duplicate key \"max_taps\" (first at 1:41)"));
}

// An operator may want thousands of taps for one user (issue 12: 1,024 was the old ceiling).
TEST(PolicyFileRule, AcceptsMaxTapsInTheThousands) {
    for (size_t n : {size_t{1025}, size_t{4096}, size_t{16384}}) {
        auto p = parsed(with_rule(R"("users": [0], "max_taps": )" + std::to_string(n)));
        ASSERT_EQ(p->rules.size(), 1u);
        EXPECT_EQ(p->rules[0].max_taps, n);
    }
}

TEST(PolicyFileRule, RefusesMaxTapsOfTheWrongTypeOrRange) {
    const char* expected = "rules[0].max_taps: expected a whole number from 0 to 16384, got ";
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "max_taps": "4")"), "1:53",
                          std::string(expected) + "\"4\""));
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "max_taps": -1)"), "1:53",
                          std::string(expected) + "-1"));
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "max_taps": 16385)"), "1:53",
                          std::string(expected) + "16385"));
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "max_taps": 2.5)"), "1:53",
                          std::string(expected) + "2.5"));
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "max_taps": null)"), "1:53",
                          std::string(expected) + "null"));
    EXPECT_EQ(parsed(with_rule(R"("users": [0], "max_taps": 1024)"))->rules.at(0).max_taps, 1024u);
}

TEST(PolicyFileRule, RefusesCaptureAndRawSocketCountsOutOfRange) {
    EXPECT_TRUE(
        RefusedAt(with_rule(R"("users": [0], "max_captures": 1025)"), "1:57",
                  "rules[0].max_captures: expected a whole number from 0 to 1024, got 1025"));
    EXPECT_TRUE(
        RefusedAt(with_rule(R"("users": [0], "max_raw_sockets": true)"), "1:60",
                  "rules[0].max_raw_sockets: expected a whole number from 0 to 16384, got true"));
    auto p = parsed(with_rule(R"("users": [0], "max_captures": 1024, "max_raw_sockets": 16384)"));
    EXPECT_EQ(p->rules.at(0).max_captures, 1024u);
    EXPECT_EQ(p->rules.at(0).max_raw_sockets, 16384u);
}

TEST(PolicyFileRule, ReportsANumberTooLargeForADoubleAtTheNumber) {
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "max_taps": 1e400)"), "1:53",
                          "number overflow parsing '1e400'"));
}

TEST(PolicyFileRule, ReadsMinusZeroAsZero) {
    EXPECT_EQ(parsed(with_rule(R"("users": [-0], "max_taps": -0)"))->rules.at(0).uids,
              std::vector<uid_t>{0});
}

TEST(PolicyFileRule, RefusesABooleanOfTheWrongType) {
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "masquerade": 1)"), "1:55",
                          "rules[0].masquerade: expected true or false, got 1"));
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "capture": "yes")"), "1:52",
                          "rules[0].capture: expected true or false, got \"yes\""));
}

TEST(PolicyFileRule, RefusesAPrefixThatDoesNotParse) {
    EXPECT_TRUE(
        RefusedAt("{\"version\": 1, \"rules\": [{\"users\": [0],\n \"prefixes\": [\"fdaa::/64\", "
                  "\"192.168.69.0/33\"]}]}",
                  "2:28", "rules[0].prefixes[1]: invalid prefix length '33'"));
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "prefixes": ["lan/24"])"), "1:54",
                          "rules[0].prefixes[0]: invalid IP address 'lan'"));
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "prefixes": [24])"), "1:54",
                          "rules[0].prefixes[0]: expected a string, got 24"));
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "prefixes": "10.0.0.0/8")"), "1:53",
                          "rules[0].prefixes: expected an array of networks"));
}

TEST(PolicyFileRule, RefusesAPrefixWithHostBitsNamingTheNetwork) {
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "prefixes": ["192.168.69.1/24"])"), "1:54",
                          "has host bits set (did you mean 192.168.69.0/24?)"));
}

TEST(PolicyFileRule, RefusesAPrefixWithoutALength) {
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "prefixes": ["192.168.69.0"])"), "1:54",
                          "\"192.168.69.0\" has no prefix length"));
}

TEST(PolicyFileRule, RefusesANamePrefixThatCannotStartAnInterfaceName) {
    for (const char* bad : {R"("")", R"("-tap")", R"("../x")", R"("tap%d")", R"("tap/")",
                            R"("ta p")", R"("abcdefghijklmno")"})
        EXPECT_TRUE(RefusedAt(with_rule(std::string(R"("users": [0], "name_prefix": )") + bad),
                              "1:56", "rules[0].name_prefix: "))
            << bad;
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "name_prefix": "abcdefghijklmn1")"), "1:56",
                          "is 15 bytes long (at most 14, so that a name can follow)"));
    EXPECT_EQ(parsed(with_rule(R"("users": [0], "name_prefix": "abcdefghijklmn")"))
                  ->rules.at(0)
                  .name_prefix,
              "abcdefghijklmn");
}

TEST(PolicyFileRule, RefusesAStringHoldingANul) {
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": ["root\u0000x"])"), "1:37",
                          "rules[0].users[0]: \"root\\u0000x\" holds a NUL character"));
}

TEST(PolicyFileRule, ReportsTheFirstErrorInFileOrder) {
    EXPECT_TRUE(
        RefusedAt(with_rule(R"("users": [0], "max_taps": -1, "capture": 1)"), "1:53", "max_taps"));
}
TEST(PolicyDefaultRoute, AGrantOfEverythingNeedsTheRuleToSaySo) {
    EXPECT_TRUE(RefusedAt(R"({"version": 1, "rules": [{"users": [0],
      "prefixes": ["10.0.0.0/8", "::/0"]}]})",
                          "2:34", "\"::/0\" covers every address"));
    EXPECT_TRUE(RefusedAt(R"({"version": 1, "rules": [{"users": [0], "default_route": false,
      "prefixes": ["0.0.0.0/0"]}]})",
                          "2:20", "add \"default_route\": true to this rule"));
    EXPECT_TRUE(RefusedAt(R"({"version": 1, "rules": [{"users": [0],
      "prefixes": ["10.0.0.0/8", "0.0.0.0/1", "128.0.0.0/1"]}]})",
                          "2:34", "\"0.0.0.0/1\" is broader than /8"));
    EXPECT_TRUE(RefusedAt(R"({"version": 1, "rules": [{"users": [0],
      "prefixes": ["fc00::/7", "2000::/3"]}]})",
                          "2:32", "\"2000::/3\" is broader than /4"));
    auto p = parsed(R"({"version": 1, "rules": [{"users": [0], "default_route": true,
      "prefixes": ["0.0.0.0/0", "::/0", "0.0.0.0/1"]}]})");
    ASSERT_EQ(p->rules.size(), 1u);
    EXPECT_TRUE(p->rules[0].default_route);
    EXPECT_TRUE(p->grant_for(4242, {}).default_route == false);
    EXPECT_TRUE(p->grant_for(0, {}).default_route);
    auto q = parsed(R"({"version": 1, "rules": [{"users": [4242], "default_route": true,
      "prefixes": ["0.0.0.0/0"]}]})");
    EXPECT_TRUE(q->grant_for(4242, {}).default_route);
}

}  // namespace
}  // namespace tapd
