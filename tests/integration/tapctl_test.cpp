// tapctl as a user meets it: --help for every command, GNU option forms, typed JSON, the message
// when tapd is not running, prefix refusals that name the allowed prefixes, and the addr, route
// and masquerade commands over the Tap object.
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.hpp"

namespace tapd::test {
namespace {

// Usage errors and help need no bus: every run that must not reach tapd names one that is not
// there, so reaching for it would show as an error.
const std::string kNowhere = "--bus-address=unix:path=/nonexistent/tapd-test-bus";

CommandResult tapctl_nobus(std::vector<std::string> args) {
    args.insert(args.begin(), {tapctl_bin(), kNowhere});
    return run(args);
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

const std::vector<std::string> kCommands = {"create",  "delete",  "list", "show",  "exec",
                                            "cleanup", "policy",  "addr", "route", "masquerade",
                                            "sniff",   "capture", "read", "help"};

TEST(TapctlHelp, EveryCommandPrintsItsUsageAndAnExampleAndExitsZero) {
    for (const auto& cmd : kCommands) {
        for (const auto& args : std::vector<std::vector<std::string>>{
                 {cmd, "--help"}, {cmd, "-h"}, {"help", cmd}, {"--help", cmd}}) {
            auto r = tapctl_nobus(args);
            std::string what = args[0] + " " + args[1];
            EXPECT_EQ(r.status, 0) << what << ": " << r.describe();
            EXPECT_EQ(r.out.rfind("Usage: tapctl " + cmd + " ", 0) == 0 ||
                          r.out.rfind("Usage: tapctl " + cmd + "\n", 0) == 0,
                      true)
                << what << ": " << r.describe();
            auto example = r.out.find("\nExample:\n  tapctl " + cmd);
            ASSERT_NE(example, std::string::npos) << what << ": " << r.describe();
            char after = r.out[example + 19 + cmd.size()];
            EXPECT_TRUE(after == ' ' || after == '\n') << what << ": " << r.describe();
            EXPECT_EQ(r.err, "") << what;
        }
    }
    // --help wins over what else is wrong on the line, wherever it stands.
    auto r = tapctl_nobus({"read", "--bogus", "no-such-file", "--help"});
    EXPECT_EQ(r.status, 0) << r.describe();
    EXPECT_EQ(r.out.rfind("Usage: tapctl read FILE", 0), 0u) << r.describe();
}

TEST(TapctlHelp, TopLevelHelpListsEveryCommand) {
    for (const auto& args : std::vector<std::vector<std::string>>{{"--help"}, {"help"}, {"-h"}}) {
        auto r = tapctl_nobus(args);
        EXPECT_EQ(r.status, 0) << r.describe();
        for (const auto& cmd : kCommands)
            EXPECT_NE(r.out.find("\n  " + cmd + " "), std::string::npos) << cmd << r.describe();
    }
    auto r = tapctl_nobus({"help", "frobnicate"});
    EXPECT_EQ(r.status, 2) << r.describe();
    EXPECT_NE(r.err.find("help: unknown command 'frobnicate'"), std::string::npos) << r.describe();
}

TEST(TapctlOptions, ValueErrorsInEveryFormExitTwoAndNameTheValue) {
    struct Case {
        std::vector<std::string> args;
        std::string want;
    };
    for (const Case& c : std::vector<Case>{
             {{"create", "tap0", "--mtu=abc"}, "create: --mtu: 'abc' is not a number"},
             {{"create", "--mtu", "abc", "tap0"}, "create: --mtu: 'abc' is not a number"},
             {{"create", "tap0", "--mtu"}, "create: --mtu needs a value"},
             {{"create", "tap0", "--json=yes"}, "create: option '--json' takes no value"},
             {{"create", "tap0", "--m"}, "create: option '--m' is ambiguous"},
             {{"read", "x.pcap", "-cX"}, "read: -c: 'X' is not a number"},
             {{"read", "x.pcap", "-vc"}, "read: -c needs a value"},
             {{"read", "x.pcap", "-q"}, "read: unknown option '-q'"},
             {{"create", "tap0", "--json"}, "create has no JSON output"},
             {{"addr", "frob", "tap0", "192.168.69.1/24"}, "addr: 'frob' is neither add nor del"},
             {{"route", "add", "tap0"}, "route add needs a PREFIX/PLEN"},
             {{"masquerade", "tap0", "maybe"}, "masquerade: 'maybe' is neither on nor off"},
             {{"show", "tap0", "tap1"}, "show: unexpected argument 'tap1'"},
         }) {
        auto r = tapctl_nobus(c.args);
        EXPECT_EQ(r.status, 2) << r.describe();
        EXPECT_NE(r.err.find(c.want), std::string::npos)
            << "want '" << c.want << "' in " << r.describe();
    }
}

// A pcap file of N broadcast ARP requests (who-has 192.168.69.2 tell 192.168.69.1).
std::string write_arp_pcap(const std::string& path, int n) {
    std::string out;
    auto u16 = [&](uint16_t v) { out.append({char(v & 0xff), char(v >> 8)}); };
    auto u32 = [&](uint32_t v) {
        u16(static_cast<uint16_t>(v & 0xffff));
        u16(static_cast<uint16_t>(v >> 16));
    };
    u32(0xa1b2c3d4);  // pcap, microseconds, little-endian
    u16(2);
    u16(4);
    u32(0);
    u32(0);
    u32(65535);
    u32(1);  // LINKTYPE_ETHERNET
    const unsigned char frame[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0,   0,  0,
                                   0,    1,    0x08, 0x06,                       // Ethernet
                                   0,    1,    0x08, 0,    6,    4,    0,    1,  // ARP request
                                   0x02, 0,    0,    0,    0,    1,    192,  168, 69, 1,   // sender
                                   0,    0,    0,    0,    0,    0,    192,  168, 69, 2};  // target
    for (int i = 0; i < n; ++i) {
        u32(1700000000 + i);
        u32(0);
        u32(sizeof frame);
        u32(sizeof frame);
        out.append(reinterpret_cast<const char*>(frame), sizeof frame);
    }
    std::ofstream(path, std::ios::binary) << out;
    return path;
}

class TapctlRead : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/tapctl-test.XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        file_ = write_arp_pcap(dir_ + "/arp.pcap", 3);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string dir_, file_;
};

TEST_F(TapctlRead, CountTakesEveryGnuForm) {
    ASSERT_EQ(lines(tapctl_nobus({"read", file_}).out).size(), 3u);
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"read", file_, "-c1"},
             {"read", file_, "-c", "1"},
             {"read", "-c1", file_},
             {"read", file_, "--count=1"},
             {"read", file_, "--count", "1"},
             {"read", file_, "--cou=1"},  // an unambiguous abbreviation
         }) {
        auto r = tapctl_nobus(args);
        EXPECT_EQ(r.status, 0) << r.describe();
        auto got = lines(r.out);
        ASSERT_EQ(got.size(), 1u) << r.describe();
        EXPECT_NE(got[0].find("ARP, Request who-has 192.168.69.2 tell 192.168.69.1"),
                  std::string::npos)
            << r.describe();
    }
    // Bundled short options: -v and -c 2 in one word.
    auto verbose = tapctl_nobus({"read", file_, "-vc2"});
    EXPECT_EQ(verbose.status, 0) << verbose.describe();
    EXPECT_GT(lines(verbose.out).size(), 2u) << verbose.describe();
    EXPECT_EQ(verbose.out.find("Frame 3"), std::string::npos) << verbose.describe();
}

