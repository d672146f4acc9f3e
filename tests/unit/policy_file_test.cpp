// Tests for daemon/policy_file: parse errors with their positions, name resolution, the union of
// matching rules, and the name and prefix checks.
#include "policy_file.hpp"
#include "expect.hpp"
#include "unique_fd.hpp"
#include "without_caps.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>

namespace tapd {
namespace {

// Parses TEXT as "policy.json"; the test fails if it is refused.
Policy parsed(std::string_view text) {
    auto p = parse_policy(text, "policy.json");
    EXPECT_TRUE(p.ok()) << p.error().message;
    return p.ok() ? p.value() : Policy{};
}

// Passes when TEXT is refused with "policy.json:AT: " followed by a reason holding REASON.
::testing::AssertionResult RefusedAt(std::string_view text, std::string_view at,
                                     std::string_view reason) {
    auto p = parse_policy(text, "policy.json");
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

// A version-1 policy with one rule whose body (the text between the braces) is BODY.
std::string with_rule(std::string_view body) {
    return "{\"version\": 1, \"rules\": [{" + std::string(body) + "}]}";
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
    EXPECT_TRUE(p.from_file);
    EXPECT_TRUE(p.rules.empty());
}

TEST(PolicyFileSyntax, RefusesDeepNesting) {
    std::string deep = "{\"version\": 1, \"rules\": [], \"comment\": " + std::string(40, '[') +
                       std::string(40, ']') + "}";
    EXPECT_TRUE(RefusedAt(deep, "1:55", "nested deeper than 16 levels"));
}

// ---- Top level ----

TEST(PolicyFileTopLevel, AcceptsAnEmptyRuleList) {
    auto p = parsed(R"({"version": 1, "rules": [], "comment": "only root"})");
    EXPECT_EQ(p.source, "policy.json");
    EXPECT_TRUE(p.from_file);
    EXPECT_TRUE(p.rules.empty());
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
                          "unknown key \"rule\" (known keys: version, rules, comment, limits)"));
}

TEST(PolicyFileTopLevel, RefusesADuplicateKeyNamingTheFirst) {
    EXPECT_TRUE(RefusedAt("{\"version\": 1, \"rules\": [],\n \"rules\": []}", "2:2",
                          "duplicate key \"rules\" (first at 1:16)"));
}

TEST(PolicyFileTopLevel, ParsesTheLimits) {
    auto p = parsed(R"({"version": 1, "limits": {"captures": 3, "raw_sockets": 0}, "rules": []})");
    EXPECT_EQ(p.limits.captures, 3u);
    EXPECT_EQ(p.limits.raw_sockets, 0u);
    auto half = parsed(R"({"version": 1, "limits": {"raw_sockets": 7}, "rules": []})");
    EXPECT_EQ(half.limits.captures, kDefaultCaptureLimit);
    EXPECT_EQ(half.limits.raw_sockets, 7u);
}

TEST(PolicyFileTopLevel, DefaultsTheLimitsWithAndWithoutAFile) {
    for (const Policy& p : {default_policy(), parsed(R"({"version": 1, "rules": []})")}) {
        EXPECT_EQ(p.limits.captures, 64u);
        EXPECT_EQ(p.limits.raw_sockets, 1024u);
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
    ASSERT_EQ(p.rules.size(), 1u);
    const Rule& r = p.rules[0];
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
    ASSERT_EQ(p.rules.size(), 1u);
    const Rule& r = p.rules[0];
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
    ASSERT_EQ(p.rules.size(), 1u);
    EXPECT_EQ(p.rules[0].uids, (std::vector<uid_t>{0, 1}));
    EXPECT_EQ(p.rules[0].gids, (std::vector<gid_t>{0, 65534}));
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

TEST(PolicyFileRule, RefusesMaxTapsOfTheWrongTypeOrRange) {
    const char* expected = "rules[0].max_taps: expected a whole number from 0 to 1024, got ";
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "max_taps": "4")"), "1:53",
                          std::string(expected) + "\"4\""));
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "max_taps": -1)"), "1:53",
                          std::string(expected) + "-1"));
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "max_taps": 1025)"), "1:53",
                          std::string(expected) + "1025"));
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "max_taps": 2.5)"), "1:53",
                          std::string(expected) + "2.5"));
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "max_taps": null)"), "1:53",
                          std::string(expected) + "null"));
    EXPECT_EQ(parsed(with_rule(R"("users": [0], "max_taps": 1024)")).rules.at(0).max_taps, 1024u);
}

