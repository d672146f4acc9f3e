// TapReader (libtapd) on real taps in the test's own network namespace: frames the kernel sends
// arrive whole, in order and in batches; drops, vnet_hdr, unprivileged use and named errors.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <grp.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "harness.hpp"
#include "tap_reader.hpp"
#include "tapd.h"
#include "wire/decode.hpp"

namespace tapd::test {
namespace {

constexpr uint16_t kPort = 9999;
constexpr const char* kTapAddress = "10.9.0.1";
constexpr const char* kNeighbour = "10.9.0.2";  // static entry: no ARP on the tap

// Moves the whole test process into a network namespace of its own (once): the taps, their
// addresses and neighbours vanish with the process, and nothing touches the host's namespace.
std::string enter_private_netns() {
    static std::string why = [] {
        if (std::string p = privileged_unavailable(); !p.empty()) return p;
        if (::unshare(CLONE_NEWNET) != 0)
            return "unshare(CLONE_NEWNET): " + std::string(strerror(errno));
        // No IPv6 on new links: no router solicitations or MLD reports among the test's frames.
        int fd = ::open("/proc/sys/net/ipv6/conf/default/disable_ipv6", O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
            (void)!::write(fd, "1", 1);
            ::close(fd);
        }
        return std::string();
    }();
    return why;
}

void ip(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"ip"};
    argv.insert(argv.end(), args.begin(), args.end());
    CommandResult r = run(argv);
    ASSERT_EQ(r.status, 0) << r.describe();
}

// A tap NAME made with TUNSETIFF (FLAGS beside IFF_TAP | IFF_NO_PI), up, 10.9.0.1/24, with a
// static neighbour 10.9.0.2 that the kernel sends to without asking.
UniqueFd make_tap(const std::string& name, short flags = 0) {
    UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
    EXPECT_TRUE(fd.valid()) << strerror(errno);
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    ifr.ifr_flags = static_cast<short>(IFF_TAP | IFF_NO_PI | flags);
    EXPECT_EQ(::ioctl(fd.get(), TUNSETIFF, &ifr), 0)
        << "TUNSETIFF " << name << ": " << strerror(errno);
    ip({"link", "set", name, "up"});
    ip({"addr", "add", std::string(kTapAddress) + "/24", "dev", name});
    ip({"neigh", "replace", kNeighbour, "lladdr", "02:00:00:00:00:02", "dev", name, "nud",
        "permanent"});
    return fd;
}

// Sends COUNT UDP datagrams from 10.9.0.1 to 10.9.0.2:kPort, each carrying its number (from
// FIRST): the kernel transmits them to the tap.
void send_udp(uint32_t first, uint32_t count) {
    UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(s.valid());
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(kPort);
    ::inet_pton(AF_INET, kNeighbour, &to.sin_addr);
    for (uint32_t i = first; i < first + count; ++i) {
        uint32_t seq = htonl(i);
        ASSERT_EQ(
            ::sendto(s.get(), &seq, sizeof seq, 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
            static_cast<ssize_t>(sizeof seq))
            << strerror(errno);
    }
}

// The number a frame of send_udp() carries, or -1 for any other frame.
long sequence_of(std::span<const std::byte> frame) {
    wire::Decoded d;
    wire::decode(frame, d);
    if (d.has_error || !(d.layers & wire::kHasUdp) || d.udp.dst_port() != kPort) return -1;
    auto p = d.udp.payload();
    if (p.size() != 4) return -1;
    uint32_t seq;
    std::memcpy(&seq, p.data(), 4);
    return ntohl(seq);
}

// Reads until COUNT frames of send_udp() came (or a read waits WAIT_MS in vain); their numbers.
// send_udp() returns once the kernel queued its frames to the tap, so a test that expects fewer
// than it sent need not wait long for the rest.
std::vector<long> read_sequences(TapReader& r, size_t count, int wait_ms = 2000,
                                 size_t* batches = nullptr, size_t* largest = nullptr) {
    std::vector<long> seen;
    while (seen.size() < count) {
        TapBatch b = r.read(wait_ms);
        if (b.empty()) break;
        if (batches) ++*batches;
        if (largest) *largest = std::max(*largest, b.size());
        for (auto f : b.frames)
            if (long s = sequence_of(f); s >= 0) seen.push_back(s);
    }
    return seen;
}

class TapReaderTest : public ::testing::Test {
  protected:
    void SetUp() override { TAPD_SKIP_UNLESS_CI(enter_private_netns()); }
    // Each test its own tap name: a deleted tap's name may take a moment to be free again.
    std::string tap_name() {
        static int n = 0;
        return "rd" + std::to_string(n++);
    }
};

TEST_F(TapReaderTest, ReadsEveryFrameInOrderInBatches) {
    std::string name = tap_name();
    TapReader r(make_tap(name), {.max_frames = 64});
    EXPECT_EQ(r.name(), name);
    EXPECT_EQ(r.vnet_hdr_size(), 0u);
    send_udp(0, 300);
    size_t batches = 0, largest = 0;
    std::vector<long> seen = read_sequences(r, 300, 2000, &batches, &largest);
    ASSERT_EQ(seen.size(), 300u);
    for (long i = 0; i < 300; ++i) ASSERT_EQ(seen[i], i) << "frame " << i << " out of order";
    // All 300 were queued before the first read: full batches of 64, then the rest.
    EXPECT_EQ(largest, 64u);
    EXPECT_EQ(batches, 5u);
    // Drained: EAGAIN is an empty batch, not an error, and a wait runs out empty.
    EXPECT_TRUE(r.read(0).empty());
    auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(r.read(50).empty());
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(40));
    TapDrops d = r.drops();
    EXPECT_EQ(d.tx_dropped, 0u);
    EXPECT_EQ(d.rx_dropped, 0u);
}

TEST_F(TapReaderTest, WakesUpForFramesSentWhileItWaits) {
    TapReader r(make_tap(tap_name()));
    std::thread sender([] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        send_udp(7, 1);
    });
    TapBatch b = r.read(-1);
    sender.join();
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(sequence_of(b.frames[0]), 7);
}