TEST_F(TapctlRead, JsonIsAGlobalOptionBeforeOrAfterTheCommand) {
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"--json", "read", file_, "-c2"},
                                               {"read", "--json", file_, "-c2"},
                                               {"read", file_, "-c2", "--json"}}) {
        auto r = tapctl_nobus(args);
        ASSERT_EQ(r.status, 0) << r.describe();
        auto got = lines(r.out);
        ASSERT_EQ(got.size(), 2u) << r.describe();
        for (const auto& line : got) {
            auto j = nlohmann::json::parse(line);
            EXPECT_TRUE(j.is_object()) << line;
        }
    }
}

TEST(TapctlNoBus, OperandsAfterDoubleDashAreOperands) {
    // "--" ends the options: "-c1" after it is a second FILE, which read refuses by name.
    auto r = tapctl_nobus({"read", "--", "a.pcap", "-c1"});
    EXPECT_EQ(r.status, 2) << r.describe();
    EXPECT_NE(r.err.find("read: unexpected argument '-c1'"), std::string::npos) << r.describe();
}

class Tapctl : public TapdTest {};

TEST_F(Tapctl, PolicyJsonKeepsTheTypesOfGetPolicy) {
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"policy", "--json"}, {"--json", "policy"}}) {
        auto r = env_->tapctl(args);
        ASSERT_EQ(r.status, 0) << r.describe();
        auto j = nlohmann::json::parse(r.out);
        EXPECT_EQ(j["max_taps"], 4) << j.dump();
        EXPECT_TRUE(j["max_taps"].is_number_unsigned()) << j.dump();
        EXPECT_EQ(j["uid"], 65534) << j.dump();
        EXPECT_EQ(j["taps"], 0) << j.dump();
        EXPECT_EQ(j["masquerade"], true) << j.dump();
        EXPECT_EQ(j["unlimited"], false) << j.dump();
        EXPECT_EQ(j["name_prefixes"], nlohmann::json::array({"tap"})) << j.dump();
        EXPECT_EQ(j["prefixes"], nlohmann::json::array({"10.0.0.0/8", "172.16.0.0/12",
                                                        "192.168.0.0/16", "fc00::/7", "fe80::/64"}))
            << j.dump();
        EXPECT_TRUE(j["matched_rules"].is_array()) << j.dump();
        EXPECT_TRUE(j["policy"].is_string()) << j.dump();
        // The host's integrations, off by default.
        EXPECT_EQ(j["integrations.docker"], false) << j.dump();
        EXPECT_EQ(j["integrations.firewalld_zone"], "") << j.dump();
    }
    // The text form is what it was: one "key value" line each.
    auto text = env_->tapctl({"policy"});
    EXPECT_NE(text.out.find("max_taps           4\n"), std::string::npos) << text.describe();
    EXPECT_NE(text.out.find("integrations.docker false\n"), std::string::npos) << text.describe();
}