TEST(PolicyFileRule, RefusesCaptureAndRawSocketCountsOutOfRange) {
    EXPECT_TRUE(
        RefusedAt(with_rule(R"("users": [0], "max_captures": 1025)"), "1:57",
                  "rules[0].max_captures: expected a whole number from 0 to 1024, got 1025"));
    EXPECT_TRUE(
        RefusedAt(with_rule(R"("users": [0], "max_raw_sockets": true)"), "1:60",
                  "rules[0].max_raw_sockets: expected a whole number from 0 to 16384, got true"));
    auto p = parsed(with_rule(R"("users": [0], "max_captures": 1024, "max_raw_sockets": 16384)"));
    EXPECT_EQ(p.rules.at(0).max_captures, 1024u);
    EXPECT_EQ(p.rules.at(0).max_raw_sockets, 16384u);
}

TEST(PolicyFileRule, ReportsANumberTooLargeForADoubleAtTheNumber) {
    EXPECT_TRUE(RefusedAt(with_rule(R"("users": [0], "max_taps": 1e400)"), "1:53",
                          "number overflow parsing '1e400'"));
}

TEST(PolicyFileRule, ReadsMinusZeroAsZero) {
    EXPECT_EQ(parsed(with_rule(R"("users": [-0], "max_taps": -0)")).rules.at(0).uids,
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
                  .rules.at(0)
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

// ---- Grants ----

constexpr uid_t kUser = 1001;
constexpr gid_t kGroup = 2001;

TEST(PolicyGrant, GivesRootEverythingWhateverThePolicy) {
    for (const Policy& p : {default_policy(), parsed(R"({"version": 1, "rules": []})")}) {
        auto g = grant_for(p, 0, {0});
        EXPECT_TRUE(g.unlimited);
        EXPECT_TRUE(g.masquerade && g.persistent && g.owner_access && g.raw_sockets && g.capture);
        EXPECT_EQ(g.max_captures, std::numeric_limits<size_t>::max());
        EXPECT_EQ(g.max_raw_sockets, std::numeric_limits<size_t>::max());
        EXPECT_TRUE(check_name(g, "eth9").ok());
        EXPECT_TRUE(check_prefix(g, net("0.0.0.0/0"), "route").ok());
        EXPECT_TRUE(check_prefix(g, net("::/0"), "route").ok());
    }
}

TEST(PolicyGrant, DefaultPolicyAllowsNothingToOtherUsers) {
    auto p = default_policy();
    EXPECT_FALSE(p.from_file);
    auto g = grant_for(p, kUser, {kGroup});
    EXPECT_FALSE(g.unlimited);
    EXPECT_EQ(g.max_taps, 0u);
    EXPECT_TRUE(g.name_prefixes.empty());
    EXPECT_TRUE(g.prefixes.empty());
    EXPECT_FALSE(g.masquerade || g.persistent || g.owner_access || g.raw_sockets || g.capture);
    EXPECT_EQ(g.max_captures, 0u);
    EXPECT_EQ(g.max_raw_sockets, 0u);
    EXPECT_TRUE(g.matched_rules.empty());
}

TEST(PolicyGrant, AllowsNothingWhenNoRuleMatches) {
    auto p = parsed(with_rule(R"("users": [1002], "groups": [2002], "max_taps": 4,
                                 "prefixes": ["10.0.0.0/8"], "masquerade": true)"));
    auto g = grant_for(p, kUser, {kGroup});
    EXPECT_EQ(g.max_taps, 0u);
    EXPECT_TRUE(g.prefixes.empty());
    EXPECT_FALSE(g.masquerade);
    EXPECT_TRUE(g.matched_rules.empty());
    auto name = check_name(g, "tap0");
    ASSERT_FALSE(name.ok());
    EXPECT_EQ(name.error().kind, ErrorKind::PermissionDenied);
    EXPECT_FALSE(check_prefix(g, addr("10.0.0.1/24"), "address").ok());
}

TEST(PolicyGrant, MatchesByUid) {
    auto p = parsed(with_rule(R"("users": [1001], "max_taps": 2, "masquerade": true)"));
    auto g = grant_for(p, kUser, {});
    EXPECT_EQ(g.max_taps, 2u);
    EXPECT_TRUE(g.masquerade);
    EXPECT_EQ(g.name_prefixes, std::vector<std::string>{"tap"});
    EXPECT_EQ(g.matched_rules, std::vector<size_t>{0});
}

TEST(PolicyGrant, MatchesByAnyOfTheCallersGroups) {
    auto p = parsed(with_rule(R"("groups": ["nogroup"], "max_taps": 3, "capture": true)"));
    auto g = grant_for(p, kUser, {kGroup, 65534});
    EXPECT_EQ(g.max_taps, 3u);
    EXPECT_TRUE(g.capture);
    EXPECT_EQ(grant_for(p, kUser, {kGroup}).max_taps, 0u);
}

TEST(PolicyGrant, CombinesMatchingRulesAsTheirUnion) {
    auto p = parsed(R"({"version": 1, "rules": [
        {"users": [1001], "max_taps": 2, "name_prefix": "tap",
         "prefixes": ["192.168.69.0/24"], "masquerade": true, "persistent": false},
        {"users": [1002], "max_taps": 64, "raw_sockets": true},
        {"groups": [2001], "max_taps": 4, "name_prefix": "vm",
         "prefixes": ["fdaa::/64", "192.168.69.0/24"], "persistent": true, "capture": true}]})");
    auto g = grant_for(p, kUser, {kGroup});
    EXPECT_FALSE(g.unlimited);
    EXPECT_EQ(g.matched_rules, (std::vector<size_t>{0, 2}));
    EXPECT_EQ(g.max_taps, 4u);
    EXPECT_EQ(g.name_prefixes, (std::vector<std::string>{"tap", "vm"}));
    EXPECT_EQ(g.prefixes, (std::vector<Prefix>{net("192.168.69.0/24"), net("fdaa::/64")}));
    EXPECT_TRUE(g.masquerade);
    EXPECT_TRUE(g.persistent);
    EXPECT_TRUE(g.capture);
    EXPECT_FALSE(g.raw_sockets);  // only the rule for 1002 grants it
    EXPECT_FALSE(g.owner_access);
    EXPECT_TRUE(check_name(g, "tap0").ok());
    EXPECT_TRUE(check_name(g, "vm-build").ok());
    EXPECT_TRUE(check_prefix(g, addr("fdaa::2/64"), "address").ok());
}

TEST(PolicyGrant, TakesTheLargestCountAmongTheRulesThatGrantItsPermission) {
    auto p = parsed(R"({"version": 1, "rules": [
        {"users": [1001], "capture": true, "max_captures": 1, "raw_sockets": true},
        {"users": [1001], "max_captures": 50, "max_raw_sockets": 50},
        {"groups": [2001], "capture": true, "max_captures": 2}]})");
    auto g = grant_for(p, kUser, {kGroup});
    EXPECT_EQ(g.max_captures, 2u);      // the second rule grants no capture: its 50 adds nothing
    EXPECT_EQ(g.max_raw_sockets, 16u);  // the first rule's default
    auto one = grant_for(p, kUser, {});
    EXPECT_EQ(one.max_captures, 1u);
}

