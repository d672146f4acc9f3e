// Tests for daemon/kernel/route_messages: parse_route() on RTM_NEWROUTE bytes as the kernel sends
// them (IPv4, IPv6 multipath, other tables, default routes, impossible lengths),
// parse_route_event() on notifications, and the requests.
#include "route_messages.hpp"

#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include <vector>

#include "netlink_bytes.hpp"

namespace tapd {
namespace {

// 10.0.0.0/24 dev #5, main table: rtmsg, RTA_TABLE, RTA_DST, RTA_OIF.
const std::vector<uint8_t> kIpv4 = {
    52, 0,  0,  0, 24,  0,   2,   0, 7, 0, 0, 0, 0, 0, 0, 0,  // RTM_NEWROUTE, NLM_F_MULTI
    2,  24, 0,  0, 254, 177, 253, 1, 0, 0, 0, 0,  // AF_INET /24 main proto 177 link unicast
    8,  0,  15, 0, 254, 0,   0,   0,              // RTA_TABLE 254
    8,  0,  1,  0, 10,  0,   0,   0,              // RTA_DST
    8,  0,  4,  0, 5,   0,   0,   0};             // RTA_OIF 5

// fdaa::/64 through a multipath whose first nexthop is link 6.
const std::vector<uint8_t> kIpv6Multipath = {
    60, 0,  0, 0, 24,   0,    2, 0, 7, 0, 0, 0, 0, 0, 0, 0,              //
    10, 64, 0, 0, 254,  2,    0, 1, 0, 0, 0, 0,                          // AF_INET6 /64 main
    20, 0,  1, 0, 0xfd, 0xaa, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // RTA_DST
    12, 0,  9, 0, 8,    0,    0, 0, 6, 0, 0, 0};                         // RTA_MULTIPATH

std::optional<RouteEntry> parse(const std::vector<uint8_t>& bytes) {
    auto b = to_bytes(bytes);
    return parse_route(message_of(b));
}

TEST(ParseRoute, ReadsAnIpv4RouteOfTheMainTable) {
    auto r = parse(kIpv4);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->ifindex, 5);
    EXPECT_EQ(r->destination.str(), "10.0.0.0/24");
}

TEST(ParseRoute, ReadsTheFirstNexthopOfAnIpv6Multipath) {
    auto r = parse(kIpv6Multipath);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->ifindex, 6);
    EXPECT_EQ(r->destination.str(), "fdaa::/64");
}

TEST(ParseRoute, RtaTableWinsOverRtmTable) {
    auto other = kIpv4;
    other[20 + 4 + 4 + 4] = 255;  // RTA_TABLE local (rtm_table still says main)
    EXPECT_FALSE(parse(other));
    auto compat = kIpv4;
    compat[20] = RT_TABLE_COMPAT;  // rtm_table of a table id past 255; RTA_TABLE says main
    EXPECT_TRUE(parse(compat));
    auto table_only = kIpv6Multipath;
    table_only[20] = 255;  // no RTA_TABLE: rtm_table counts
    EXPECT_FALSE(parse(table_only));
}

TEST(ParseRoute, ADefaultRouteHasNoDestination) {
    std::vector<uint8_t> bytes(kIpv4.begin(), kIpv4.begin() + 36);  // up to RTA_TABLE
    const std::vector<uint8_t> oif = {8, 0, 4, 0, 2, 0, 0, 0};
    bytes.insert(bytes.end(), oif.begin(), oif.end());
    bytes[0] = static_cast<uint8_t>(bytes.size());
    bytes[17] = 0;  // dst_len 0
    auto r = parse(bytes);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->destination.str(), "0.0.0.0/0");
    EXPECT_EQ(r->ifindex, 2);
}

TEST(ParseRoute, RefusesWhatDoesNotHold) {
    auto short_dst = kIpv4;
    short_dst[36] = 7;  // RTA_DST of 3 bytes
    EXPECT_FALSE(parse(short_dst));
    auto long_prefix = kIpv4;
    long_prefix[17] = 33;
    EXPECT_FALSE(parse(long_prefix));
    auto other_family = kIpv4;
    other_family[16] = 7;
    EXPECT_FALSE(parse(other_family));
    auto deletion = kIpv4;
    deletion[4] = RTM_DELROUTE;
    EXPECT_FALSE(parse(deletion));
    std::vector<uint8_t> short_msg(kIpv4.begin(), kIpv4.begin() + 24);  // rtmsg cut
    short_msg[0] = 24;
    EXPECT_FALSE(parse(short_msg));
    auto short_nexthop = kIpv6Multipath;
    short_nexthop[48] = 8;  // RTA_MULTIPATH holding 4 bytes: no rtnexthop in it
    auto r = parse(short_nexthop);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->ifindex, 0);
}

