// foreign_nft_change: which nf_tables notifications are someone else's change.
#include <gtest/gtest.h>
#include <linux/netlink.h>

#include <cstring>
#include <vector>

#include "nft_events.hpp"

namespace tapd {
namespace {

// A datagram of messages from the senders PORTS (each a bare header with 4 bytes of payload).
std::vector<char> datagram(const std::vector<uint32_t>& ports) {
    std::vector<char> out;
    for (uint32_t port : ports) {
        nlmsghdr h{};
        h.nlmsg_len = NLMSG_LENGTH(4);
        h.nlmsg_type = 0x0a00 | 12;  // NFNL_SUBSYS_NFTABLES, NFT_MSG_NEWSETELEM
        h.nlmsg_pid = port;
        size_t at = out.size();
        out.resize(at + NLMSG_ALIGN(h.nlmsg_len));
        std::memcpy(out.data() + at, &h, sizeof h);
    }
    return out;
}

TEST(ForeignNftChange, OwnMessagesAreNot) {
    auto two = datagram({77, 91, 77});
    EXPECT_FALSE(foreign_nft_change(two.data(), two.size(), std::vector<uint32_t>{91, 77}));
    auto d = datagram({77, 77, 77});
    EXPECT_FALSE(foreign_nft_change(d.data(), d.size(), std::vector<uint32_t>{77}));
}

TEST(ForeignNftChange, AnyOtherSenderIs) {
    auto d = datagram({77, 78, 77});
    EXPECT_TRUE(foreign_nft_change(d.data(), d.size(), std::vector<uint32_t>{77}));
    auto kernel = datagram({0});
    EXPECT_TRUE(foreign_nft_change(kernel.data(), kernel.size(), std::vector<uint32_t>{77}));
}

TEST(ForeignNftChange, WithoutAnOwnPortEveryChangeIs) {
    auto d = datagram({77});
    EXPECT_TRUE(foreign_nft_change(d.data(), d.size(), std::vector<uint32_t>{}));
}

TEST(ForeignNftChange, MalformedDatagramsAre) {
    auto d = datagram({77});
    EXPECT_TRUE(
        foreign_nft_change(d.data(), 3, std::vector<uint32_t>{77}));  // shorter than a header
    auto bad = datagram({77});
    reinterpret_cast<nlmsghdr*>(bad.data())->nlmsg_len = 4096;  // longer than the datagram
    EXPECT_TRUE(foreign_nft_change(bad.data(), bad.size(), std::vector<uint32_t>{77}));
    auto tail = datagram({77});
    tail.resize(tail.size() + 8, 0);  // trailing bytes that are no message
    EXPECT_TRUE(foreign_nft_change(tail.data(), tail.size(), std::vector<uint32_t>{77}));
}

TEST(ForeignNftChange, AnEmptyDatagramIsNothing) {
    EXPECT_FALSE(foreign_nft_change(nullptr, 0, std::vector<uint32_t>{77}));
    EXPECT_FALSE(foreign_nft_change(nullptr, 0, std::vector<uint32_t>{}));
}

}  // namespace
}  // namespace tapd
