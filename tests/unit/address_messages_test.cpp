// Tests for daemon/kernel/address_messages: parse_address() on RTM_NEWADDR bytes as the kernel
// sends them (IPv4, IPv6, unknown attributes, impossible lengths), parse_address_event() on
// notifications, and the requests byte for byte.
#include "address_messages.hpp"

#include <gtest/gtest.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <vector>

#include "netlink_bytes.hpp"

namespace tapd {
namespace {

// 192.168.69.1/24 on link 3: ifaddrmsg, IFA_ADDRESS, IFA_LOCAL, IFA_LABEL "tap0", IFA_FLAGS.
const std::vector<uint8_t> kIpv4 = {
    60, 0,  0,    0, 20,   0,   2,   0,   7, 0, 0, 0,
    0,  0,  0,    0,                                   // RTM_NEWADDR, NLM_F_MULTI, seq 7
    2,  24, 0x80, 0, 3,    0,   0,   0,                // AF_INET /24 permanent, index 3
    8,  0,  1,    0, 192,  168, 69,  1,                // IFA_ADDRESS
    8,  0,  2,    0, 192,  168, 69,  1,                // IFA_LOCAL
    9,  0,  3,    0, 't',  'a', 'p', '0', 0, 0, 0, 0,  // IFA_LABEL
    8,  0,  8,    0, 0x80, 0,   0,   0};               // IFA_FLAGS

// fdaa::1/64 on link 4: ifaddrmsg, IFA_ADDRESS only (IPv6 sends no IFA_LOCAL), IFA_CACHEINFO.
const std::vector<uint8_t> kIpv6 = {
    64, 0,  0,    0, 20,   0,    2, 0, 7, 0, 0, 0, 0, 0, 0, 0,               //
    10, 64, 0x80, 0, 4,    0,    0, 0,                                       // AF_INET6 /64
    20, 0,  1,    0, 0xfd, 0xaa, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,   // IFA_ADDRESS
    20, 0,  6,    0, 1,    0,    0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0};  // IFA_CACHEINFO

std::optional<InterfaceAddress> parse(const std::vector<uint8_t>& bytes) {
    auto b = to_bytes(bytes);
    return parse_address(message_of(b));
}

TEST(ParseAddress, ReadsAnIpv4AddressFromIfaLocal) {
    auto a = parse(kIpv4);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->ifindex, 3);
    EXPECT_EQ(a->address.str(), "192.168.69.1/24");
}

TEST(ParseAddress, ReadsAnIpv6AddressFromIfaAddress) {
    auto a = parse(kIpv6);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->ifindex, 4);
    EXPECT_EQ(a->address.str(), "fdaa::1/64");
}

TEST(ParseAddress, IfaLocalWinsOverThePeerInIfaAddress) {
    auto bytes = kIpv4;
    bytes[16 + 8 + 7] = 2;  // IFA_ADDRESS (the peer) 192.168.69.2
    auto a = parse(bytes);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->address.str(), "192.168.69.1/24");
}

TEST(ParseAddress, SkipsUnknownAttributes) {
    auto bytes = kIpv4;
    const std::vector<uint8_t> unknown = {8, 0, 0x40, 0, 1, 2, 3, 4};  // type 64
    bytes.insert(bytes.begin() + 24, unknown.begin(), unknown.end());
    bytes[0] = static_cast<uint8_t>(bytes.size());
    auto a = parse(bytes);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->address.str(), "192.168.69.1/24");
}

TEST(ParseAddress, RefusesWhatDoesNotHold) {
    auto wrong_len = kIpv4;
    wrong_len[32] = 7;  // IFA_LOCAL of 3 bytes: no address, and no fallback to the peer
    EXPECT_FALSE(parse(wrong_len));
    auto long_prefix = kIpv4;
    long_prefix[17] = 33;
    EXPECT_FALSE(parse(long_prefix));
    auto other_family = kIpv4;
    other_family[16] = 7;
    EXPECT_FALSE(parse(other_family));
    auto deletion = kIpv4;
    deletion[4] = RTM_DELADDR;
    EXPECT_FALSE(parse(deletion));
    auto v6_as_v4 = kIpv6;
    v6_as_v4[16] = 2;  // a 16-byte address for AF_INET
    EXPECT_FALSE(parse(v6_as_v4));
    // Cut inside ifaddrmsg.
    std::vector<uint8_t> short_msg(kIpv4.begin(), kIpv4.begin() + 20);
    short_msg[0] = 20;
    EXPECT_FALSE(parse(short_msg));
    // No address attribute at all: its length field past the message's end hides it.
    auto overrun = kIpv4;
    overrun[24] = 200;
    EXPECT_FALSE(parse(overrun));
}

Result<std::optional<AddressEvent>> event(const std::vector<uint8_t>& bytes) {
    auto b = to_bytes(bytes);
    return parse_address_event(message_of(b));
}

