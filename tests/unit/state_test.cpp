// Tests for daemon/state: records to and from JSON, the tap alias, and the atomic StateFile.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>

#include "expect.hpp"
#include "state.hpp"
#include "without_caps.hpp"

namespace tapd {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

template <class R>
::testing::AssertionResult FailedNaming(const R& r, std::string_view text) {
    if (r.ok()) return ::testing::AssertionFailure() << "succeeded";
    if (r.error().message.find(text) == std::string::npos)
        return ::testing::AssertionFailure()
               << "message \"" << r.error().message << "\" does not hold \"" << text << "\"";
    return ::testing::AssertionSuccess();
}

TapRecord full_record() {
    TapRecord r;
    r.name = "tap-0.x_y";
    r.ifindex = 42;
    r.owner = 1000;
    r.addresses = {addr("192.168.69.100/24"), addr("fdaa::100/64")};
    r.routes = {net("10.1.0.0/16"), net("fdbb::/48")};
    r.masquerade = true;
    r.persistent = false;
    r.owner_access = true;
    r.vnet_hdr = true;
    r.multi_queue = true;
    r.mtu = 9000;
    r.mac = "02:00:00:00:00:01";
    r.lease = ":1.42";
    return r;
}

TapRecord plain_record() {
    TapRecord r;
    r.name = "tap1";
    r.ifindex = 7;
    r.owner = 65534;
    r.persistent = true;
    return r;
}

void expect_same(const TapRecord& a, const TapRecord& b) {
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.ifindex, b.ifindex);
    EXPECT_EQ(a.owner, b.owner);
    EXPECT_EQ(a.addresses, b.addresses);
    EXPECT_EQ(a.routes, b.routes);
    EXPECT_EQ(a.masquerade, b.masquerade);
    EXPECT_EQ(a.persistent, b.persistent);
    EXPECT_EQ(a.owner_access, b.owner_access);
    EXPECT_EQ(a.vnet_hdr, b.vnet_hdr);
    EXPECT_EQ(a.multi_queue, b.multi_queue);
    EXPECT_EQ(a.mtu, b.mtu);
    EXPECT_EQ(a.mac, b.mac);
    EXPECT_EQ(a.lease, b.lease);
}

void expect_same(const State& a, const State& b) {
    ASSERT_EQ(a.taps.size(), b.taps.size());
    for (size_t i = 0; i < a.taps.size(); ++i) expect_same(a.taps[i], b.taps[i]);
    EXPECT_EQ(a.saved_ip_forward, b.saved_ip_forward);
}

State two_taps() {
    State s;
    s.taps = {full_record(), plain_record()};
    s.saved_ip_forward = 0;
    return s;
}

// masquerade_subnets

TEST(TapRecord, MasqueradesTheIpv4SubnetsOfItsAddresses) {
    TapRecord r;
    r.addresses = {addr("192.168.69.100/24"), addr("fdaa::100/64"), addr("10.1.2.3/16")};
    auto subnets = r.masquerade_subnets();
    ASSERT_EQ(subnets.size(), 2u);
    EXPECT_EQ(subnets[0].str(), "192.168.69.0/24");
    EXPECT_EQ(subnets[1].str(), "10.1.0.0/16");
}

TEST(TapRecord, HasNoMasqueradeSubnetsWithoutIpv4) {
    TapRecord r;
    r.addresses = {addr("fdaa::100/64")};
    EXPECT_TRUE(r.masquerade_subnets().empty());
}

// JSON

TEST(StateJson, RoundTripsEveryField) {
    auto s = two_taps();
    auto back = state_from_json(to_json(s));
    ASSERT_TRUE(back.ok()) << back.error().message;
    expect_same(back.value(), s);
}