TEST_F(Tapctl, PolicyShowsTheIntegrationsInForce) {
    std::string policy = kTestPolicy;
    policy.insert(policy.find("\"rules\""),
                  "\"integrations\": {\"docker\": true, \"firewalld_zone\": \"trusted\"},\n  ");
    env_->write_policy(policy);
    auto reload = env_->busctl(0, {"/net/tapd1", "net.tapd1.Manager", "Reload"});
    ASSERT_EQ(reload.status, 0) << reload.describe();
    auto r = env_->tapctl({"--json", "policy"});
    ASSERT_EQ(r.status, 0) << r.describe();
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["integrations.docker"], true) << j.dump();
    EXPECT_EQ(j["integrations.firewalld_zone"], "trusted") << j.dump();
    auto text = env_->tapctl({"policy"});
    EXPECT_NE(text.out.find("integrations.firewalld_zone trusted\n"), std::string::npos)
        << text.describe();
}

TEST_F(Tapctl, ListAndShowJsonAreTypedAndTakeOptionsInEveryForm) {
    auto created = env_->tapctl({"create", "--address=192.168.69.100/24", "tap0", "--mtu=1400"});
    ASSERT_EQ(created.status, 0) << created.describe();
    auto list = env_->tapctl({"--json", "list"});
    ASSERT_EQ(list.status, 0) << list.describe();
    auto j = nlohmann::json::parse(list.out);
    ASSERT_TRUE(j.is_array()) << j.dump();
    ASSERT_EQ(j.size(), 1u) << j.dump();
    EXPECT_EQ(j[0]["name"], "tap0");
    EXPECT_EQ(j[0]["mtu"], 1400) << j.dump();
    EXPECT_EQ(j[0]["owner_uid"], 65534) << j.dump();
    EXPECT_TRUE(j[0]["index"].is_number_unsigned()) << j.dump();
    EXPECT_EQ(j[0]["persistent"], true) << j.dump();
    EXPECT_EQ(j[0]["masquerade"], false) << j.dump();
    EXPECT_EQ(j[0]["addresses"], nlohmann::json::array({"192.168.69.100/24"})) << j.dump();
    EXPECT_EQ(j[0]["routes"], nlohmann::json::array()) << j.dump();
    auto show = env_->tapctl({"show", "--json", "tap0"});
    ASSERT_EQ(show.status, 0) << show.describe();
    EXPECT_EQ(nlohmann::json::parse(show.out), j[0]);
}

TEST_F(Tapctl, ExecLeavesEverythingAfterDoubleDashToTheProgram) {
    auto r = env_->tapctl({"exec", "--address=192.168.69.100/24", "tap1", "--", "sh", "-c",
                           "echo \"$TAPD_IFNAME $*\"", "sh", "--json", "-c1", "--help", "--"});
    ASSERT_EQ(r.status, 0) << r.describe();
    EXPECT_EQ(r.out, "tap1 --json -c1 --help --\n");
}

TEST_F(Tapctl, SaysTapdIsNotRunningWhenNoOneOwnsItsName) {
    env_->stop_tapd();
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"list"}, {"create", "tap0"}, {"policy", "--json"}}) {
        auto r = env_->tapctl(args);
        EXPECT_EQ(r.status, 1) << r.describe();
        EXPECT_EQ(r.err, "tapctl: tapd is not running (try: systemctl start tapd)\n")
            << r.describe();
    }
}

TEST_F(Tapctl, PrefixRefusalsNameThePrefixesYouMayUseAndTheRule) {
    const std::string hint =
        "\ntapctl: you may use: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7, fe80::/64 "
        "(rule 0, line 4: the integration tests' two users)\n";
    auto create = env_->tapctl({"create", "tap0", "--address", "8.8.8.8/32"});
    EXPECT_EQ(create.status, 1) << create.describe();
    // The daemon's message as it is, then the hint.
    EXPECT_EQ(
        create.err,
        "tapctl: PermissionDenied: address 8.8.8.8/32 is outside the prefixes you may use" + hint)
        << create.describe();
    ASSERT_EQ(env_->tapctl({"create", "tap0"}).status, 0);
    auto route = env_->tapctl({"route", "add", "tap0", "2001:db8::/64"});
    EXPECT_EQ(route.status, 1) << route.describe();
    EXPECT_EQ(
        route.err,
        "tapctl: PermissionDenied: route 2001:db8::/64 is outside the prefixes you may use" + hint)
        << route.describe();
}