TEST_F(TapReaderTest, ReportsTheFramesTheTapDroppedWhileNobodyRead) {
    std::string name = tap_name();
    UniqueFd fd = make_tap(name);
    // The tap queues txqueuelen frames for its fd (tun's ptr_ring); the rest are tx_dropped.
    ip({"link", "set", name, "txqueuelen", "100"});
    TapReader r(std::move(fd));
    send_udp(0, 250);
    std::vector<long> seen = read_sequences(r, 250, 200);
    ASSERT_EQ(seen.size(), 100u);
    for (long i = 0; i < 100; ++i) ASSERT_EQ(seen[i], i);
    TapDrops d = r.drops();
    EXPECT_EQ(d.tx_dropped, 150u);
    EXPECT_EQ(d.rx_dropped, 0u);
    // Counted from the reader's start: a second reader of the same tap would start at 0.
    send_udp(250, 10);
    EXPECT_EQ(read_sequences(r, 10).size(), 10u);
    EXPECT_EQ(r.drops().tx_dropped, 150u);
}

TEST_F(TapReaderTest, ExposesTheVnetHeaderBeforeEachFrame) {
    UniqueFd fd = make_tap(tap_name(), IFF_VNET_HDR);
    int size = 12;  // as with VIRTIO_NET_F_MRG_RXBUF; the default is 10
    ASSERT_EQ(::ioctl(fd.get(), TUNSETVNETHDRSZ, &size), 0);
    TapReader r(std::move(fd));
    EXPECT_EQ(r.vnet_hdr_size(), 12u);
    send_udp(0, 20);
    size_t got = 0;
    while (got < 20) {
        TapBatch b = r.read(2000);
        ASSERT_FALSE(b.empty());
        ASSERT_EQ(b.vnet_headers.size(), b.frames.size());
        for (size_t i = 0; i < b.size(); ++i) {
            // The Ethernet frame starts after the header: it decodes, numbers in order.
            EXPECT_EQ(sequence_of(b.frames[i]), static_cast<long>(got));
            ASSERT_EQ(b.vnet_headers[i].size(), 12u);
            // No offload asked (TUNSETOFFLOAD): flags 0, gso_type VIRTIO_NET_HDR_GSO_NONE.
            EXPECT_EQ(b.vnet_headers[i][0], std::byte{0});
            EXPECT_EQ(b.vnet_headers[i][1], std::byte{0});
            EXPECT_EQ(b.vnet_headers[i].data() + 12, b.frames[i].data());
            ++got;
        }
    }
}

TEST_F(TapReaderTest, DefaultVnetHeaderIsTenBytes) {
    TapReader r(make_tap(tap_name(), IFF_VNET_HDR));
    EXPECT_EQ(r.vnet_hdr_size(), 10u);
    send_udp(3, 1);
    TapBatch b = r.read(2000);
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b.vnet_headers[0].size(), 10u);
    EXPECT_EQ(sequence_of(b.frames[0]), 3);
}

TEST_F(TapReaderTest, AClosedFdIsANamedError) {
    int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ::close(fd);
    try {
        TapReader r{UniqueFd(fd)};
        FAIL() << "a closed fd was accepted";
    } catch (const TapReadError& e) {
        EXPECT_EQ(e.error_number(), EBADF);
        EXPECT_EQ(std::string(e.what()),
                  "TUNGETIFF fd " + std::to_string(fd) + ": Bad file descriptor");
    }
}

TEST_F(TapReaderTest, AnFdOfNoTapIsANamedError) {
    try {
        TapReader r{UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC))};
        FAIL() << "/dev/null was accepted";
    } catch (const TapReadError& e) {
        EXPECT_EQ(e.error_number(), ENOTTY);
        EXPECT_NE(std::string(e.what()).find("(not a tun/tap fd)"), std::string::npos) << e.what();
    }
    try {
        TapReader r{UniqueFd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC))};
        FAIL() << "a tun fd without TUNSETIFF was accepted";
    } catch (const TapReadError& e) {
        EXPECT_EQ(e.error_number(), EBADFD);
        EXPECT_NE(std::string(e.what()).find("(attached to no device)"), std::string::npos)
            << e.what();
    }
}

