// Tests for daemon/kernel/link_messages and link's pure parts: parse_link() on built RTM_NEWLINK
// messages (tun info, truncated and malformed attributes), the link requests byte for byte,
// parse_mac(), and attachable_by_anyone().
#include "link.hpp"

#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <vector>

#include "netlink_bytes.hpp"

namespace tapd {
namespace {

struct Tun {
    std::optional<uint32_t> owner, group, queues, disabled;
    uint8_t type = IFF_TAP;
    bool persist = true, multi_queue = false;
};

// An RTM_NEWLINK for IFINDEX NAME of KIND, with TUN as its IFLA_INFO_DATA when given.
NlRequest link_message(int ifindex, const char* name, const char* kind,
                       const std::optional<Tun>& tun = std::nullopt, uint16_t type = RTM_NEWLINK) {
    NlRequest m(type, 0, 0);
    ifinfomsg ifi{};
    ifi.ifi_index = ifindex;
    m.family(ifi);
    m.attr_string(IFLA_IFNAME, name);
    m.attr_u32(IFLA_MTU, 1500);
    const unsigned char mac[6] = {0x02, 0, 0, 0, 0, 0x2a};
    m.attr(IFLA_ADDRESS, mac, 6);
    m.attr_string(IFLA_IFALIAS, "tapd:owner=65534");
    if (kind) {
        size_t li = m.begin_nest(IFLA_LINKINFO);
        m.attr_string(IFLA_INFO_KIND, kind);
        if (tun) {
            size_t data = m.begin_nest(IFLA_INFO_DATA);
            if (tun->owner) m.attr_u32(IFLA_TUN_OWNER, *tun->owner);
            if (tun->group) m.attr_u32(IFLA_TUN_GROUP, *tun->group);
            m.attr(IFLA_TUN_TYPE, &tun->type, 1);
            uint8_t persist = tun->persist, mq = tun->multi_queue;
            m.attr(IFLA_TUN_PERSIST, &persist, 1);
            m.attr(IFLA_TUN_MULTI_QUEUE, &mq, 1);
            if (tun->queues) m.attr_u32(IFLA_TUN_NUM_QUEUES, *tun->queues);
            if (tun->disabled) m.attr_u32(IFLA_TUN_NUM_DISABLED_QUEUES, *tun->disabled);
            m.end_nest(data);
        }
        m.end_nest(li);
    }
    return m;
}

std::optional<LinkInfo> parse(const NlRequest& m) {
    return parse_link(message_of(m.bytes()));
}

TEST(ParseLink, ReadsNameIndexMtuMacAliasAndKind) {
    auto m = link_message(7, "eth0", "veth");
    auto l = parse(m);
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
    auto l = parse(m);
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
    auto l = parse(ownerless);
    ASSERT_TRUE(l && l->tun);
    EXPECT_FALSE(l->tun->owner);
    EXPECT_FALSE(l->tun->queues);  // not multi-queue: the kernel reports no counts
    EXPECT_TRUE(attachable_by_anyone(*l));
    Tun grouped;
    grouped.group = 100;
    auto g = link_message(3, "tun9", "tun", grouped);
    EXPECT_FALSE(attachable_by_anyone(*parse(g)));
    Tun transient;
    transient.persist = false;
    auto t = link_message(3, "tun9", "tun", transient);
    EXPECT_FALSE(attachable_by_anyone(*parse(t)));
    transient.multi_queue = true;  // in use, with room for one more queue
    auto mq = link_message(3, "tun9", "tun", transient);
    EXPECT_TRUE(attachable_by_anyone(*parse(mq)));
    auto tun_mode =
        link_message(3, "tun9", "tun", Tun{std::nullopt, std::nullopt, {}, {}, IFF_TUN});
    EXPECT_FALSE(parse(tun_mode)->tun->tap);
}

TEST(ParseLink, DeletionsParseAndOtherMessagesDoNot) {
    auto del = link_message(4, "tap1", "tun", Tun{}, RTM_DELLINK);
    EXPECT_TRUE(parse(del));
    auto addr = link_message(4, "tap1", "tun", Tun{}, RTM_NEWADDR);
    EXPECT_FALSE(parse(addr));
}

TEST(ParseLink, ShortAttributesAreNotRead) {
    // A 1-byte IFLA_MTU and a 2-byte IFLA_TUN_OWNER: neither is read as a u32.
    NlRequest m(RTM_NEWLINK, 0, 0);
    ifinfomsg ifi{};
    ifi.ifi_index = 5;
    m.family(ifi);
    uint8_t one = 9;
    m.attr(IFLA_MTU, &one, 1);
    m.attr(IFLA_IFNAME, "tap0", 4);  // no NUL
    size_t li = m.begin_nest(IFLA_LINKINFO);
    m.attr_string(IFLA_INFO_KIND, "tun");
    size_t data = m.begin_nest(IFLA_INFO_DATA);
    uint16_t two = 7;
    m.attr(IFLA_TUN_OWNER, &two, 2);
    m.end_nest(data);
    m.end_nest(li);
    auto l = parse(m);
    ASSERT_TRUE(l && l->tun);
    EXPECT_EQ(l->mtu, 0u);
    EXPECT_EQ(l->name, "tap0");
    EXPECT_FALSE(l->tun->owner);
}

TEST(ParseLink, AMessageShorterThanItsHeaderIsRefused) {
    std::vector<std::byte> buf(NLMSG_HDRLEN + 4, std::byte{0});
    nlmsghdr h{};
    h.nlmsg_len = static_cast<uint32_t>(buf.size());  // ifinfomsg needs 16 bytes
    h.nlmsg_type = RTM_NEWLINK;
    std::memcpy(buf.data(), &h, sizeof h);
    EXPECT_FALSE(parse_link(message_of(buf)));
}

TEST(ParseLink, ANestedAttributeThatOverrunsItsNestIsNotRead) {
    auto built = link_message(6, "tap2", "tun", Tun{});
    std::vector<std::byte> bytes(built.bytes().begin(), built.bytes().end());
    // Grow the first attribute inside the last one (IFLA_LINKINFO) past the end of the message.
    size_t last = 0;
    NlBytes attrs = message_of(bytes).attributes(sizeof(ifinfomsg));
    for_each_attr(attrs, [&](const NlAttr& a) {
        if (a.type == IFLA_LINKINFO) last = static_cast<size_t>(a.data.data() - bytes.data());
    });
    ASSERT_NE(last, 0u);
    uint16_t huge = 200;
    std::memcpy(bytes.data() + last, &huge, sizeof huge);  // IFLA_INFO_KIND's nla_len
    auto l = parse_link(message_of(bytes));
    ASSERT_TRUE(l);
    EXPECT_EQ(l->kind, "");
    EXPECT_FALSE(l->tun);
}

TEST(ParseLink, UnknownAttributesAreSkipped) {
    auto m = link_message(8, "tap3", nullptr);
    m.attr_u32(IFLA_MAX + 7, 1);  // a type from a later kernel
    m.attr_u32(IFLA_MTU, 9000);   // a later duplicate wins, as in libnl
    auto l = parse(m);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->mtu, 9000u);
    EXPECT_EQ(l->name, "tap3");
}

TEST(ParseLink, ATruncatedMessageIsNoMessage) {
    auto m = link_message(8, "tap3", "tun", Tun{});
    NlBytes cut = m.bytes().first(m.bytes().size() - 4);  // nlmsg_len says 4 bytes more
    EXPECT_FALSE(NlMessage::checked(cut));
}

TEST(ParseMac, ReadsEitherCaseAndRefusesEverythingElse) {
    EXPECT_EQ(parse_mac("02:aB:cd:EF:00:ff"), (MacAddress{0x02, 0xab, 0xcd, 0xef, 0x00, 0xff}));
    for (const char* bad : {"", "02:ab:cd:ef:00", "02:ab:cd:ef:00:ff:", "02-ab-cd-ef-00-ff",
                            "02:ab:cd:ef:00:fg", " 2:ab:cd:ef:00:ff", "+2:ab:cd:ef:00:ff"})
        EXPECT_FALSE(parse_mac(bad)) << bad;
}

TEST(LinkRequests, ChangeSetsOnlyWhatIsAskedByteForByte) {
    LinkSettings s;
    s.mtu = 1400;
    s.up = true;
    auto r = change_link_request(7, s, 42);
    // nlmsghdr: len 40, RTM_NEWLINK (16), NLM_F_REQUEST|NLM_F_ACK (5), seq 42, port 0;
    // ifinfomsg: AF_UNSPEC, index 7, flags IFF_UP, change IFF_UP; IFLA_MTU (4) 1400.
    const std::vector<uint8_t> expected = {
        40, 0, 0, 0, 16,   0,    5, 0, 42, 0, 0, 0, 0, 0, 0, 0,  // nlmsghdr
        0,  0, 0, 0, 7,    0,    0, 0, 1,  0, 0, 0, 1, 0, 0, 0,  // ifinfomsg
        8,  0, 4, 0, 0x78, 0x05, 0, 0};                          // IFLA_MTU 1400
    EXPECT_EQ(to_u8(r.bytes()), expected);
}

TEST(LinkRequests, AliasMacAndDownGoAsAttributesAndFlags) {
    LinkSettings s;
    s.alias = "tapd";
    s.mac = MacAddress{2, 0, 0, 0, 0, 1};
    s.up = false;
    auto m = message_of(change_link_request(3, s, 1).bytes());
    EXPECT_EQ(m.type(), RTM_NEWLINK);
    EXPECT_EQ(m.flags(), NLM_F_REQUEST | NLM_F_ACK);
    auto ifi = m.header<ifinfomsg>();
    ASSERT_TRUE(ifi);
    EXPECT_EQ(ifi->ifi_index, 3);
    EXPECT_EQ(ifi->ifi_flags, 0u);
    EXPECT_EQ(ifi->ifi_change, unsigned(IFF_UP));
    NlAttrTable<IFLA_MAX> tb(m.attributes(sizeof(ifinfomsg)));
    EXPECT_EQ(nl_string(tb[IFLA_IFALIAS]), "tapd");
    EXPECT_EQ(tb[IFLA_IFALIAS]->size(), 5u);  // with its NUL
    ASSERT_TRUE(tb[IFLA_ADDRESS]);
    EXPECT_EQ(to_u8(*tb[IFLA_ADDRESS]), (std::vector<uint8_t>{2, 0, 0, 0, 0, 1}));
    EXPECT_FALSE(tb[IFLA_MTU]);
}

TEST(LinkRequests, DeleteNamesTheIndexOnly) {
    auto r = delete_link_request(9, 5);
    const std::vector<uint8_t> expected = {32, 0, 0, 0, 17, 0, 5, 0, 5, 0, 0, 0, 0, 0, 0, 0,
                                           0,  0, 0, 0, 9,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(to_u8(r.bytes()), expected);
}

}  // namespace
}  // namespace tapd
