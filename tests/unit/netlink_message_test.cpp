// Tests for daemon/kernel/netlink_message: the checked message view (impossible lengths
// included), datagram splitting, attribute walking and reading, and the request builder byte for
// byte.
#include "netlink_message.hpp"

#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include <vector>

#include "netlink_bytes.hpp"

namespace tapd {
namespace {

TEST(NlMessageChecked, TakesAMessageWhoseLengthHoldsInItsBytes) {
    auto bytes = kernel_message(RTM_NEWLINK, NLM_F_MULTI, 9, {1, 2, 3, 4});
    auto m = NlMessage::checked(bytes);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type(), RTM_NEWLINK);
    EXPECT_EQ(m->flags(), NLM_F_MULTI);
    EXPECT_EQ(m->seq(), 9u);
    EXPECT_EQ(m->bytes().size(), 20u);
    EXPECT_EQ(to_u8(m->payload()), (std::vector<uint8_t>{1, 2, 3, 4}));
}

TEST(NlMessageChecked, RefusesImpossibleLengths) {
    auto bytes = kernel_message(RTM_NEWLINK, 0, 1, {1, 2, 3, 4});
    EXPECT_FALSE(NlMessage::checked(NlBytes(bytes).first(15)));  // shorter than a header
    EXPECT_FALSE(NlMessage::checked(NlBytes(bytes).first(19)));  // nlmsg_len 20 past the end
    for (uint32_t len : {0u, 1u, 15u, 21u, 0xffffffffu}) {
        std::memcpy(bytes.data(), &len, sizeof len);
        EXPECT_FALSE(NlMessage::checked(bytes)) << len;
    }
    uint32_t exact = 16;  // a header alone
    std::memcpy(bytes.data(), &exact, sizeof exact);
    auto m = NlMessage::checked(bytes);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->payload().empty());
}

TEST(NlMessageChecked, ReadsUnalignedBytes) {
    auto bytes = kernel_message(RTM_NEWADDR, 0, 3, {10, 64, 0, 0, 4, 0, 0, 0});
    std::vector<std::byte> shifted(1, std::byte{0});
    shifted.insert(shifted.end(), bytes.begin(), bytes.end());
    auto m = NlMessage::checked(NlBytes(shifted).subspan(1));
    ASSERT_TRUE(m);
    auto ifa = m->header<ifaddrmsg>();
    ASSERT_TRUE(ifa);
    EXPECT_EQ(ifa->ifa_index, 4u);
    EXPECT_FALSE(m->header<rtmsg>());  // 12 bytes, the payload has 8
    EXPECT_TRUE(m->attributes(sizeof(ifaddrmsg)).empty());
    EXPECT_TRUE(m->attributes(64).empty());
}

TEST(ForEachMessage, SplitsADatagramAndStopsAtAnIncompleteMessage) {
    auto datagram = join({kernel_message(RTM_NEWADDR, NLM_F_MULTI, 1, {1}),
                          kernel_message(RTM_NEWADDR, NLM_F_MULTI, 1, {1, 2, 3, 4, 5}),
                          kernel_message(NLMSG_DONE, NLM_F_MULTI, 1, int_bytes(0))});
    std::vector<size_t> sizes;
    EXPECT_TRUE(
        for_each_message(datagram, [&](const NlMessage& m) { sizes.push_back(m.bytes().size()); }));
    EXPECT_EQ(sizes, (std::vector<size_t>{17, 21, 20}));

    sizes.clear();
    datagram.resize(datagram.size() - 1);  // the last message cut short
    EXPECT_FALSE(
        for_each_message(datagram, [&](const NlMessage& m) { sizes.push_back(m.bytes().size()); }));
    EXPECT_EQ(sizes, (std::vector<size_t>{17, 21}));

    std::vector<std::byte> garbage(7, std::byte{0xff});
    EXPECT_FALSE(for_each_message(garbage, [](const NlMessage&) { FAIL(); }));
    EXPECT_TRUE(for_each_message(NlBytes{}, [](const NlMessage&) { FAIL(); }));
}

TEST(ForEachMessage, TakesALastMessageWithoutPadding) {
    auto datagram = kernel_message(RTM_NEWADDR, 0, 1, {1});
    datagram.resize(17);  // nlmsg_len, not its aligned length
    int n = 0;
    EXPECT_TRUE(for_each_message(datagram, [&](const NlMessage&) { ++n; }));
    EXPECT_EQ(n, 1);
}