// ---- check_name ----

PolicyGrant names(std::vector<std::string> prefixes) {
    PolicyGrant g;
    g.max_taps = 4;
    g.name_prefixes = std::move(prefixes);
    return g;
}

TEST(PolicyCheckName, AcceptsANameWithAGrantedPrefix) {
    EXPECT_TRUE(check_name(names({"tap"}), "tap0").ok());
    EXPECT_TRUE(check_name(names({"tap"}), "tap").ok());
    EXPECT_TRUE(check_name(names({"vm", "tap"}), "tap-a.b_c").ok());
}

TEST(PolicyCheckName, RefusesANameWithoutAGrantedPrefix) {
    for (const char* name : {"eth0", "xtap0", "ta", "TAP0"}) {
        auto st = check_name(names({"tap", "vm"}), name);
        ASSERT_FALSE(st.ok()) << name;
        EXPECT_EQ(st.error().kind, ErrorKind::PermissionDenied) << name;
        EXPECT_NE(st.error().message.find("must start with one of 'tap', 'vm'"), std::string::npos)
            << st.error().message;
    }
}

TEST(PolicyCheckName, ValidatesTheWholeNameBeforeMatchingThePrefix) {
    // qemu-bridge-helper (CVE-2019-13164) matched its ACL on a name the kernel then truncated:
    // a 16+ byte name that starts with a granted prefix must be refused, not cut to 15 bytes.
    for (const char* name : {"tap0123456789abc", "tap0123456789abcdef", "tap0/../eth0", "tap%d",
                             "tap0\n", "tap 0", "tap0\xc3\xbc"}) {
        auto st = check_name(names({"tap"}), name);
        ASSERT_FALSE(st.ok()) << name;
        EXPECT_EQ(st.error().kind, ErrorKind::InvalidArgument) << name;
    }
    EXPECT_EQ(check_name(names({"."}), "../x").error().kind, ErrorKind::InvalidArgument);
}

