// OpenRawSocket: a raw IP socket that receives and sends only through its tap. Every known way
// out (IP_PKTINFO, sin6_scope_id, IP_HDRINCL spoofing, multicast/unicast interface options,
// rebinding, SO_MARK) is tried by tests/support/raw_bypass and must reach neither a sentinel
// interface in another namespace nor the host through lo; legitimate sends must reach the tap.
#include <thread>

#include "harness.hpp"

namespace tapd::test {
namespace {

std::string support_bin(const std::string& name) {
    return std::string(TAPD_TEST_SUPPORT) + "/" + name;
}

constexpr const char* kSentinelMac = "02:00:00:00:00:ee";
constexpr const char* kTapPeerMac = "02:00:00:00:00:01";

// The world: tap0 of uid 65534 (192.168.69.100/24, fdaa::100/64) in the host namespace, and an
// interface "other" (203.0.113.2/24) whose peer "sentinel" sits in its own namespace and counts
// every protocol-253 packet reaching it (nft netdev ingress). A second table counts what reaches
// the host's own stack from anywhere but tap0 (input hook, lo included): multicast the socket
// sends on tap0 is looped back to the host as received on tap0 (IP_MULTICAST_LOOP), which is
// what the tap's own program can do by writing into the tap.
class RawSocketTest : public ::testing::Test {
  protected:
    void SetUp() override {
        TAPD_REQUIRE_PRIVILEGES();
        env_ = std::make_unique<Env>();
        sentinel_ = env_->add_ns("sentinel");
        const std::string& host = env_->ns();
        // No DAD on the new links (this namespace only): IPv6 link-local sources are usable at
        // once, so the control run's IPv6 ways out are not refused for a tentative address.
        ok({"ip", "netns", "exec", host, "sysctl", "-q", "-w",
            "net.ipv6.conf.default.accept_dad=0"});
        ok({"ip", "netns", "exec", sentinel_, "sysctl", "-q", "-w",
            "net.ipv6.conf.default.accept_dad=0"});
        ok({"ip", "-n", host, "link", "add", "other", "type", "veth", "peer", "name", "sentinel",
            "netns", sentinel_});
        ok({"ip", "-n", sentinel_, "link", "set", "sentinel", "address", kSentinelMac});
        ok({"ip", "-n", host, "addr", "add", "203.0.113.2/24", "dev", "other"});
        ok({"ip", "-n", host, "link", "set", "other", "up"});
        ok({"ip", "-n", sentinel_, "addr", "add", "203.0.113.1/24", "dev", "sentinel"});
        ok({"ip", "-n", sentinel_, "link", "set", "sentinel", "up"});
        // Static neighbours: no ARP/ND wait decides whether a packet leaves.
        ok({"ip", "-n", host, "neigh", "add", "203.0.113.1", "lladdr", kSentinelMac, "dev",
            "other"});
        ok({"ip", "-n", host, "-6", "neigh", "add", "fe80::1", "lladdr", kSentinelMac, "dev",
            "other"});
        ok({"ip", "netns", "exec", sentinel_, "nft",
            "add table netdev sentinel; "
            "add chain netdev sentinel in { type filter hook ingress device sentinel priority 0; "
            "}; "
            "add rule netdev sentinel in ip protocol 253 counter; "
            "add rule netdev sentinel in ip6 nexthdr 253 counter"});
        ok({"ip", "netns", "exec", host, "nft",
            "add table inet rawtest; "
            "add chain inet rawtest in { type filter hook input priority -300; }; "
            "add rule inet rawtest in iifname != \"tap0\" ip protocol 253 counter; "
            "add rule inet rawtest in iifname != \"tap0\" ip6 nexthdr 253 counter"});
        env_->start_tapd();
        auto created = env_->tapctl({"create", "tap0", "--address", "192.168.69.100/24",
                                     "--address", "fdaa::100/64", "--route", "fdaa::/64"});
        ASSERT_EQ(created.status, 0) << created.describe();
        ok({"ip", "-n", host, "neigh", "add", "192.168.69.1", "lladdr", kTapPeerMac, "dev",
            "tap0"});
        ok({"ip", "-n", host, "-6", "neigh", "add", "fdaa::1", "lladdr", kTapPeerMac, "dev",
            "tap0"});
    }