// The journal's writer writes what the JSON value would: the same text, byte for byte.
TEST(StateJson, RecordTextIsTheRecordsJsonDumped) {
    TapRecord veth = full_record();
    veth.veth = true;
    veth.peer_name = "eth0";
    veth.peer_addresses = {addr("192.168.69.2/30"), addr("fdaa::2/64")};
    TapRecord odd = plain_record();
    odd.mac = std::string("q\"b\\s/\b\t\n\v\f\r\x01\x1f\x7f", 16);
    odd.lease = std::string("nul\0end", 7);
    odd.peer_name = "ignored: not a veth";
    TapRecord utf8 = plain_record();
    utf8.lease = "caf\xc3\xa9 \xe2\x82\xac";
    TapRecord max = plain_record();
    max.ifindex = -1;
    max.owner = 0xfffffffeu;
    max.mtu = 0xffffffffu;
    for (const TapRecord& r : {full_record(), plain_record(), veth, odd, utf8, max}) {
        EXPECT_EQ(record_json_text(r), to_json(r).dump()) << r.name;
        auto back = record_from_json(json::parse(record_json_text(r)));
        ASSERT_TRUE(back.ok()) << back.error().message;
        expect_same(back.value(), r);
        EXPECT_EQ(back->veth, r.veth);
        EXPECT_EQ(back->peer_addresses, r.veth ? r.peer_addresses : std::vector<Prefix>{});
    }
    // Text that is not UTF-8 is refused as the JSON value's dump() refuses it.
    TapRecord bad = plain_record();
    bad.mac = "\xff";
    EXPECT_THROW(record_json_text(bad), json::exception);
}

TEST(StateJson, RoundTripsThroughText) {
    auto s = two_taps();
    auto back = state_from_json(json::parse(to_json(s).dump(1)));
    ASSERT_TRUE(back.ok()) << back.error().message;
    expect_same(back.value(), s);
}

TEST(StateJson, KeepsAddressHostBitsAsText) {
    auto j = to_json(two_taps());
    EXPECT_EQ(j.at("version"), 1);
    ASSERT_EQ(j.at("taps").size(), 2u);
    EXPECT_EQ(j["taps"][0].at("addresses"), json::array({"192.168.69.100/24", "fdaa::100/64"}));
    EXPECT_EQ(j["taps"][0].at("routes"), json::array({"10.1.0.0/16", "fdbb::/48"}));
    EXPECT_EQ(j["taps"][0].at("name"), "tap-0.x_y");
    EXPECT_EQ(j["taps"][0].at("owner"), 1000);
    EXPECT_EQ(j["taps"][0].at("lease"), ":1.42");
}

TEST(StateJson, WritesSavedIpForwardOnlyWhenSet) {
    State s;
    EXPECT_FALSE(to_json(s).contains("saved_ip_forward"));
    s.saved_ip_forward = 0;
    EXPECT_EQ(to_json(s).at("saved_ip_forward"), 0);
    auto back = state_from_json(to_json(s));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->saved_ip_forward, 0);
    s.saved_ip_forward.reset();
    auto none = state_from_json(to_json(s));
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->saved_ip_forward.has_value());
}

TEST(StateJson, RoundTripsAnEmptyState) {
    auto back = state_from_json(to_json(State{}));
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_TRUE(back->taps.empty());
    EXPECT_FALSE(back->saved_ip_forward.has_value());
}

TEST(StateJson, DefaultsOptionalFieldsOfOlderFiles) {
    json j = {{"version", 1},
              {"taps", json::array({{{"name", "tap0"},
                                     {"ifindex", 3},
                                     {"owner", 1000},
                                     {"addresses", json::array()},
                                     {"routes", json::array()},
                                     {"masquerade", false},
                                     {"persistent", true}}})}};
    auto s = state_from_json(j);
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_EQ(s->taps.size(), 1u);
    const auto& r = s->taps[0];
    EXPECT_EQ(r.name, "tap0");
    EXPECT_EQ(r.ifindex, 3);
    EXPECT_EQ(r.owner, 1000u);
    EXPECT_TRUE(r.persistent);
    EXPECT_FALSE(r.owner_access);
    EXPECT_FALSE(r.vnet_hdr);
    EXPECT_FALSE(r.multi_queue);
    EXPECT_EQ(r.mtu, 0u);
    EXPECT_EQ(r.mac, "");
    EXPECT_EQ(r.lease, "");
}

TEST(StateJson, RefusesOtherVersions) {
    for (json v : {json(0), json(2), json("1"), json(nullptr)}) {
        json j = to_json(two_taps());
        j["version"] = v;
        EXPECT_TRUE(FailedNaming(state_from_json(j), "state file")) << v.dump();
    }
    json j = to_json(two_taps());
    j.erase("version");
    EXPECT_TRUE(FailedNaming(state_from_json(j), "version"));
}