TEST(PolicyCheckName, ValidatesNamesForRootToo) {
    PolicyGrant root = grant_for(default_policy(), 0, {});
    for (const char* name : {"../x", "", "eth0123456789abcd", "."})
        EXPECT_EQ(check_name(root, name).error().kind, ErrorKind::InvalidArgument) << name;
}

// ---- check_prefix ----

PolicyGrant prefixes(std::vector<std::string_view> texts) {
    PolicyGrant g;
    for (auto t : texts) g.prefixes.push_back(net(t));
    return g;
}

TEST(PolicyCheckPrefix, AcceptsAnAddressWhoseNetworkIsInsideAGrantedPrefix) {
    auto g = prefixes({"192.168.69.0/24", "fdaa::/64"});
    EXPECT_TRUE(check_prefix(g, addr("192.168.69.100/24"), "address").ok());
    EXPECT_TRUE(check_prefix(g, addr("192.168.69.130/25"), "address").ok());
    EXPECT_TRUE(check_prefix(g, net("192.168.69.7/32"), "route").ok());
    EXPECT_TRUE(check_prefix(g, net("192.168.69.0/24"), "route").ok());
    EXPECT_TRUE(check_prefix(g, addr("fdaa::1/64"), "address").ok());
    EXPECT_TRUE(check_prefix(g, net("fdaa:0:0:0:8000::/65"), "route").ok());
}

TEST(PolicyCheckPrefix, RefusesAnAddressWhoseNetworkIsLarger) {
    auto g = prefixes({"192.168.69.0/24"});
    for (const char* a : {"192.168.69.100/16", "192.168.69.1/23", "192.168.69.1/0"}) {
        auto st = check_prefix(g, addr(a), "address");
        ASSERT_FALSE(st.ok()) << a;
        EXPECT_EQ(st.error().kind, ErrorKind::PermissionDenied);
        EXPECT_NE(st.error().message.find("address " + std::string(a) + " is outside"),
                  std::string::npos)
            << st.error().message;
    }
    EXPECT_FALSE(check_prefix(g, net("192.168.0.0/16"), "route").ok());
}

TEST(PolicyCheckPrefix, RefusesAnAddressOutsideEveryGrantedPrefix) {
    auto g = prefixes({"192.168.69.0/24", "fdaa::/64"});
    EXPECT_FALSE(check_prefix(g, addr("192.168.70.1/24"), "address").ok());
    EXPECT_FALSE(check_prefix(g, addr("fdab::1/64"), "address").ok());
    EXPECT_FALSE(check_prefix(g, addr("::ffff:192.168.69.1/128"), "address").ok());
}

TEST(PolicyCheckPrefix, AllowsTheDefaultRouteOnlyWhenTheDefaultRouteIsGranted) {
    EXPECT_FALSE(
        check_prefix(prefixes({"192.168.69.0/24", "10.0.0.0/8"}), net("0.0.0.0/0"), "route").ok());
    EXPECT_FALSE(check_prefix(prefixes({"fdaa::/64"}), net("::/0"), "route").ok());
    EXPECT_FALSE(check_prefix(prefixes({"0.0.0.0/0"}), net("::/0"), "route").ok());
    auto without = prefixes({"0.0.0.0/0"});
    auto st = check_prefix(without, net("0.0.0.0/0"), "route");
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().kind, ErrorKind::PermissionDenied);
    EXPECT_NE(st.error().message.find("\"default_route\""), std::string::npos)
        << st.error().message;
    EXPECT_TRUE(check_prefix(without, net("0.0.0.0/1"), "route").ok());
    auto with = without;
    with.default_route = true;
    EXPECT_TRUE(check_prefix(with, net("0.0.0.0/0"), "route").ok());
    EXPECT_TRUE(check_prefix(with, addr("192.168.69.1/0"), "address").ok());
}