    void ok(const std::vector<std::string>& argv) {
        auto r = run(argv);
        ASSERT_EQ(r.status, 0) << r.describe();
    }

    // Packets counted by the rules of TABLE (FAMILY) in namespace NS, summed; the first rule
    // counts IPv4, the second IPv6 (V6 set: only the second).
    long counted(const std::string& ns, const std::string& family, const std::string& table,
                 bool v6 = false, bool both = true) {
        auto r = run({"ip", "netns", "exec", ns, "nft", "-j", "list", "table", family, table});
        auto j = nlohmann::json::parse(r.out, nullptr, false);
        long n = 0;
        int rule = 0;
        if (j.is_discarded()) return -1;
        for (const auto& item : j["nftables"])
            if (item.contains("rule")) {
                bool is_v6 = rule++ == 1;
                for (const auto& e : item["rule"]["expr"])
                    if (e.contains("counter") && (both || is_v6 == v6))
                        n += e["counter"]["packets"].get<long>();
            }
        return n;
    }

    // Rule counters cannot be reset by nft 1.0.6 ("reset counters" is for named counters):
    // tests compare before and after.
    struct Counts {
        long sentinel = 0, host = 0;
    };
    Counts counts() {
        return {counted(sentinel_, "netdev", "sentinel"), counted(env_->ns(), "inet", "rawtest")};
    }

    // Runs raw_bypass MODE as UID (root for "control") while uid 65534 holds tap0 and counts the
    // protocol-253 frames reaching it. Returns {bypass output, tap holder output}.
    std::pair<CommandResult, CommandResult> attempt(const std::string& mode, uid_t uid) {
        CommandResult holder;
        std::thread t([&] {
            holder = env_->as_user(65534, {tapctl_bin(), "exec", "tap0", "--",
                                           support_bin("raw_bypass"), "count-tap", "3"});
        });
        EXPECT_TRUE(env_->wait_carrier("tap0")) << "the holder never opened tap0";
        auto r = uid == 0 ? env_->in_ns({support_bin("raw_bypass"), mode, "tap0", "other"})
                          : env_->as_user(uid, {support_bin("raw_bypass"), mode, "tap0", "other"});
        t.join();
        return {r, holder};
    }

