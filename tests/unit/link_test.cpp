// Tests for daemon/link's pure parts: parse_link() on hand-built RTM_NEWLINK messages (tun info,
// truncated and malformed attributes), and attachable_by_anyone().
#include "link.hpp"

#include <gtest/gtest.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <memory>
#include <vector>

#include <netlink/attr.h>
#include <netlink/msg.h>

namespace tapd {
namespace {

using MsgPtr = std::unique_ptr<nl_msg, void (*)(nl_msg*)>;

struct Tun {
    std::optional<uint32_t> owner, group, queues, disabled;
    uint8_t type = IFF_TAP;
    bool persist = true, multi_queue = false;
};

// An RTM_NEWLINK for IFINDEX NAME of KIND, with TUN as its IFLA_INFO_DATA when given.
MsgPtr link_message(int ifindex, const char* name, const char* kind,
                    const std::optional<Tun>& tun = std::nullopt, int type = RTM_NEWLINK) {
    MsgPtr m(nlmsg_alloc_simple(type, 0), nlmsg_free);
    ifinfomsg ifi{};
    ifi.ifi_index = ifindex;
    nlmsg_append(m.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO);
    nla_put_string(m.get(), IFLA_IFNAME, name);
    nla_put_u32(m.get(), IFLA_MTU, 1500);
    const unsigned char mac[6] = {0x02, 0, 0, 0, 0, 0x2a};
    nla_put(m.get(), IFLA_ADDRESS, 6, mac);
    nla_put_string(m.get(), IFLA_IFALIAS, "tapd:owner=65534");
    if (kind) {
        nlattr* li = nla_nest_start(m.get(), IFLA_LINKINFO);
        nla_put_string(m.get(), IFLA_INFO_KIND, kind);
        if (tun) {
            nlattr* data = nla_nest_start(m.get(), IFLA_INFO_DATA);
            if (tun->owner) nla_put_u32(m.get(), IFLA_TUN_OWNER, *tun->owner);
            if (tun->group) nla_put_u32(m.get(), IFLA_TUN_GROUP, *tun->group);
            nla_put_u8(m.get(), IFLA_TUN_TYPE, tun->type);
            nla_put_u8(m.get(), IFLA_TUN_PERSIST, tun->persist);
            nla_put_u8(m.get(), IFLA_TUN_MULTI_QUEUE, tun->multi_queue);
            if (tun->queues) nla_put_u32(m.get(), IFLA_TUN_NUM_QUEUES, *tun->queues);
            if (tun->disabled) nla_put_u32(m.get(), IFLA_TUN_NUM_DISABLED_QUEUES, *tun->disabled);
            nla_nest_end(m.get(), data);
        }
        nla_nest_end(m.get(), li);
    }
    return m;
}

TEST(ParseLink, ReadsNameIndexMtuMacAliasAndKind) {
    auto m = link_message(7, "eth0", "veth");
    auto l = parse_link(nlmsg_hdr(m.get()));
    ASSERT_TRUE(l);
    EXPECT_EQ(l->ifindex, 7);
    EXPECT_EQ(l->name, "eth0");
    EXPECT_EQ(l->kind, "veth");
    EXPECT_EQ(l->mtu, 1500u);
    EXPECT_EQ(l->mac, "02:00:00:00:00:2a");
    EXPECT_EQ(l->alias, "tapd:owner=65534");
    EXPECT_FALSE(l->tun);
}

TEST(ParseLink, ReadsTheTunInfoOfATap) {
    auto m = link_message(9, "tap0", "tun", Tun{65534, std::nullopt, 2, 1, IFF_TAP, true, true});
    auto l = parse_link(nlmsg_hdr(m.get()));
    ASSERT_TRUE(l && l->tun);
    EXPECT_EQ(l->tun->owner, 65534u);
    EXPECT_FALSE(l->tun->group);
    EXPECT_TRUE(l->tun->tap);
    EXPECT_TRUE(l->tun->persist);
    EXPECT_TRUE(l->tun->multi_queue);
    EXPECT_EQ(l->tun->queues, 2u);
    EXPECT_EQ(l->tun->disabled_queues, 1u);
    EXPECT_FALSE(attachable_by_anyone(*l));
}

TEST(ParseLink, AnOwnerlessPersistentTunIsSaidSo) {
    auto ownerless = link_message(3, "tun9", "tun", Tun{});
    auto l = parse_link(nlmsg_hdr(ownerless.get()));
    ASSERT_TRUE(l && l->tun);
    EXPECT_FALSE(l->tun->owner);
    EXPECT_FALSE(l->tun->queues);  // not multi-queue: the kernel reports no counts
    EXPECT_TRUE(attachable_by_anyone(*l));
    Tun grouped;
    grouped.group = 100;
    auto g = link_message(3, "tun9", "tun", grouped);
    EXPECT_FALSE(attachable_by_anyone(*parse_link(nlmsg_hdr(g.get()))));
    Tun transient;
    transient.persist = false;
    auto t = link_message(3, "tun9", "tun", transient);
    EXPECT_FALSE(attachable_by_anyone(*parse_link(nlmsg_hdr(t.get()))));
    transient.multi_queue = true;  // in use, with room for one more queue
    auto mq = link_message(3, "tun9", "tun", transient);
    EXPECT_TRUE(attachable_by_anyone(*parse_link(nlmsg_hdr(mq.get()))));
    auto tun_mode =
        link_message(3, "tun9", "tun", Tun{std::nullopt, std::nullopt, {}, {}, IFF_TUN});
    EXPECT_FALSE(parse_link(nlmsg_hdr(tun_mode.get()))->tun->tap);
}

TEST(ParseLink, DeletionsParseAndOtherMessagesDoNot) {
    auto del = link_message(4, "tap1", "tun", Tun{}, RTM_DELLINK);
    EXPECT_TRUE(parse_link(nlmsg_hdr(del.get())));
    auto addr = link_message(4, "tap1", "tun", Tun{}, RTM_NEWADDR);
    EXPECT_FALSE(parse_link(nlmsg_hdr(addr.get())));
}

TEST(ParseLink, ShortAttributesAreNotRead) {
    // A 1-byte IFLA_MTU and a 2-byte IFLA_TUN_OWNER: neither is read as a u32.
    MsgPtr m(nlmsg_alloc_simple(RTM_NEWLINK, 0), nlmsg_free);
    ifinfomsg ifi{};
    ifi.ifi_index = 5;
    nlmsg_append(m.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO);
    uint8_t one = 9;
    nla_put(m.get(), IFLA_MTU, 1, &one);
    nla_put(m.get(), IFLA_IFNAME, 4, "tap0");  // no NUL
    nlattr* li = nla_nest_start(m.get(), IFLA_LINKINFO);
    nla_put_string(m.get(), IFLA_INFO_KIND, "tun");
    nlattr* data = nla_nest_start(m.get(), IFLA_INFO_DATA);
    uint16_t two = 7;
    nla_put(m.get(), IFLA_TUN_OWNER, 2, &two);
    nla_nest_end(m.get(), data);
    nla_nest_end(m.get(), li);
    auto l = parse_link(nlmsg_hdr(m.get()));
    ASSERT_TRUE(l && l->tun);
    EXPECT_EQ(l->mtu, 0u);
    EXPECT_EQ(l->name, "tap0");
    EXPECT_FALSE(l->tun->owner);
}

TEST(ParseLink, AMessageShorterThanItsHeaderIsRefused) {
    std::vector<unsigned char> buf(NLMSG_HDRLEN + 4, 0);
    auto* h = reinterpret_cast<nlmsghdr*>(buf.data());
    h->nlmsg_len = static_cast<uint32_t>(buf.size());  // ifinfomsg needs 16 bytes
    h->nlmsg_type = RTM_NEWLINK;
    EXPECT_FALSE(parse_link(h));
}

TEST(ParseLink, ANestedAttributeThatOverrunsItsNestIsNotRead) {
    auto m = link_message(6, "tap2", "tun", Tun{});
    nlmsghdr* h = nlmsg_hdr(m.get());
    // Grow the last attribute (IFLA_LINKINFO) past the end of the message.
    nlattr* last = nullptr;
    int rem = 0;
    nlattr* a;
    nlmsg_for_each_attr(a, h, sizeof(ifinfomsg), rem) last = a;
    ASSERT_TRUE(last && nla_type(last) == IFLA_LINKINFO);
    nlattr* kind = static_cast<nlattr*>(nla_data(last));
    kind->nla_len = 200;
    auto l = parse_link(h);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->kind, "");
    EXPECT_FALSE(l->tun);
}

}  // namespace
}  // namespace tapd