TEST(PolicyCheckPrefix, RootMayAddDefaultRoutes) {
    PolicyGrant root = grant_for(default_policy(), 0, {});
    EXPECT_TRUE(check_prefix(root, net("0.0.0.0/0"), "route").ok());
    EXPECT_TRUE(check_prefix(root, net("::/0"), "route").ok());
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
    ASSERT_EQ(p.rules.size(), 1u);
    EXPECT_TRUE(p.rules[0].default_route);
    EXPECT_TRUE(grant_for(p, 4242, {}).default_route == false);
    EXPECT_TRUE(grant_for(p, 0, {}).default_route);
    auto q = parsed(R"({"version": 1, "rules": [{"users": [4242], "default_route": true,
      "prefixes": ["0.0.0.0/0"]}]})");
    EXPECT_TRUE(grant_for(q, 4242, {}).default_route);
}

// ---- The user database ----

TEST(PolicyGroupsOf, ListsThePrimaryGroupFirst) {
    auto groups = groups_of(0);
    ASSERT_FALSE(groups.empty());
    EXPECT_EQ(groups[0], 0u);
    EXPECT_EQ(std::count(groups.begin(), groups.end(), 0u), 1);
    auto nobody = groups_of(65534);
    ASSERT_FALSE(nobody.empty());
    EXPECT_EQ(nobody[0], 65534u);
}

TEST(PolicyGroupsOf, IsEmptyForAUidWithoutAPasswdEntry) {
    EXPECT_TRUE(groups_of(4000000123u).empty());
}

// ---- Loading the file ----

class PolicyLoad : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/tapd-policy-test.XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override {
        std::string cmd = "rm -rf '" + dir_ + "'";
        EXPECT_EQ(std::system(cmd.c_str()), 0);
    }
    std::string write(const std::string& name, const std::string& text, mode_t mode = 0644) {
        auto path = dir_ + "/" + name;
        std::ofstream(path) << text;
        EXPECT_EQ(::chmod(path.c_str(), mode), 0);
        return path;
    }
    std::string dir_;
};

TEST_F(PolicyLoad, TreatsAMissingFileAsTheDefaultPolicy) {
    auto p = load_policy(dir_ + "/policy.json");
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_FALSE(p->from_file);
    EXPECT_TRUE(p->rules.empty());
    EXPECT_EQ(grant_for(p.value(), kUser, {kGroup}).max_taps, 0u);
}

TEST_F(PolicyLoad, RefusesAMissingFileOnReloadSayingWhy) {
    auto path = dir_ + "/policy.json";
    auto p = load_policy(path, LoadTime::Reload);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().kind, ErrorKind::Failed);
    EXPECT_EQ(p.error().message, path +
                                     ": No such file or directory; only at start does a "
                                     "missing policy file mean root only");
}

// tapd --check-policy FILE: a file that is not there is an error, never "root only".
TEST_F(PolicyLoad, RefusesAMissingFileOnACheckNamingIt) {
    auto path = dir_ + "/policy.json";
    auto p = load_policy(path, LoadTime::Check);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().kind, ErrorKind::Failed);
    EXPECT_EQ(p.error().message, path + ": No such file or directory");
}

TEST_F(PolicyLoad, TreatsADanglingSymlinkAsAMissingFileNamingItsTarget) {
    auto path = dir_ + "/policy.json";
    ASSERT_EQ(::symlink((dir_ + "/gone.json").c_str(), path.c_str()), 0);
    auto at_start = load_policy(path, LoadTime::Start);
    ASSERT_TRUE(at_start.ok()) << at_start.error().message;
    EXPECT_FALSE(at_start->from_file);
    auto reload = load_policy(path, LoadTime::Reload);
    ASSERT_FALSE(reload.ok());
    EXPECT_NE(reload.error().message.find(path + ": No such file or directory (a symlink to " +
                                          dir_ + "/gone.json, which does not exist)"),
              std::string::npos)
        << reload.error().message;
}

TEST_F(PolicyLoad, FollowsASymlinkToAFile) {
    auto target = write("real.json", with_rule(R"("users": [1001], "max_taps": 2)"));
    auto path = dir_ + "/policy.json";
    ASSERT_EQ(::symlink(target.c_str(), path.c_str()), 0);
    auto p = load_policy(path, LoadTime::Reload);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(grant_for(p.value(), kUser, {}).max_taps, 2u);
}