TEST(ParseAddressEvent, ReadsAnAdditionOrARemovalWithItsPeer) {
    auto added = event(kIpv4);
    ASSERT_TRUE(added.ok() && added.value());
    EXPECT_FALSE(added.value()->removed);
    EXPECT_EQ(added.value()->address.address.str(), "192.168.69.1/24");
    EXPECT_EQ(added.value()->address.ifindex, 3);
    EXPECT_EQ(added.value()->peer.str(), "192.168.69.1");
    auto removed_bytes = kIpv4;
    removed_bytes[4] = RTM_DELADDR;
    removed_bytes[16 + 8 + 7] = 2;  // IFA_ADDRESS: a peer
    auto removed = event(removed_bytes);
    ASSERT_TRUE(removed.ok() && removed.value());
    EXPECT_TRUE(removed.value()->removed);
    EXPECT_EQ(removed.value()->address.address.str(), "192.168.69.1/24");
    EXPECT_EQ(removed.value()->peer.str(), "192.168.69.2");
    EXPECT_FALSE(parse(removed_bytes));  // parse_address() reads RTM_NEWADDR only
    auto v6 = event(kIpv6);
    ASSERT_TRUE(v6.ok() && v6.value());
    EXPECT_EQ(v6.value()->address.address.str(), "fdaa::1/64");
}

TEST(ParseAddressEvent, OtherMessagesAndFamiliesAreNotOursAndBadOnesAreErrors) {
    auto other_type = kIpv4;
    other_type[4] = RTM_NEWLINK;
    auto r = event(other_type);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.value());
    auto other_family = kIpv4;
    other_family[16] = AF_BRIDGE;
    r = event(other_family);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.value());
    auto long_prefix = kIpv4;
    long_prefix[17] = 33;
    r = event(long_prefix);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("RTM_NEWADDR: prefix length 33"), std::string::npos);
    auto short_local = kIpv6;
    short_local[24] = 8;  // IFA_ADDRESS of 4 bytes in an IPv6 message
    short_local[0] = 28 + 8;
    short_local.resize(36);
    EXPECT_FALSE(event(short_local).ok());
}

TEST(AddressRequests, AddIsExclusiveWithLocalAndAddressByteForByte) {
    auto p = parse_interface_address("10.1.2.3/24");
    ASSERT_TRUE(p.ok());
    auto r = add_address_request(5, p.value(), {}, 9);
    const std::vector<uint8_t> expected = {40, 0,  0, 0, 20, 0, 0x05, 0x06,
                                           9,  0,  0, 0, 0,  0, 0,    0,  // REQUEST|ACK|EXCL|CREATE
                                           2,  24, 0, 0, 5,  0, 0,    0,  // AF_INET /24, index 5
                                           8,  0,  2, 0, 10, 1, 2,    3,  // IFA_LOCAL
                                           8,  0,  1, 0, 10, 1, 2,    3};  // IFA_ADDRESS
    EXPECT_EQ(to_u8(r.bytes()), expected);
}

TEST(AddressRequests, Ipv6SkipsDadAndFlagsPastEightBitsGoInIfaFlags) {
    auto p = parse_interface_address("fdaa::100/64");
    ASSERT_TRUE(p.ok());
    auto m = add_address_request(6, p.value(), {.no_prefix_route = true}, 1);
    auto msg = message_of(m.bytes());
    auto ifa = msg.header<ifaddrmsg>();
    ASSERT_TRUE(ifa);
    EXPECT_EQ(ifa->ifa_flags, IFA_F_NODAD);
    NlAttrTable<IFA_MAX> tb(msg.attributes(sizeof(ifaddrmsg)));
    EXPECT_EQ(nl_u32(tb[IFA_FLAGS]), uint32_t(IFA_F_NODAD | IFA_F_NOPREFIXROUTE));
    EXPECT_EQ(tb[IFA_LOCAL]->size(), 16u);
    auto plain = message_of(add_address_request(6, p.value(), {}, 1).bytes());
    EXPECT_FALSE((NlAttrTable<IFA_MAX>(plain.attributes(sizeof(ifaddrmsg)))[IFA_FLAGS]));
}

TEST(AddressRequests, DeleteAsksOnlyForAnAck) {
    auto p = parse_interface_address("10.1.2.3/24");
    ASSERT_TRUE(p.ok());
    auto m = message_of(delete_address_request(5, p.value(), 2).bytes());
    EXPECT_EQ(m.type(), RTM_DELADDR);
    EXPECT_EQ(m.flags(), NLM_F_REQUEST | NLM_F_ACK);
    auto back = parse_address(m);  // same layout as RTM_NEWADDR, so it parses as one would
    EXPECT_FALSE(back);            // (it is not RTM_NEWADDR)
}

}  // namespace
}  // namespace tapd