    std::unique_ptr<Env> env_;
    std::string sentinel_;
};

bool has_line(const std::string& out, const std::string& line) {
    return ("\n" + out).find("\n" + line + "\n") != std::string::npos;
}

TEST_F(RawSocketTest, EveryBypassIsDroppedAndOnlyTheTapSeesTheSocketsPackets) {
    // Control: the same sockets without tapd's mark DO reach the sentinel and lo on this kernel,
    // so the zero counts below mean confinement, not a broken observer.
    Counts before = counts();
    long v6_before = counted(sentinel_, "netdev", "sentinel", true, false);
    auto [control, control_tap] = attempt("control", 0);
    Counts after = counts();
    EXPECT_GT(counted(sentinel_, "netdev", "sentinel", true, false) - v6_before, 0)
        << control.describe();
    ASSERT_EQ(control.status, 0) << control.describe();
    EXPECT_GT(after.sentinel - before.sentinel, 0) << control.describe();
    EXPECT_GT(after.host - before.host, 0) << control.describe();
    std::printf("control (SO_BINDTODEVICE only): sentinel saw %ld, host stack saw %ld\n%s%s",
                after.sentinel - before.sentinel, after.host - before.host, control.out.c_str(),
                control_tap.out.c_str());

    before = counts();
    auto [r, tap] = attempt("tapd", 65534);
    after = counts();
    ASSERT_EQ(r.status, 0) << r.describe();
    EXPECT_EQ(after.sentinel - before.sentinel, 0) << r.describe();
    EXPECT_EQ(after.host - before.host, 0) << r.describe();
    std::printf("tapd socket: sentinel saw %ld, host stack saw %ld\n%s%s",
                after.sentinel - before.sentinel, after.host - before.host, r.out.c_str(),
                tap.out.c_str());
    // Legitimate sends reach the tap: v4-legit, v4-hdrincl-legit, v6-legit at least.
    EXPECT_EQ(tap.status, 0) << tap.describe();
    int v4 = 0, v6 = 0;
    auto at = tap.out.find("tap v4=");
    ASSERT_NE(at, std::string::npos) << tap.describe();
    std::sscanf(tap.out.c_str() + at, "tap v4=%d v6=%d", &v4, &v6);
    EXPECT_GE(v4, 2) << tap.describe() << r.describe();
    EXPECT_GE(v6, 1) << tap.describe() << r.describe();
    EXPECT_TRUE(has_line(r.out, "send v4-legit: ok")) << r.describe();
    EXPECT_TRUE(has_line(r.out, "send v6-legit: ok")) << r.describe();
    // Dropped in tapd's output chain: the sender sees EPERM.
    EXPECT_TRUE(has_line(r.out, "send v4-pktinfo-other: Operation not permitted")) << r.describe();
    EXPECT_TRUE(has_line(r.out, "send v6-scope-ll-other: Operation not permitted")) << r.describe();
    // The holder can neither rebind nor remark the socket.
    for (const char* fam : {"v4", "v6"})
        for (const char* opt :
             {"bindtodevice-other", "bindtodevice-none", "bindtoifindex-other", "so-mark"})
            EXPECT_TRUE(has_line(
                r.out, std::string("opt ") + fam + "-" + opt + ": Operation not permitted"))
                << fam << "-" << opt << "\n"
                << r.describe();
    EXPECT_TRUE(has_line(r.out, "send v4-mark-cmsg: Operation not permitted")) << r.describe();
    EXPECT_TRUE(has_line(r.out, "send v6-mark-cmsg: Operation not permitted")) << r.describe();
    EXPECT_NE(env_->tapd_log().find("method=OpenRawSocket uid=65534"), std::string::npos);
}

TEST_F(RawSocketTest, SocketsOfADeletedTapSendNowhere) {
    auto r = env_->as_user(
        65534, {"sh", "-c", support_bin("raw_bypass") + " tapd tap0 other >/dev/null; true"});
    // The rawallow pair of tap0 exists now, and goes with the tap.
    auto table = env_->nft_table();
    ASSERT_TRUE(table.is_object());
    EXPECT_EQ(env_->nft_set("rawallow").size(), 1u) << table.dump();
    auto del = env_->tapctl({"delete", "tap0"});
    ASSERT_EQ(del.status, 0) << del.describe();
    EXPECT_TRUE(env_->nft_set("rawallow").empty()) << env_->nft_table().dump();
    EXPECT_EQ(env_->nft_rule_count("rawout"), 1u);
    EXPECT_EQ(env_->nft_rule_count("rawpost"), 1u);
}

TEST_F(RawSocketTest, AnotherUsersTapIsNotFound) {
    auto r = env_->as_user(65533, {support_bin("raw_bypass"), "tapd", "tap0", "other"});
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(r.err.find("net.tapd1.Error.NotFound"), std::string::npos) << r.describe();
    EXPECT_NE(env_->tapd_log().find("method=OpenRawSocket uid=65533"), std::string::npos);
}

TEST_F(RawSocketTest, BadFamilyAndProtocolAreRefusedByValue) {
    for (const auto& [family, protocol, want] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"17", "253", "family 17"}, {"2", "0", "protocol 0"}, {"10", "256", "protocol 256"}}) {
        auto r = env_->as_user(65534, {"dbus-send", "--system", "--print-reply", "--dest=net.tapd1",
                                       "/net/tapd1", "net.tapd1.Manager.OpenRawSocket",
                                       "string:tap0", "int32:" + family, "int32:" + protocol});
        EXPECT_NE(r.status, 0) << r.describe();
        EXPECT_NE(r.err.find("InvalidArgument"), std::string::npos) << r.describe();
        EXPECT_NE(r.err.find(want), std::string::npos) << r.describe();
    }
}

TEST_F(RawSocketTest, TheRawRulesComeBackAfterAForeignFlush) {
    ASSERT_EQ(env_->nft_set("rawallow").size(), 1u);
    ok({"ip", "netns", "exec", env_->ns(), "nft", "flush ruleset"});
    EXPECT_TRUE(eventually([&] {
        return env_->nft_set("rawallow").size() == 1 && env_->nft_rule_count("rawout") == 1 &&
               env_->nft_rule_count("rawpost") == 1;
    })) << env_->nft_table().dump()
        << env_->tapd_log();
}