TEST(ForEachAttr, StopsAtTheFirstBadLength) {
    // type 1 (u32 7), type 2 with NLA_F_NESTED set (empty), type 3 claiming 12 of 8 bytes left.
    auto bytes = to_bytes({8,  0, 1, 0,    7, 0, 0, 0,  //
                           4,  0, 2, 0x80,              //
                           12, 0, 3, 0,    1, 2, 3, 4});
    std::vector<uint16_t> types;
    for_each_attr(bytes, [&](const NlAttr& a) { types.push_back(a.type); });
    EXPECT_EQ(types, (std::vector<uint16_t>{1, 2}));
    for (uint8_t bad_len : {0, 1, 3}) {
        auto b = to_bytes({bad_len, 0, 1, 0, 7, 0, 0, 0, 8, 0, 2, 0, 0, 0, 0, 0});
        int n = 0;
        for_each_attr(b, [&](const NlAttr&) { ++n; });
        EXPECT_EQ(n, 0) << int(bad_len);
    }
    int n = 0;
    for_each_attr(to_bytes({8, 0, 1}), [&](const NlAttr&) { ++n; });  // not even a header
    EXPECT_EQ(n, 0);
}

TEST(NlAttrTable, KeepsKnownTypesTheLastOfEachAndReadsValuesOnlyWhenLongEnough) {
    auto bytes = to_bytes({8, 0, 1, 0, 7,    0,   0,   0,    // 1: u32 7
                           8, 0, 1, 0, 9,    0,   0,   0,    // 1 again: 9 wins
                           5, 0, 2, 0, 0xaa, 0,   0,   0,    // 2: one byte
                           7, 0, 3, 0, 'a',  'b', 'c', 0,    // 3: "abc" with NUL
                           6, 0, 4, 0, 'x',  'y', 0,   0,    // 4: "xy" without NUL
                           8, 0, 9, 0, 1,    2,   3,   4});  // 9: above MAX, skipped
    NlAttrTable<4> tb(bytes);
    EXPECT_EQ(nl_u32(tb[1]), 9u);
    EXPECT_FALSE(nl_u32(tb[2]));  // too short for a u32
    EXPECT_EQ(nl_u8(tb[2]), 0xaa);
    EXPECT_EQ(nl_string(tb[3]), "abc");
    EXPECT_EQ(nl_string(tb[4]), "xy");
    EXPECT_FALSE(tb[0]);
    EXPECT_EQ(nl_string(tb[0]), "");
    EXPECT_FALSE(nl_u8(tb[0]));
}

TEST(NlRequest, BuildsHeaderFamilyAttributesAndNestsByteForByte) {
    NlRequest r(RTM_NEWLINK, NLM_F_ACK, 0x01020304);
    ifinfomsg ifi{};
    ifi.ifi_index = 2;
    r.family(ifi);
    r.attr_string(IFLA_IFNAME, "ab");  // 3 bytes with the NUL: padded to 4
    size_t nest = r.begin_nest(IFLA_LINKINFO);
    r.attr(IFLA_INFO_KIND, "t", 1);
    r.end_nest(nest);
    const std::vector<uint8_t> expected = {
        52, 0, 0,  0,    16,  0,   5, 0,
        4,  3, 2,  1,    0,   0,   0, 0,  // len, RTM_NEWLINK, REQUEST|ACK, seq
        0,  0, 0,  0,    2,   0,   0, 0,
        0,  0, 0,  0,    0,   0,   0, 0,   // ifinfomsg, index 2
        7,  0, 3,  0,    'a', 'b', 0, 0,   // IFLA_IFNAME "ab\0" + 1 pad
        12, 0, 18, 0x80,                   // IFLA_LINKINFO | NLA_F_NESTED
        5,  0, 1,  0,    't', 0,   0, 0};  // IFLA_INFO_KIND "t" + 3 pad
    EXPECT_EQ(to_u8(r.bytes()), expected);
    auto m = message_of(r.bytes());
    NlAttrTable<IFLA_MAX> tb(m.attributes(sizeof(ifinfomsg)));
    ASSERT_TRUE(tb[IFLA_LINKINFO]);  // found under its type without the nested bit
    NlAttrTable<IFLA_INFO_MAX> li(*tb[IFLA_LINKINFO]);
    EXPECT_EQ(nl_string(li[IFLA_INFO_KIND]), "t");
}

}  // namespace
}  // namespace tapd
