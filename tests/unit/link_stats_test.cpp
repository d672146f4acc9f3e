// link_stats (libtapd): the RTM_GETLINK request's bytes and the reply parser on built replies,
// including cut and malformed ones; no socket.
#include "link_stats.hpp"

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <gtest/gtest.h>

namespace tapd {
namespace {

template <class T>
void append(std::vector<std::byte>& out, const T& v) {
    size_t at = out.size();
    out.resize(at + sizeof v);
    std::memcpy(out.data() + at, &v, sizeof v);
}

void attr(std::vector<std::byte>& out, uint16_t type, const void* data, size_t len) {
    rtattr a{};
    a.rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
    a.rta_type = type;
    append(out, a);
    size_t at = out.size();
    out.resize(at + RTA_ALIGN(len));
    std::memcpy(out.data() + at, data, len);
}

// A kernel-like RTM_NEWLINK for "tap0" with MAC 02:00:00:00:00:01 and the given drops.
std::vector<std::byte> newlink(uint32_t seq, uint64_t rx_dropped, uint64_t tx_dropped) {
    std::vector<std::byte> body;
    ifinfomsg ifi{};
    ifi.ifi_index = 2;
    append(body, ifi);
    attr(body, IFLA_IFNAME, "tap0", 5);
    const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
    attr(body, IFLA_ADDRESS, mac, sizeof mac);
    rtnl_link_stats64 st{};
    st.rx_packets = 7;
    st.tx_packets = 9;
    st.rx_dropped = rx_dropped;
    st.tx_dropped = tx_dropped;
    attr(body, IFLA_STATS64, &st, sizeof st);
    nlmsghdr h{};
    h.nlmsg_len = static_cast<uint32_t>(NLMSG_HDRLEN + body.size());
    h.nlmsg_type = RTM_NEWLINK;
    h.nlmsg_seq = seq;
    std::vector<std::byte> out;
    append(out, h);
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

std::vector<std::byte> error_reply(uint32_t seq, int err) {
    nlmsgerr e{};
    e.error = err;
    nlmsghdr h{};
    h.nlmsg_len = static_cast<uint32_t>(NLMSG_LENGTH(sizeof e));
    h.nlmsg_type = NLMSG_ERROR;
    h.nlmsg_seq = seq;
    std::vector<std::byte> out;
    append(out, h);
    append(out, e);
    return out;
}

TEST(LinkStats, RequestAsksForOneLinkByName) {
    auto req = link_request("tap0", 42);
    nlmsghdr h;
    ASSERT_GE(req.size(), sizeof h);
    std::memcpy(&h, req.data(), sizeof h);
    EXPECT_EQ(h.nlmsg_len, req.size());
    EXPECT_EQ(h.nlmsg_type, RTM_GETLINK);
    EXPECT_EQ(h.nlmsg_flags, NLM_F_REQUEST);  // not a dump
    EXPECT_EQ(h.nlmsg_seq, 42u);
    ifinfomsg ifi;
    std::memcpy(&ifi, req.data() + NLMSG_HDRLEN, sizeof ifi);
    EXPECT_EQ(ifi.ifi_index, 0);
    rtattr a;
    size_t at = NLMSG_LENGTH(sizeof(ifinfomsg));
    std::memcpy(&a, req.data() + at, sizeof a);
    EXPECT_EQ(a.rta_type, IFLA_IFNAME);
    EXPECT_EQ(a.rta_len, RTA_LENGTH(5));
    EXPECT_EQ(std::memcmp(req.data() + at + RTA_LENGTH(0), "tap0", 5), 0);  // with its NUL
    EXPECT_EQ(req.size(), at + RTA_ALIGN(RTA_LENGTH(5)));
}

TEST(LinkStats, ParsesNameMacAndDrops) {
    auto reply = newlink(5, 3, 150);
    LinkReply r = parse_link_reply(reply, 5);
    ASSERT_EQ(r.error, 0);
    EXPECT_EQ(r.counters.name, "tap0");
    ASSERT_TRUE(r.counters.has_mac);
    EXPECT_EQ(r.counters.mac, (std::array<uint8_t, 6>{2, 0, 0, 0, 0, 1}));
    EXPECT_EQ(r.counters.rx_packets, 7u);
    EXPECT_EQ(r.counters.tx_packets, 9u);
    EXPECT_EQ(r.counters.rx_dropped, 3u);
    EXPECT_EQ(r.counters.tx_dropped, 150u);
}

TEST(LinkStats, SkipsAnswersToOtherRequests) {
    auto reply = newlink(4, 0, 1);
    auto mine = newlink(5, 0, 2);
    reply.insert(reply.end(), mine.begin(), mine.end());
    LinkReply r = parse_link_reply(reply, 5);
    ASSERT_EQ(r.error, 0);
    EXPECT_EQ(r.counters.tx_dropped, 2u);
}

TEST(LinkStats, KernelErrorIsReturnedAsNegativeErrno) {
    EXPECT_EQ(parse_link_reply(error_reply(5, -ENODEV), 5).error, -ENODEV);
    // An acknowledgement without the link is no answer.
    EXPECT_EQ(parse_link_reply(error_reply(5, 0), 5).error, -EBADMSG);
}

TEST(LinkStats, EveryCutReplyIsRefusedWithoutReadingPastIt) {
    auto reply = newlink(5, 0, 1);
    for (size_t len = 0; len < reply.size(); ++len) {
        // A copy of exactly LEN bytes, so that a read past it is a sanitizer's error.
        std::vector<std::byte> cut(reply.begin(), reply.begin() + static_cast<long>(len));
        EXPECT_EQ(parse_link_reply(cut, 5).error, -EBADMSG) << "cut at " << len;
    }
}

TEST(LinkStats, ImpossibleLengthsAreRefused) {
    auto reply = newlink(5, 0, 1);
    // An attribute longer than the message (the first, IFLA_IFNAME).
    auto bad = reply;
    rtattr a;
    size_t at = NLMSG_LENGTH(sizeof(ifinfomsg));
    std::memcpy(&a, bad.data() + at, sizeof a);
    a.rta_len = 0xfff0;
    std::memcpy(bad.data() + at, &a, sizeof a);
    EXPECT_EQ(parse_link_reply(bad, 5).error, -EBADMSG);
    // An attribute shorter than its own header.
    a.rta_len = 2;
    std::memcpy(bad.data() + at, &a, sizeof a);
    EXPECT_EQ(parse_link_reply(bad, 5).error, -EBADMSG);
    // A message length beyond the buffer, and one shorter than its header.
    for (uint32_t len : {uint32_t(reply.size() + 4), uint32_t(8)}) {
        bad = reply;
        std::memcpy(bad.data(), &len, sizeof len);
        EXPECT_EQ(parse_link_reply(bad, 5).error, -EBADMSG) << "nlmsg_len " << len;
    }
}

}  // namespace
}  // namespace tapd