// The limits (README "Raw sockets"): tapd counts the raw sockets it handed out that are still
// open anywhere, by the uid they were opened for; a user's are bounded by its rules'
// max_raw_sockets (16 by default), everyone's by limits.raw_sockets.
class RawSocketLimitTest : public TapdTest {
  protected:
    void SetUp() override {
        TapdTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        ASSERT_EQ(env_->tapctl({"create", "tap0"}).status, 0);
    }

    // Restarts tapd under POLICY.
    void restart_with(const std::string& policy) {
        env_->write_policy(policy);
        ASSERT_EQ(env_->stop_tapd(), 0);
        ASSERT_NO_FATAL_FAILURE(env_->start_tapd());
    }
};

TEST_F(RawSocketLimitTest, AUserGetsAtMostItsLimitOfOpenRawSocketsAndClosingThemGivesThemBack) {
    {
        Hoard hoard(*env_, 65534, "raw", "tap0", 100);
        EXPECT_EQ(hoard.opened(), 16) << hoard.out();
        EXPECT_NE(hoard.out().find("error net.tapd1.Error.QuotaExceeded: you already hold 16 raw "
                                   "sockets (at most 16, policy key \"max_raw_sockets\")"),
                  std::string::npos)
            << hoard.out();
        auto policy = env_->tapctl({"policy", "--json"});
        auto p = nlohmann::json::parse(policy.out, nullptr, false);
        EXPECT_EQ(p["max_raw_sockets"], 16) << policy.describe();
        EXPECT_EQ(p["open_raw_sockets"], 16) << policy.describe();
        EXPECT_EQ(p["limits.raw_sockets"], 1024) << policy.describe();
    }
    // Counted live: once their holder is gone, they count no more.
    Hoard again(*env_, 65534, "raw", "tap0", 100);
    EXPECT_EQ(again.opened(), 16) << again.out();
}

TEST_F(RawSocketLimitTest, RawSocketsOfADeletedTapCountUntilTheyAreClosed) {
    restart_with(R"({ "version": 1, "rules": [
        { "users": [65534], "max_taps": 4, "persistent": true, "raw_sockets": true, "max_raw_sockets": 2 } ] })");
    Hoard first(*env_, 65534, "raw", "tap0", 2);
    EXPECT_EQ(first.opened(), 2) << first.out();
    ASSERT_EQ(env_->tapctl({"delete", "tap0"}).status, 0);
    ASSERT_EQ(env_->tapctl({"create", "tap1"}).status, 0);
    {
        Hoard second(*env_, 65534, "raw", "tap1", 2);
        EXPECT_EQ(second.opened(), 0) << second.out();
        EXPECT_NE(second.out().find("QuotaExceeded: you already hold 2 raw sockets"),
                  std::string::npos)
            << second.out();
    }
    first.stop();
    Hoard third(*env_, 65534, "raw", "tap1", 2);
    EXPECT_EQ(third.opened(), 2) << third.out();
}

TEST_F(RawSocketLimitTest, TapdsRawSocketLimitStopsEveryUserButRoot) {
    restart_with(R"({ "version": 1, "limits": { "raw_sockets": 3 }, "rules": [
        { "users": [65534, 65533], "max_taps": 4, "persistent": true, "raw_sockets": true,
          "max_raw_sockets": 2 } ] })");
    ASSERT_EQ(env_->tapctl({"create", "tap1"}, 65533).status, 0);
    Hoard first(*env_, 65534, "raw", "tap0", 5);
    EXPECT_EQ(first.opened(), 2) << first.out();
    Hoard second(*env_, 65533, "raw", "tap1", 5);
    EXPECT_EQ(second.opened(), 1) << second.out();
    EXPECT_NE(second.out().find("QuotaExceeded: 3 raw sockets from tapd are open (at most 3, "
                                "policy key \"limits.raw_sockets\")"),
              std::string::npos)
        << second.out();
    Hoard root(*env_, 0, "raw", "tap1", 2);
    EXPECT_EQ(root.opened(), 2) << root.out();
}

}  // namespace
}  // namespace tapd::test