TEST_F(Tapctl, AddrRouteAndMasqueradeChangeTheTapThroughItsObject) {
    ASSERT_EQ(env_->tapctl({"create", "tap0"}).status, 0);
    struct Step {
        std::vector<std::string> args;
        std::string out;
    };
    for (const Step& s : std::vector<Step>{
             {{"addr", "add", "tap0", "192.168.69.100/24"},
              "added address 192.168.69.100/24 to tap0\n"},
             {{"addr", "add", "tap0", "fdaa::100/64"}, "added address fdaa::100/64 to tap0\n"},
             {{"route", "add", "tap0", "fdaa::1:0:0:0/80"},
              "added route fdaa::1:0:0:0/80 via tap0\n"},
             {{"masquerade", "tap0", "on"}, "masquerade on for tap0\n"},
         }) {
        auto r = env_->tapctl(s.args);
        EXPECT_EQ(r.status, 0) << r.describe();
        EXPECT_EQ(r.out, s.out) << r.describe();
    }
    auto shown = nlohmann::json::parse(env_->tapctl({"show", "tap0", "--json"}).out);
    EXPECT_EQ(shown["addresses"], nlohmann::json::array({"192.168.69.100/24", "fdaa::100/64"}))
        << shown.dump();
    EXPECT_EQ(shown["routes"], nlohmann::json::array({"fdaa::1:0:0:0/80"})) << shown.dump();
    EXPECT_EQ(shown["masquerade"], true) << shown.dump();
    // What the kernel and nf_tables hold.
    bool have_v4 = false;
    for (const auto& link : env_->ip_json({"addr", "show", "dev", "tap0"}))
        for (const auto& a : link["addr_info"]) have_v4 = have_v4 || a["local"] == "192.168.69.100";
    EXPECT_TRUE(have_v4);
    EXPECT_EQ(env_->ip_json({"-6", "route", "show", "proto", "177"}).size(), 1u);
    EXPECT_EQ(env_->nft_set("masq4"), (std::vector<std::string>{"192.168.69.0/24"}));

    for (const Step& s : std::vector<Step>{
             {{"masquerade", "tap0", "off"}, "masquerade off for tap0\n"},
             {{"route", "del", "tap0", "fdaa::1:0:0:0/80"},
              "removed route fdaa::1:0:0:0/80 via tap0\n"},
             {{"addr", "del", "tap0", "fdaa::100/64"}, "removed address fdaa::100/64 from tap0\n"},
             {{"addr", "del", "tap0", "192.168.69.100/24"},
              "removed address 192.168.69.100/24 from tap0\n"},
         }) {
        auto r = env_->tapctl(s.args);
        EXPECT_EQ(r.status, 0) << r.describe();
        EXPECT_EQ(r.out, s.out) << r.describe();
    }
    shown = nlohmann::json::parse(env_->tapctl({"show", "tap0", "--json"}).out);
    EXPECT_EQ(shown["addresses"], nlohmann::json::array()) << shown.dump();
    EXPECT_EQ(shown["routes"], nlohmann::json::array()) << shown.dump();
    EXPECT_EQ(shown["masquerade"], false) << shown.dump();
    EXPECT_TRUE(env_->nft_set("masq4").empty());
    EXPECT_TRUE(env_->ip_json({"-6", "route", "show", "proto", "177"}).empty());
}

TEST_F(Tapctl, TapObjectCommandsOnAMissingOrForeignTapAreRefusedByName) {
    auto missing = env_->tapctl({"addr", "add", "tap7", "192.168.69.100/24"});
    EXPECT_EQ(missing.status, 1) << missing.describe();
    EXPECT_EQ(missing.err, "tapctl: NotFound: no tap 'tap7' of yours\n") << missing.describe();
    ASSERT_EQ(env_->tapctl({"create", "tap1"}, 65533).status, 0);
    auto foreign = env_->tapctl({"masquerade", "tap1", "on"});
    EXPECT_EQ(foreign.status, 1) << foreign.describe();
    EXPECT_NE(foreign.err.find("tap1"), std::string::npos) << foreign.describe();
    EXPECT_EQ(
        nlohmann::json::parse(env_->tapctl({"show", "tap1", "--json"}, 65533).out)["masquerade"],
        false);
}

}  // namespace
}  // namespace tapd::test