TEST(StateJson, RefusesMissingOrMistypedFieldsWithoutThrowing) {
    for (const char* field :
         {"name", "ifindex", "owner", "addresses", "routes", "masquerade", "persistent"}) {
        json j = to_json(two_taps());
        j["taps"][0].erase(field);
        EXPECT_TRUE(FailedNaming(state_from_json(j), "state file")) << field;
    }
    json j = to_json(two_taps());
    j["taps"][0]["name"] = 5;
    EXPECT_TRUE(FailedNaming(state_from_json(j), "state file"));
    j = to_json(two_taps());
    j["taps"][0]["masquerade"] = "yes";
    EXPECT_TRUE(FailedNaming(state_from_json(j), "state file"));
    j = to_json(two_taps());
    j.erase("taps");
    EXPECT_TRUE(FailedNaming(state_from_json(j), "taps"));
}

TEST(StateJson, RefusesJsonThatIsNotAnObject) {
    for (json j : {json::array({1, 2}), json("state"), json(1), json(nullptr)})
        EXPECT_FALSE(state_from_json(j).ok()) << j.dump();
}

TEST(StateJson, RefusesBadAddressesNamingThem) {
    json j = to_json(two_taps());
    j["taps"][0]["addresses"] = json::array({"192.168.69.100"});
    EXPECT_TRUE(FailedNaming(state_from_json(j), "192.168.69.100"));
    j = to_json(two_taps());
    j["taps"][0]["routes"] = json::array({"10.1.2.3/16"});
    EXPECT_TRUE(FailedNaming(state_from_json(j), "10.1.2.3/16"));
}

// Alias

TEST(TapAlias, WritesOwnerAndPersistence) {
    TapRecord r;
    r.owner = 1000;
    EXPECT_EQ(tap_alias(r), "tapd owner=1000 persistent=0");
    r.persistent = true;
    r.owner = 0;
    EXPECT_EQ(tap_alias(r), "tapd owner=0 persistent=1");
}

TEST(TapAlias, RoundTripsThroughTheParser) {
    for (uid_t owner : {uid_t{0}, uid_t{1}, uid_t{1000}, uid_t{65534}, uid_t{4294967294u}})
        for (bool persistent : {false, true}) {
            TapRecord r;
            r.owner = owner;
            r.persistent = persistent;
            auto info = parse_tap_alias(tap_alias(r));
            ASSERT_TRUE(info.has_value()) << tap_alias(r);
            EXPECT_EQ(info->owner, owner);
            EXPECT_EQ(info->persistent, persistent);
        }
}

TEST(TapAlias, RefusesForeignAliases) {
    for (const char* alias : {"", "tapd", "my vm uplink", "tapd owner=1000", "tapd persistent=0",
                              "Tapd owner=1000 persistent=0", " tapd owner=1000 persistent=0",
                              "tapd owner=abc persistent=0", "tapd owner=1000 persistent=yes",
                              "tapd persistent=0 owner=1000", "libvirt owner=1000 persistent=0"})
        EXPECT_FALSE(parse_tap_alias(alias).has_value()) << "'" << alias << "'";
}

TEST(TapAlias, RefusesTrailingGarbage) {
    for (const char* alias : {"tapd owner=1000 persistent=0 ", "tapd owner=1000 persistent=0\n",
                              "tapd owner=1000 persistent=0x", "tapd owner=1000 persistent=1 extra",
                              "tapd owner=1000x persistent=0"})
        EXPECT_FALSE(parse_tap_alias(alias).has_value()) << "'" << alias << "'";
    EXPECT_FALSE(parse_tap_alias(std::string("tapd owner=1000 persistent=0\0x", 30)).has_value());
}

TEST(TapAlias, RefusesPersistenceOtherThanZeroOrOne) {
    for (const char* alias : {"tapd owner=1000 persistent=2", "tapd owner=1000 persistent=-1",
                              "tapd owner=1000 persistent=10"})
        EXPECT_FALSE(parse_tap_alias(alias).has_value()) << alias;
}

TEST(TapAlias, RefusesOwnersOutsideTheUidRange) {
    // 4294967296 would wrap to uid 0 (root) in a 32-bit uid_t.
    for (const char* alias : {"tapd owner=4294967296 persistent=0", "tapd owner=-1 persistent=0",
                              "tapd owner=18446744073709551616 persistent=0"})
        EXPECT_FALSE(parse_tap_alias(alias).has_value()) << alias;
}

