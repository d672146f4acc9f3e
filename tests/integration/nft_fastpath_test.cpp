// The libnftnl element fast path against nft itself: same kernel elements, either path deletes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <string>

#include "harness.hpp"
#include "nft_table.hpp"

namespace tapd {
namespace {

using nft::ElementBatch;

// Why the test cannot run here ("" if it can): it makes network namespaces. A skip, except
// under CI=true where that is a failure, as for every privileged test.
std::string needs_root() {
    return ::geteuid() == 0 ? "" : "needs root for a network namespace";
}

Prefix net(const char* text) {
    return parse_network(text).value();
}

std::string shell(const char* cmd) {
    std::string out;
    FILE* f = ::popen(cmd, "r");
    if (!f) return "popen failed";
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    ::pclose(f);
    return out;
}

// Runs BODY in a child in a fresh network namespace (its own empty ruleset, gone with the child)
// and returns what it reports: the kernel's elements as libnftnl prints them and nft's JSON.
std::string in_scratch_netns(const std::function<std::string(NftTable&)>& body) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0) return "pipe failed";
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        std::string out;
        if (::unshare(CLONE_NEWNET) < 0) {
            out = "unshare failed";
        } else if (auto t = NftTable::open(); !t) {
            out = t.error().message;
        } else {
            out = body(*t.value());
            out += shell("nft --debug=netlink list table inet tapd 2>&1");
            out += shell("nft -j list table inet tapd 2>&1");
        }
        (void)!::write(fds[1], out.data(), out.size());
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, n);
    ::close(fds[0]);
    ::waitpid(pid, nullptr, 0);
    return out;
}

nft::MasqueradeEntry tap0{"tap0", {net("192.168.69.0/24"), net("10.1.0.0/16")}};
nft::MasqueradeEntry tap1{"tap1", {net("172.16.5.7/32")}};
nft::RawEntry raw0{nft::kRawMarkTag | 5, "tap0"};
nft::RawEntry raw1{nft::kRawMarkTag | 6, "tap1"};

// Applies B through the fast path (FAST) or as libnftables JSON; "" or the error.
std::string apply(NftTable& t, const ElementBatch& b, bool fast) {
    EXPECT_TRUE(b.ops);
    auto st = fast ? t.apply(b, "test") : t.run(b.json(), "test");
    return st ? "" : st.error().message + "\n";
}

std::string build(NftTable& t, bool fast_add, bool fast_delete) {
    std::string out;
    if (auto st = t.run(nft::table_batch({}), "test"); !st) return st.error().message;
    out += apply(t,
                 nft::join_elements({nft::masquerade_elements(true, tap0),
                                     nft::raw_elements(true, raw0), nft::guard_elements(true)}),
                 fast_add);
    out += apply(
        t,
        nft::join_elements({nft::masquerade_elements(true, tap1), nft::raw_elements(true, raw1)}),
        fast_add);
    // Re-adding is a no-op either way.
    out += apply(t, nft::masquerade_elements(true, tap1), fast_add);
    out += apply(
        t,
        nft::join_elements({nft::masquerade_elements(false, tap0), nft::raw_elements(false, raw0)}),
        fast_delete);
    nft::TableState want{{tap1}, {raw1}, true};
    std::string why;
    auto listed = t.list();
    if (!listed || !nft::table_matches(listed.value(), want, &why))
        out += "mismatch: " + why + "\n";
    return out;
}

TEST(NftFastPath, ElementsEqualNftsAndEitherPathDeletes) {
    TAPD_SKIP_UNLESS_CI(needs_root());
    std::string by_nft = in_scratch_netns([](NftTable& t) { return build(t, false, false); });
    EXPECT_NE(by_nft.find("element 080510ac"), std::string::npos) << by_nft;  // sanity
    EXPECT_EQ(in_scratch_netns([](NftTable& t) { return build(t, true, true); }), by_nft);
    EXPECT_EQ(in_scratch_netns([](NftTable& t) { return build(t, true, false); }), by_nft);
    EXPECT_EQ(in_scratch_netns([](NftTable& t) { return build(t, false, true); }), by_nft);
}

TEST(NftFastPath, RefusalNamesTheElement) {
    TAPD_SKIP_UNLESS_CI(needs_root());
    std::string out = in_scratch_netns([](NftTable& t) {
        if (auto st = t.run(nft::table_batch({}), "test"); !st) return st.error().message;
        bool refused = false;
        auto sock = NftElementSocket::open();
        auto st = sock.value()->apply(*nft::raw_elements(false, raw1).ops, &refused);
        std::string msg = st ? "no error" : st.error().message;
        // The table holds nothing after a refused transaction: the guard did not go in.
        auto st2 = sock.value()->apply(
            *nft::join_elements({nft::guard_elements(true), nft::masquerade_elements(false, tap1)})
                 .ops,
            &refused);
        return std::string(refused ? "refused\n" : "not refused\n") + msg + "\n" +
               (st2 ? "no error" : st2.error().message) + "\n";
    });
    EXPECT_NE(out.find("deleting element 2046820358 . tap1 from set rawallow: No such file"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("refused\n"), std::string::npos) << out;
    EXPECT_NE(out.find("deleting element 172.16.5.7/32 from set masq4: No such file"),
              std::string::npos)
        << out;
    EXPECT_EQ(out.find("\"guardmode\", \"table\": \"tapd\", \"type\": \"nf_proto\", \"handle\": 7, "
                       "\"map\": \"verdict\", \"elem\""),
              std::string::npos)
        << out;
    EXPECT_EQ(out.find("jump -> guard4"), std::string::npos) << out;
}

}  // namespace
}  // namespace tapd