Result<std::optional<RouteEvent>> event(const std::vector<uint8_t>& bytes) {
    auto b = to_bytes(bytes);
    return parse_route_event(message_of(b));
}

TEST(ParseRouteEvent, ReadsAnAdditionOrARemovalThroughEveryNexthop) {
    auto added = event(kIpv4);
    ASSERT_TRUE(added.ok() && added.value());
    EXPECT_FALSE(added.value()->removed);
    EXPECT_EQ(added.value()->destination.str(), "10.0.0.0/24");
    EXPECT_EQ(added.value()->ifindexes, std::vector<int>{5});
    auto two_hops = kIpv6Multipath;  // a second rtnexthop, through link 7
    for (uint8_t b : {8, 0, 0, 0, 7, 0, 0, 0}) two_hops.push_back(b);
    two_hops[0] += 8;
    two_hops[48] += 8;  // RTA_MULTIPATH's length
    two_hops[4] = RTM_DELROUTE;
    auto removed = event(two_hops);
    ASSERT_TRUE(removed.ok() && removed.value());
    EXPECT_TRUE(removed.value()->removed);
    EXPECT_EQ(removed.value()->ifindexes, (std::vector<int>{6, 7}));
    auto no_link = kIpv4;
    no_link.resize(44);  // without RTA_OIF: a blackhole, say
    no_link[0] = 44;
    auto none = event(no_link);
    ASSERT_TRUE(none.ok() && none.value());
    EXPECT_EQ(none.value()->ifindexes, std::vector<int>{0});
}

TEST(ParseRouteEvent, CacheEntriesOtherTablesAndMessagesAreNotOursAndBadOnesAreErrors) {
    auto cloned = kIpv4;
    cloned[16 + 8] = RTM_F_CLONED & 0xff;
    cloned[16 + 9] = (RTM_F_CLONED >> 8) & 0xff;
    auto r = event(cloned);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.value());
    auto local = kIpv4;
    local[20 + 4 + 4 + 4] = 255;  // RTA_TABLE local
    r = event(local);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.value());
    auto link = kIpv4;
    link[4] = RTM_NEWLINK;
    r = event(link);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.value());
    auto short_dst = kIpv4;
    short_dst[36] = 7;  // RTA_DST of 3 bytes
    r = event(short_dst);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("RTM_NEWROUTE: a destination of 3 bytes"), std::string::npos);
}

TEST(RouteRequests, AddIsTapdsLinkScopeRouteByteForByte) {
    auto p = parse_network("10.1.2.0/24");
    ASSERT_TRUE(p.ok());
    auto r = add_route_request(5, p.value(), 3);
    const std::vector<uint8_t> expected = {
        52, 0,  0,  0, 24,  0,   0x05, 0x06, 3, 0, 0, 0, 0, 0, 0, 0,  // REQUEST|ACK|EXCL|CREATE
        2,  24, 0,  0, 254, 177, 253,  1,    0, 0, 0, 0,  // main, proto 177, link, unicast
        8,  0,  1,  0, 10,  1,   2,    0,                 // RTA_DST
        8,  0,  15, 0, 254, 0,   0,    0,                 // RTA_TABLE
        8,  0,  4,  0, 5,   0,   0,    0};                // RTA_OIF
    EXPECT_EQ(to_u8(r.bytes()), expected);
    auto back = parse_route(message_of(r.bytes()));  // the request reads back as the route
    ASSERT_TRUE(back);
    EXPECT_EQ(back->destination, p.value());
    EXPECT_EQ(back->ifindex, 5);
}

TEST(RouteRequests, DeleteIsTheSameRouteWithOnlyAnAck) {
    auto p = parse_network("fdaa::/64");
    ASSERT_TRUE(p.ok());
    auto m = message_of(delete_route_request(7, p.value(), 3).bytes());
    EXPECT_EQ(m.type(), RTM_DELROUTE);
    EXPECT_EQ(m.flags(), NLM_F_REQUEST | NLM_F_ACK);
    auto rtm = m.header<rtmsg>();
    ASSERT_TRUE(rtm);
    EXPECT_EQ(rtm->rtm_protocol, kRouteProtocol);
    EXPECT_EQ(rtm->rtm_dst_len, 64);
}

}  // namespace
}  // namespace tapd