TEST(TapAlias, AcceptsOnlyTheExactTextTapAliasWrites) {
    // The alias decides whether reconcile deletes a link; a near miss is a foreign link.
    for (const char* alias : {"tapd  owner=1000 persistent=0", "tapd owner=1000  persistent=0",
                              "tapd owner= 1000 persistent=0", "tapd owner=+1000 persistent=0",
                              "tapd owner=01000 persistent=0", "tapd owner=1000 persistent=+1",
                              "tapd owner=1000 persistent= 1", "tapd owner=1000 persistent=01",
                              "tapd owner=1000\tpersistent=0"})
        EXPECT_FALSE(parse_tap_alias(alias).has_value()) << "'" << alias << "'";
}

// StateFile

class StateFileTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string templ = (fs::temp_directory_path() / "tapd-unit-XXXXXX").string();
        ASSERT_NE(::mkdtemp(templ.data()), nullptr);
        dir_ = templ;
    }
    void TearDown() override {
        std::error_code ec;
        fs::permissions(dir_, fs::perms::owner_all, ec);
        fs::remove_all(dir_, ec);
    }
    std::set<std::string> entries(const std::string& dir) const {
        std::set<std::string> out;
        for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
        return out;
    }
    void write(const std::string& path, const std::string& text) const {
        std::ofstream(path, std::ios::binary) << text;
    }

    std::string dir_;
};

TEST_F(StateFileTest, PathIsStateJsonInTheDirectory) {
    EXPECT_EQ(StateFile(dir_).path(), dir_ + "/state.json");
}

TEST_F(StateFileTest, LoadsAnEmptyStateWhenThereIsNoFile) {
    auto s = StateFile(dir_).load();
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_TRUE(s->taps.empty());
    EXPECT_FALSE(s->saved_ip_forward.has_value());
}

TEST_F(StateFileTest, SavesAndLoadsEveryField) {
    StateFile f(dir_);
    ASSERT_TRUE(f.save(two_taps()).ok());
    auto s = f.load();
    ASSERT_TRUE(s.ok()) << s.error().message;
    expect_same(s.value(), two_taps());
}

TEST_F(StateFileTest, LeavesOnlyStateJsonBehind) {
    StateFile f(dir_);
    ASSERT_TRUE(f.save(two_taps()).ok());
    ASSERT_TRUE(f.save(State{}).ok());
    EXPECT_EQ(entries(dir_), std::set<std::string>{"state.json"});
}