TEST_F(PolicyLoad, RefusesAFifoByName) {
    auto path = dir_ + "/policy.json";
    ASSERT_EQ(::mkfifo(path.c_str(), 0644), 0);
    // A writer holds the FIFO open, so that even a blocking open() returns here: what this test
    // checks is the name of the refusal (the integration test checks that tapd never blocks).
    UniqueFd writer(::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
    ASSERT_TRUE(writer);
    for (auto when : {LoadTime::Start, LoadTime::Reload}) {
        auto p = load_policy(path, when);
        ASSERT_FALSE(p.ok());
        EXPECT_EQ(p.error().message, path + ": not a regular file (a FIFO)");
    }
    auto link = dir_ + "/link.json";
    ASSERT_EQ(::symlink(path.c_str(), link.c_str()), 0);
    auto p = load_policy(link, LoadTime::Reload);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().message, link + ": not a regular file (a FIFO)");
}

TEST_F(PolicyLoad, ShowsByteFfOfTheFileEscapedInItsError) {
    auto path = write("policy.json", "{\"version\": 1, \"rules\": [\xff]}");
    auto p = load_policy(path);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().message.find(path + ":1:"), std::string::npos) << p.error().message;
    EXPECT_NE(p.error().message.find("\\xff"), std::string::npos) << p.error().message;
    EXPECT_EQ(p.error().message.find('\xff'), std::string::npos) << p.error().message;
}

TEST_F(PolicyLoad, ShowsAValueCutAtACharacterBoundary) {
    // A wrong-typed string shown cut short: '"', 58 bytes, then "é" across the old cut at 60.
    std::string value = std::string(58, 'a') + "\xc3\xa9" + std::string(20, 'b');
    auto p =
        parse_policy(with_rule(R"("users": [1001], "max_taps": ")" + value + "\""), "policy.json");
    ASSERT_FALSE(p.ok());
    const auto& m = p.error().message;
    EXPECT_NE(m.find("max_taps"), std::string::npos) << m;
    EXPECT_NE(m.find(std::string(58, 'a')), std::string::npos) << m;
    EXPECT_EQ(m.find("\xc3"), m.find("\xc3\xa9")) << "half a character in: " << m;
}

TEST_F(PolicyLoad, ReadsAFile) {
    auto path = write("policy.json", with_rule(R"("users": [1001], "max_taps": 2)"));
    auto p = load_policy(path);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_TRUE(p->from_file);
    EXPECT_EQ(p->source, path);
    EXPECT_EQ(grant_for(p.value(), kUser, {}).max_taps, 2u);
}

TEST_F(PolicyLoad, NamesTheFileInParseErrors) {
    auto path = write("policy.json", "{\n  \"version\": 3, \"rules\": []}");
    auto p = load_policy(path);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().message,
              path + ":2:14: version: unsupported version 3 (this tapd reads version 1)");
}

TEST_F(PolicyLoad, RefusesAFileOthersMayWrite) {
    auto path = write("policy.json", R"({"version": 1, "rules": []})", 0666);
    auto p = load_policy(path);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().message.find("writable by group or others (mode 0666)"), std::string::npos)
        << p.error().message;
}

TEST_F(PolicyLoad, RefusesSomethingThatIsNotAFile) {
    auto p = load_policy(dir_);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().message.find("not a regular file"), std::string::npos) << p.error().message;
}

TEST_F(PolicyLoad, FailsOnAPathThatCannotExistRatherThanDefaulting) {
    // Only ENOENT means "no policy yet"; ENOTDIR and the like are errors, not the default.
    auto file = write("file", "x");
    auto p = load_policy(file + "/policy.json");
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().message.find("Not a directory"), std::string::npos) << p.error().message;
}

TEST_F(PolicyLoad, FailsOnAnUnreadableFile) {
    auto path = write("policy.json", R"({"version": 1, "rules": []})", 0000);
    // As tapd runs: uid 0 without CAP_DAC_OVERRIDE, so file modes apply to it too.
    bool refused = without_file_capabilities([&] {
        auto p = load_policy(path);
        return !p.ok() && p.error().message.find("Permission denied") != std::string::npos;
    });
    EXPECT_TRUE(refused);
}

TEST_F(PolicyLoad, RefusesAnOversizedFile) {
    auto path = write("policy.json", std::string(kMaxPolicyFileSize + 1, ' '));
    auto p = load_policy(path);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().message.find("at most 1048576"), std::string::npos) << p.error().message;
}

}  // namespace
}  // namespace tapd
