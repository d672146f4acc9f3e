// Multi-queue taps and offloads (issue 12): OpenTapQueues hands out N queue fds that the kernel
// counts as N queues and spreads frames over; its limits (a single-queue tap, 0, the bus's 16 fds
// per message, the kernel's 256 queues per tap) are refused by name; offloads reach the tap's
// features; tapctl exec --queues puts the fds at 3, 4, ...
#include <fstream>
#include <set>
#include <sstream>

#include "harness.hpp"

namespace tapd::test {
namespace {

const std::string kManager = "net.tapd1.Manager";
const std::string kInvalid = "net.tapd1.Error.InvalidArgument";

std::string probe() {
    return std::string(TAPD_TEST_SUPPORT) + "/queue_probe";
}

std::string read_file(const std::string& path) {
    std::stringstream out;
    out << std::ifstream(path).rdbuf();
    return out.str();
}

size_t count(const std::string& text, const std::string& word) {
    size_t n = 0;
    for (size_t at = 0; (at = text.find(word, at)) != std::string::npos; at += word.size()) ++n;
    return n;
}

class Queues : public TapdTest {
  protected:
    // The call fails with the D-Bus error NAME, and its message holds WANT.
    void expect_error(const CommandResult& r, const std::string& name, const std::string& want) {
        EXPECT_NE(r.status, 0) << r.describe();
        EXPECT_NE(r.err.find("error-name=" + name + " error-message="), std::string::npos)
            << "want error " << name << " in " << r.describe();
        EXPECT_NE(r.err.find(want), std::string::npos)
            << "want '" << want << "' in " << r.describe();
    }
    // OpenTapQueues(TAP, {queues: N}) as uid 65534.
    CommandResult open_queues(const std::string& tap, const std::string& n) {
        return env_->busctl(
            65534, {"/net/tapd1", kManager, "OpenTapQueues", "sa{sv}", tap, "1", "queues", "u", n});
    }
    // The tun driver's count of queues attached to TAP (IFLA_TUN_NUM_QUEUES).
    int num_queues(const std::string& tap) {
        auto j = env_->ip_json({"-d", "link", "show", tap});
        if (j.empty()) return -1;
        return j[0]["linkinfo"]["info_data"]["numqueues"].get<int>();
    }
    // The tap's active offload features (ethtool -k names).
    std::string features(const std::string& tap) {
        auto r = env_->as_user(65534, {probe(), "features", tap});
        EXPECT_EQ(r.status, 0) << r.describe();
        return r.out;
    }
    // queue_probe open TAP N [OFFLOADS] in the background until it holds its fds; its log.
    std::string hold(const std::string& tap, const std::string& n,
                     const std::vector<std::string>& offloads = {}) {
        std::string log =
            env_->dir() + "/probe-" + tap + "-" + std::to_string(held_.size()) + ".log";
        std::vector<std::string> argv = {probe(), "open", tap, n};
        argv.insert(argv.end(), offloads.begin(), offloads.end());
        pid_t pid = env_->spawn_as_user(65534, argv, log);
        EXPECT_GT(pid, 0);
        held_.push_back(pid);
        EXPECT_TRUE(eventually(
            [&] {
                std::string out = read_file(log);
                return out.find("holding") != std::string::npos ||
                       out.find("error ") != std::string::npos;
            },
            30))
            << read_file(log) << env_->tapd_log();
        return log;
    }
    void TearDown() override {
        for (pid_t pid : held_) kill_group(pid);
    }
    std::vector<pid_t> held_;
};

TEST_F(Queues, FourQueueFdsAreFourQueuesAndFramesSpreadOverThem) {
    ASSERT_EQ(
        env_->tapctl({"create", "tapq", "--multi-queue", "--address", "192.168.69.100/24"}).status,
        0);
    EXPECT_EQ(num_queues("tapq"), 0);
    std::string log = hold("tapq", "4");
    std::string out = read_file(log);
    ASSERT_NE(out.find("holding 4"), std::string::npos) << out << env_->tapd_log();
    EXPECT_EQ(count(out, "multi_queue=1"), 4u) << out;
    EXPECT_EQ(num_queues("tapq"), 4);
    // 64 flows from the host to a neighbour on the tap: the tun driver picks a queue by flow hash.
    ASSERT_EQ(env_->in_ns({"ip", "neigh", "add", "192.168.69.1", "lladdr", "02:00:00:00:00:01",
                           "dev", "tapq", "nud", "permanent"})
                  .status,
              0);
    auto sent = env_->in_ns({"bash", "-c",
                             "for p in $(seq 40000 40063); do echo x >/dev/udp/192.168.69.1/$p; "
                             "done"});
    ASSERT_EQ(sent.status, 0) << sent.describe();
    ASSERT_TRUE(eventually([&] { return count(read_file(log), "udp ") == 64; })) << read_file(log);
    out = read_file(log);
    std::set<std::string> queues_used;
    for (int q = 0; q < 4; ++q)
        if (out.find("udp " + std::to_string(q) + "\n") != std::string::npos)
            queues_used.insert(std::to_string(q));
    EXPECT_GE(queues_used.size(), 2u) << "all 64 flows on one queue:\n" << out;
    EXPECT_NE(env_->tapd_log().find("method=OpenTapQueues uid=65534"), std::string::npos);
    EXPECT_NE(env_->tapd_log().find("name=tapq queues=4 result=ok"), std::string::npos)
        << env_->tapd_log();
}

TEST_F(Queues, MoreThanOneQueueOfASingleQueueTapIsRefused) {
    ASSERT_EQ(env_->tapctl({"create", "taps"}).status, 0);
    expect_error(open_queues("taps", "2"), kInvalid,
                 "option 'queues': 2 on tap 'taps', which has one queue (create it with "
                 "multi_queue for more)");
    // One is what OpenTap gives, as an array.
    auto one = open_queues("taps", "1");
    EXPECT_EQ(one.status, 0) << one.describe();
    EXPECT_EQ(one.out.rfind("ah 1 ", 0), 0u) << one.describe();
    expect_error(env_->busctl(65534, {"/net/tapd1", kManager, "OpenTap", "sa{sv}", "taps", "1",
                                      "queues", "u", "1"}),
                 kInvalid, "option 'queues' is OpenTapQueues' (OpenTap returns one fd)");
}

TEST_F(Queues, QueuesPastTheBusLimitAndZeroAreRefusedByName) {
    ASSERT_EQ(env_->tapctl({"create", "tapq", "--multi-queue"}).status, 0);
    expect_error(open_queues("tapq", "17"), kInvalid,
                 "option 'queues': 17 is more than 16, the most fds the system bus passes in one "
                 "message (dbus-daemon's max_message_unix_fds)");
    expect_error(open_queues("tapq", "0"), kInvalid, "option 'queues': 0 (at least 1)");
    expect_error(env_->busctl(65534, {"/net/tapd1/tap/tapq", "net.tapd1.Tap", "OpenQueues", "a{sv}",
                                      "1", "queues", "u", "300"}),
                 kInvalid, "300 is more than 16");
    // 16 in one reply pass the bus, and tapd is still on it (a reply over the bus's limit would
    // have cost tapd its connection).
    auto sixteen = open_queues("tapq", "16");
    EXPECT_EQ(sixteen.status, 0) << sixteen.describe() << env_->tapd_log();
    EXPECT_EQ(sixteen.out.rfind("ah 16 ", 0), 0u) << sixteen.describe();
    EXPECT_EQ(env_->tapctl({"show", "tapq"}).status, 0) << env_->tapd_log();
}

TEST_F(Queues, TheKernelsLimitOfQueuesPerTapIsRefusedByName) {
    ASSERT_EQ(env_->tapctl({"create", "tapq", "--multi-queue"}).status, 0);
    auto r = env_->as_user(65534, {probe(), "fill", "tapq"});
    EXPECT_NE(r.out.find("opened 256\n"), std::string::npos) << r.describe();
    EXPECT_NE(r.out.find("error net.tapd1.Error.QuotaExceeded: queue 1 of 16: tap 'tapq' has 256 "
                         "queues open, the kernel's most (MAX_TAP_QUEUES"),
              std::string::npos)
        << r.describe();
}

TEST_F(Queues, OffloadsReachTheTapsFeatures) {
    ASSERT_EQ(env_->tapctl({"create", "tapv", "--vnet-hdr", "--multi-queue"}).status, 0);
    std::string log = hold("tapv", "2", {"csum,tso4,tso6"});
    EXPECT_EQ(count(read_file(log), "vnet_hdr=1"), 2u) << read_file(log);
    std::string f = features("tapv");
    EXPECT_NE(f.find("tx-checksum-ip-generic\n"), std::string::npos) << f;
    EXPECT_NE(f.find("tx-tcp-segmentation\n"), std::string::npos) << f;
    EXPECT_NE(f.find("tx-tcp6-segmentation\n"), std::string::npos) << f;
    // Asked again, the set is replaced: no TSO now.
    hold("tapv", "1", {"csum"});
    f = features("tapv");
    EXPECT_NE(f.find("tx-checksum-ip-generic\n"), std::string::npos) << f;
    EXPECT_EQ(f.find("tx-tcp-segmentation\n"), std::string::npos) << f;
    EXPECT_NE(env_->tapd_log().find("name=tapv queues=1 offloads=csum result=ok"),
              std::string::npos)
        << env_->tapd_log();
    // [] turns them all off, through OpenTap.
    auto off = env_->busctl(
        65534, {"/net/tapd1", kManager, "OpenTap", "sa{sv}", "tapv", "1", "offloads", "as", "0"});
    EXPECT_EQ(off.status, 0) << off.describe();
    f = features("tapv");
    EXPECT_EQ(f.find("tx-checksum-ip-generic\n"), std::string::npos) << f;
}

TEST_F(Queues, OffloadsTheTapOrTheKernelCannotTakeAreRefusedByName) {
    ASSERT_EQ(env_->tapctl({"create", "tapv", "--vnet-hdr"}).status, 0);
    ASSERT_EQ(env_->tapctl({"create", "tapn"}).status, 0);
    auto call = [&](const std::string& tap, const std::vector<std::string>& names) {
        std::vector<std::string> args = {"/net/tapd1", kManager, "OpenTap",
                                         "sa{sv}",     tap,      "1",
                                         "offloads",   "as",     std::to_string(names.size())};
        args.insert(args.end(), names.begin(), names.end());
        return env_->busctl(65534, args);
    };
    expect_error(call("tapn", {"csum"}), kInvalid,
                 "option 'offloads': csum on tap 'tapn', which has no vnet_hdr (create it with "
                 "vnet_hdr for offloads)");
    expect_error(call("tapv", {"csum", "gso"}), kInvalid,
                 "option 'offloads': unknown offload 'gso' (known: csum, tso4, tso6, ecn, ufo, "
                 "uso4, uso6)");
    expect_error(call("tapv", {"tso4"}), kInvalid,
                 "TUNSETOFFLOAD tso4 on 'tapv' (the kernel takes tso4, tso6, ufo and uso4+uso6 "
                 "only with csum, and ecn only with tso4 or tso6): Invalid argument");
    expect_error(call("tapv", {"csum", "uso4"}), kInvalid, "TUNSETOFFLOAD csum,uso4 on 'tapv'");
}

TEST_F(Queues, AVnetHdrReaderWithTsoGetsWholeTcpSegments) {
    ASSERT_EQ(
        env_->tapctl({"create", "tapg", "--vnet-hdr", "--address", "192.168.69.100/24"}).status, 0);
    ASSERT_EQ(env_->in_ns({"ip", "neigh", "add", "192.168.69.1", "lladdr", "02:00:00:00:00:01",
                           "dev", "tapg", "nud", "permanent"})
                  .status,
              0);
    std::string log = env_->dir() + "/gso.log";
    held_.push_back(env_->spawn_as_user(65534, {probe(), "gso", "tapg"}, log));
    ASSERT_TRUE(eventually([&] { return read_file(log).find("ready") != std::string::npos; }, 30))
        << read_file(log);
    // The host's TCP sends its first flight (10 segments of 1460 bytes) as one GSO frame.
    held_.push_back(env_->spawn_as_user(
        0, {"bash", "-c", "exec 3<>/dev/tcp/192.168.69.1/80 && head -c 100000 /dev/zero >&3"}));
    ASSERT_TRUE(eventually([&] { return read_file(log).find("gso ") != std::string::npos; }, 30))
        << read_file(log);
    std::string out = read_file(log);
    EXPECT_NE(out.find("gso type=1 size=1460 len="), std::string::npos) << out;  // TCPV4
}

TEST_F(Queues, AClientMaySetOffloadsOnItsFdItself) {
    // TUNSETOFFLOAD needs no capability on an attached fd: tapd's option is a convenience.
    ASSERT_EQ(env_->tapctl({"create", "tapv", "--vnet-hdr"}).status, 0);
    auto r = env_->as_user(65534, {probe(), "self-offload", "tapv", "3"});  // csum|tso4
    EXPECT_EQ(r.out, "set\n") << r.describe();
    std::string f = features("tapv");
    EXPECT_NE(f.find("tx-tcp-segmentation\n"), std::string::npos) << f;
}

TEST_F(Queues, TapctlExecPutsTheQueuesAtThreeAndOn) {
    // A tap that exec creates gets multi_queue from --queues.
    auto r = env_->tapctl({"exec", "tapx", "--queues", "4", "--", probe(), "check-fds"});
    EXPECT_EQ(r.status, 0) << r.describe();
    EXPECT_NE(r.out.find("TAPD_FDS=3:4:5:6 TAPD_FD=3\n"), std::string::npos) << r.describe();
    for (int fd = 3; fd <= 6; ++fd)
        EXPECT_NE(r.out.find("fd " + std::to_string(fd) + " tap=tapx multi_queue=1\n"),
                  std::string::npos)
            << r.describe();
    EXPECT_NE(r.out.find("tun fds 4\n"), std::string::npos) << "a copy leaked:\n" << r.describe();
    // From --fd on, with offloads (and vnet_hdr for the tap exec creates).
    r = env_->tapctl({"exec", "tapy", "--queues", "2", "--fd", "9", "--offloads", "csum,tso4", "--",
                      "sh", "-c", "echo $TAPD_FDS; " + probe() + " features tapy"});
    EXPECT_EQ(r.status, 0) << r.describe();
    EXPECT_EQ(r.out.rfind("9:10\n", 0), 0u) << r.describe();
    EXPECT_NE(r.out.find("tx-tcp-segmentation\n"), std::string::npos) << r.describe();
    // Refusals come from tapd, by name.
    r = env_->tapctl({"exec", "tapx", "--queues", "17", "--", "true"});
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(r.err.find("17 is more than 16"), std::string::npos) << r.describe();
    // Without --queues: one fd, named in both variables.
    r = env_->tapctl({"exec", "tapz", "--fd", "5", "--", probe(), "check-fds"});
    EXPECT_NE(r.out.find("TAPD_FDS=5 TAPD_FD=5\n"), std::string::npos) << r.describe();
    EXPECT_NE(r.out.find("tun fds 1\n"), std::string::npos) << r.describe();
}

}  // namespace
}  // namespace tapd::test