TEST_F(StateFileTest, WritesTheFileReadableByRootOnly) {
    StateFile f(dir_);
    ASSERT_TRUE(f.save(two_taps()).ok());
    struct stat st {};
    ASSERT_EQ(::stat(f.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(StateFileTest, WritesParseableJsonEndingInANewline) {
    StateFile f(dir_);
    ASSERT_TRUE(f.save(two_taps()).ok());
    std::ifstream in(f.path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    EXPECT_EQ(json::parse(text), to_json(two_taps()));
}

TEST_F(StateFileTest, ReplacesTheWholePreviousState) {
    StateFile f(dir_);
    ASSERT_TRUE(f.save(two_taps()).ok());
    State one;
    one.taps = {plain_record()};
    ASSERT_TRUE(f.save(one).ok());
    auto s = f.load();
    ASSERT_TRUE(s.ok()) << s.error().message;
    expect_same(s.value(), one);
}

TEST_F(StateFileTest, OverwritesAStaleTmpFileLeftByACrash) {
    StateFile f(dir_);
    write(f.path() + ".tmp", std::string(100000, 'x'));
    ASSERT_TRUE(f.save(two_taps()).ok());
    EXPECT_EQ(entries(dir_), std::set<std::string>{"state.json"});
    auto s = f.load();
    ASSERT_TRUE(s.ok()) << s.error().message;
    expect_same(s.value(), two_taps());
}

TEST_F(StateFileTest, LoadOfGarbageNamesThePath) {
    StateFile f(dir_);
    write(f.path(), "{\"version\": 1, \"taps\": [");
    auto s = f.load();
    EXPECT_TRUE(FailedNaming(s, f.path()));
    EXPECT_EQ(s.error().kind, ErrorKind::Failed);
}

TEST_F(StateFileTest, LoadOfAnEmptyFileNamesThePath) {
    StateFile f(dir_);
    write(f.path(), "");
    EXPECT_TRUE(FailedNaming(f.load(), f.path()));
}

TEST_F(StateFileTest, LoadOfBinaryNamesThePath) {
    StateFile f(dir_);
    write(f.path(), std::string("\0\xff\xfe{", 4));
    EXPECT_TRUE(FailedNaming(f.load(), f.path()));
}

TEST_F(StateFileTest, LoadOfJsonThatIsNotAStateNamesThePath) {
    StateFile f(dir_);
    write(f.path(), "[1, 2, 3]\n");
    EXPECT_TRUE(FailedNaming(f.load(), f.path()));
    write(f.path(), "{\"version\": 2, \"taps\": []}\n");
    EXPECT_TRUE(FailedNaming(f.load(), f.path()));
}

TEST_F(StateFileTest, LoadFailsNamingThePathWhenItIsADirectory) {
    StateFile f(dir_);
    ASSERT_TRUE(fs::create_directory(f.path()));
    EXPECT_TRUE(FailedNaming(f.load(), f.path()));
}

TEST_F(StateFileTest, SaveIntoAMissingDirectoryFailsNamingThePath) {
    std::string missing = dir_ + "/does-not-exist";
    auto st = StateFile(missing).save(two_taps());
    EXPECT_TRUE(FailedNaming(st, missing + "/state.json"));
    EXPECT_EQ(st.error().kind, ErrorKind::Failed);
    EXPECT_FALSE(fs::exists(missing));
}

TEST_F(StateFileTest, SaveBelowARegularFileFailsNamingThePath) {
    write(dir_ + "/file", "x");
    std::string below = dir_ + "/file";
    EXPECT_TRUE(FailedNaming(StateFile(below).save(two_taps()), below));
}

TEST_F(StateFileTest, SaveIntoAReadOnlyDirectoryFailsNamingThePath) {
    std::string ro = dir_ + "/ro";
    ASSERT_TRUE(fs::create_directory(ro));
    fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
    // As tapd runs: uid 0 without CAP_DAC_OVERRIDE, so directory modes apply to it too.
    EXPECT_TRUE(without_file_capabilities(
        [&] { return static_cast<bool>(FailedNaming(StateFile(ro).save(two_taps()), ro)); }));
    EXPECT_TRUE(entries(ro).empty());
}

TEST_F(StateFileTest, FailedRenameRemovesTheTmpFileAndKeepsWhatWasThere) {
    // A directory named state.json makes rename() fail even for root.
    StateFile f(dir_);
    ASSERT_TRUE(fs::create_directory(f.path()));
    auto st = f.save(two_taps());
    EXPECT_TRUE(FailedNaming(st, f.path()));
    EXPECT_FALSE(fs::exists(f.path() + ".tmp"));
    EXPECT_TRUE(fs::is_directory(f.path()));
}

TEST_F(StateFileTest, PrepareCreatesThePrivateDirectory) {
    std::string sub = dir_ + "/run-tapd";
    StateFile f(sub);
    ASSERT_TRUE(f.prepare().ok());
    struct stat st {};
    ASSERT_EQ(::stat(sub.c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    EXPECT_TRUE(f.prepare().ok()) << "a second prepare must accept the existing directory";
    EXPECT_TRUE(f.save(two_taps()).ok());
}

TEST_F(StateFileTest, PrepareFailsNamingTheDirectoryWhenItsParentIsMissing) {
    std::string deep = dir_ + "/a/b";
    auto st = StateFile(deep).prepare();
    EXPECT_TRUE(FailedNaming(st, deep));
}

// The journal: each change one line, replayed over state.json by load(), folded in by save().

TEST_F(StateFileTest, JournalChangesAreReplayedOverTheSavedState) {
    StateFile f(dir_);
    State one;
    one.taps = {plain_record()};
    ASSERT_TRUE(f.save(one).ok());
    ASSERT_TRUE(f.put(full_record()).ok());
    TapRecord changed = plain_record();
    changed.addresses = {addr("192.168.69.7/24")};
    ASSERT_TRUE(f.put(changed).ok());
    ASSERT_TRUE(f.put_saved_ip_forward(0).ok());
    EXPECT_EQ(f.journal_lines(), 3u);
    State want;
    want.taps = {full_record(), changed};
    want.saved_ip_forward = 0;
    auto s = StateFile(dir_).load();
    ASSERT_TRUE(s.ok()) << s.error().message;
    expect_same(s.value(), want);
}

TEST_F(StateFileTest, JournalEraseAndForwardResetReplay) {
    StateFile f(dir_);
    ASSERT_TRUE(f.save(two_taps()).ok());
    ASSERT_TRUE(f.erase("tap1").ok());
    ASSERT_TRUE(f.erase("never-there").ok());
    ASSERT_TRUE(f.put_saved_ip_forward(std::nullopt).ok());
    StateFile again(dir_);
    auto s = again.load();
    ASSERT_TRUE(s.ok()) << s.error().message;
    State want;
    want.taps = {full_record()};
    expect_same(s.value(), want);
    EXPECT_EQ(again.journal_lines(), 3u);
}

TEST_F(StateFileTest, AJournalAloneIsAState) {
    StateFile f(dir_);
    ASSERT_TRUE(f.put(plain_record()).ok());
    auto s = StateFile(dir_).load();
    ASSERT_TRUE(s.ok()) << s.error().message;
    State want;
    want.taps = {plain_record()};
    expect_same(s.value(), want);
}

TEST_F(StateFileTest, SaveFoldsTheJournalIn) {
    StateFile f(dir_);
    ASSERT_TRUE(f.put(full_record()).ok());
    ASSERT_TRUE(f.put(plain_record()).ok());
    ASSERT_TRUE(f.put_saved_ip_forward(0).ok());
    ASSERT_TRUE(f.save(two_taps()).ok());
    EXPECT_EQ(f.journal_lines(), 0u);
    EXPECT_EQ(entries(dir_), std::set<std::string>{"state.json"});
    auto s = StateFile(dir_).load();
    ASSERT_TRUE(s.ok()) << s.error().message;
    expect_same(s.value(), two_taps());
}

TEST_F(StateFileTest, AJournalLineCutShortByACrashIsIgnored) {
    StateFile f(dir_);
    ASSERT_TRUE(f.put(plain_record()).ok());
    {
        std::ofstream out(f.journal_path(), std::ios::app | std::ios::binary);
        out << "{\"erase\": \"ta";  // the write a crash interrupted: no newline
    }
    StateFile reader(dir_);
    auto s = reader.load();
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_EQ(s->taps.size(), 1u);
    EXPECT_EQ(s->taps[0].name, "tap1");
    EXPECT_TRUE(reader.torn_tail());
}

TEST_F(StateFileTest, AJournalOfWholeLinesHasNoTornTail) {
    StateFile f(dir_);
    ASSERT_TRUE(f.put(plain_record()).ok());
    StateFile reader(dir_);
    ASSERT_TRUE(reader.load().ok());
    EXPECT_FALSE(reader.torn_tail());
    EXPECT_EQ(reader.journal_lines(), 1u);
}

TEST_F(StateFileTest, AJournalWithABadLineNamesTheFileAndLine) {
    StateFile f(dir_);
    ASSERT_TRUE(f.put(plain_record()).ok());
    {
        std::ofstream out(f.journal_path(), std::ios::app | std::ios::binary);
        out << "{\"erase\": 7}\n";
    }
    ASSERT_TRUE(f.put(full_record()).ok());
    EXPECT_TRUE(FailedNaming(StateFile(dir_).load(), f.journal_path() + " line 2"));
    write(f.journal_path(), "[1]\n");
    EXPECT_TRUE(FailedNaming(StateFile(dir_).load(), f.journal_path() + " line 1"));
    write(f.journal_path(), "{\"put\": {\"name\": \"x\"}}\n");
    EXPECT_TRUE(FailedNaming(StateFile(dir_).load(), f.journal_path() + " line 1"));
    write(f.journal_path(), "{\"saved_ip_forward\": \"1\"}\n");
    EXPECT_TRUE(FailedNaming(StateFile(dir_).load(), f.journal_path() + " line 1"));
}

TEST_F(StateFileTest, AJournalThatCannotBeWrittenNamesItsPath) {
    StateFile f(dir_);
    ASSERT_TRUE(fs::create_directory(f.journal_path()));
    auto st = f.put(plain_record());
    EXPECT_TRUE(FailedNaming(st, "writing state: open " + f.journal_path() + ": Is a directory"));
    EXPECT_EQ(f.journal_lines(), 0u);
}

TEST_F(StateFileTest, TheJournalIsReadableByRootOnly) {
    StateFile f(dir_);
    ASSERT_TRUE(f.put(plain_record()).ok());
    struct stat st {};
    ASSERT_EQ(::stat(f.journal_path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
}

}  // namespace
}  // namespace tapd