TEST_F(TapReaderTest, ATapDeletedUnderTheReaderFailsItsNextRead) {
    std::string name = tap_name();
    TapReader r(make_tap(name));
    send_udp(0, 3);
    ASSERT_EQ(read_sequences(r, 3).size(), 3u);
    ip({"link", "del", name});
    try {
        (void)r.read(1000);
        FAIL() << "read a deleted tap";
    } catch (const TapReadError& e) {
        EXPECT_EQ(e.error_number(), EBADFD);
        EXPECT_EQ(std::string(e.what()), "read " + name + " (fd " + std::to_string(r.fd()) +
                                             "): File descriptor in bad state");
    }
}

// Runs BODY in a child process (as a test of its own would) and expects it to exit 0; BODY
// returns the exit code, each non-zero one naming what failed.
void in_child(const std::function<int()>& body) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) ::_exit(body());
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(TapReaderTest, AnUnprivilegedReaderReadsAndReportsDrops) {
    std::string name = tap_name();
    UniqueFd fd = make_tap(name);
    ip({"link", "set", name, "txqueuelen", "10"});
    send_udp(0, 15);
    // The fd was opened by root beforehand, as tapd hands it out.
    in_child([&] {
        if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
            ::setresuid(65534, 65534, 65534) != 0)
            return 10;
        try {
            TapReader r(std::move(fd));
            if (read_sequences(r, 15, 200).size() != 10) return 11;
            TapDrops d = r.drops();  // baseline taken after the drops: 0
            if (d.tx_dropped != 0) return 12;
            send_udp(15, 15);
            if (read_sequences(r, 15, 200).size() != 10) return 13;
            if (r.drops().tx_dropped != 5) return 14;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%s\n", e.what());
            return 15;
        }
        return 0;
    });
}

TEST_F(TapReaderTest, DropsOutsideTheTapsNamespaceAreANamedError) {
    std::string name = tap_name();
    UniqueFd fd = make_tap(name);
    in_child([&] {
        // Another namespace with a link of the same name, which is not the tap.
        if (::unshare(CLONE_NEWNET) != 0) return 10;
        if (run({"ip", "tuntap", "add", "name", name, "mode", "tap"}).status != 0) return 11;
        try {
            TapReader r(std::move(fd));
            (void)r.drops();
            return 12;
        } catch (const TapReadError& e) {
            if (e.error_number() != ENODEV) return 13;
            // "link 'rd9' here has MAC ..., not the tap's ... (rd9 (fd 5) is in another ...)"
            if (std::string(e.what()).find("here has MAC") == std::string::npos) return 14;
        }
        return 0;
    });
    in_child([&] {
        if (::unshare(CLONE_NEWNET) != 0) return 10;
        try {
            TapReader r(std::move(fd));
            (void)r.drops();
            return 12;
        } catch (const TapReadError& e) {
            if (e.error_number() != ENODEV) return 13;
            if (std::string(e.what()).find("the tap is in another network namespace") ==
                std::string::npos)
                return 14;
        }
        return 0;
    });
}

TEST_F(TapReaderTest, TheCApiReadsADuplicateAndLeavesTheFdToTheCaller) {
    UniqueFd fd = make_tap(tap_name());
    char* err = nullptr;
    tapd_reader* r = tapd_reader_new(fd.get(), 8, &err);
    ASSERT_NE(r, nullptr) << err;
    EXPECT_NE(tapd_reader_fd(r), fd.get());
    EXPECT_EQ(::fcntl(tapd_reader_fd(r), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    send_udp(0, 20);
    long next = 0;
    while (next < 20) {
        const tapd_frame* frames = nullptr;
        int n = tapd_reader_read(r, 2000, &frames, &err);
        ASSERT_GT(n, 0) << (err ? err : "timeout");
        ASSERT_LE(n, 8);
        for (int i = 0; i < n; ++i) {
            EXPECT_EQ(frames[i].vnet_hdr, nullptr);
            EXPECT_EQ(
                sequence_of({reinterpret_cast<const std::byte*>(frames[i].data), frames[i].len}),
                next++);
        }
    }
    uint64_t tx = 1, rx = 1;
    EXPECT_EQ(tapd_reader_drops(r, &tx, &rx, &err), 0) << err;
    EXPECT_EQ(tx, 0u);
    EXPECT_EQ(rx, 0u);
    tapd_reader_free(r);
    // The caller's fd is still open and attached.
    ifreq ifr{};
    EXPECT_EQ(::ioctl(fd.get(), TUNGETIFF, &ifr), 0);

    errno = 0;
    EXPECT_EQ(tapd_reader_new(-1, 0, &err), nullptr);
    EXPECT_EQ(errno, EBADF);
    ASSERT_NE(err, nullptr);
    EXPECT_STREQ(err, "F_DUPFD_CLOEXEC fd -1: Bad file descriptor");
    tapd_free_error(err);
}

}  // namespace
}  // namespace tapd::test
