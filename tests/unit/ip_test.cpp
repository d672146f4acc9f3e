// Tests for common/ip: address, interface-address and network parsing, and prefix arithmetic.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <string>
#include <string_view>

#include "expect.hpp"
#include "ip.hpp"
#include "utf8.hpp"

namespace tapd {
namespace {

using namespace std::string_literals;

// TEXT as an IP address; the test fails if it is refused.
IpAddress ip(std::string_view text) {
    auto a = parse_ip_address(text);
    EXPECT_TRUE(a.ok()) << a.error().message;
    return a.ok() ? a.value() : IpAddress{};
}

// parse_ip_address

TEST(IpAddress, ParsesDottedQuadIntoTheFirstFourBytes) {
    auto a = parse_ip_address("192.168.69.100");
    ASSERT_TRUE(a.ok()) << a.error().message;
    EXPECT_EQ(a->family, AF_INET);
    EXPECT_EQ(a->bits(), 32);
    std::array<uint8_t, 16> want{192, 168, 69, 100};
    EXPECT_EQ(a->bytes, want);
    EXPECT_EQ(a->str(), "192.168.69.100");
}

TEST(IpAddress, ParsesIpv6AndPrintsItCanonically) {
    auto a = parse_ip_address("FDAA:0:0::0100");
    ASSERT_TRUE(a.ok()) << a.error().message;
    EXPECT_EQ(a->family, AF_INET6);
    EXPECT_EQ(a->bits(), 128);
    EXPECT_EQ(a->bytes[0], 0xfd);
    EXPECT_EQ(a->bytes[1], 0xaa);
    EXPECT_EQ(a->bytes[14], 0x01);
    EXPECT_EQ(a->bytes[15], 0x00);
    EXPECT_EQ(a->str(), "fdaa::100");
}

TEST(IpAddress, ParsesIpv4MappedTextAsAnIpv6Address) {
    auto a = parse_ip_address("::ffff:1.2.3.4");
    ASSERT_TRUE(a.ok()) << a.error().message;
    EXPECT_EQ(a->family, AF_INET6);
    std::array<uint8_t, 16> want{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4};
    EXPECT_EQ(a->bytes, want);
    EXPECT_EQ(a->str(), "::ffff:1.2.3.4");
    EXPECT_FALSE(a.value() == ip("1.2.3.4"));
}

TEST(IpAddress, EqualTextsInDifferentSpellingsGiveEqualValues) {
    EXPECT_EQ(ip("fdaa::1"), ip("FDAA:0000:0::1"));
    EXPECT_EQ(ip("::"), ip("0:0:0:0:0:0:0:0"));
}

TEST(IpAddress, AcceptsTheLongestPossibleIpv6Text) {
    std::string longest = "0000:0000:0000:0000:0000:ffff:255.255.255.255";
    ASSERT_EQ(longest.size(), 45u);
    auto a = parse_ip_address(longest);
    ASSERT_TRUE(a.ok()) << a.error().message;
    EXPECT_EQ(a->str(), "::ffff:255.255.255.255");
}

TEST(IpAddress, RefusesEmptyText) {
    EXPECT_TRUE(RefusedNaming(parse_ip_address(""), "''"));
}

TEST(IpAddress, RefusesZoneIndex) {
    EXPECT_TRUE(RefusedNaming(parse_ip_address("fe80::1%eth0"), "fe80::1%eth0"));
    EXPECT_TRUE(RefusedNaming(parse_ip_address("fe80::1%2"), "fe80::1%2"));
}

TEST(IpAddress, RefusesSurroundingWhitespace) {
    // Named as errors show a value: control bytes escaped ("1.2.3.4\x0a").
    for (const char* text : {" 1.2.3.4", "1.2.3.4 ", "1.2.3.4\n", "\t::1", "::1 ", "1.2.3. 4"})
        EXPECT_TRUE(RefusedNaming(parse_ip_address(text), printable_utf8(text, kShownBytes)))
            << "input: '" << text << "'";
}

TEST(IpAddress, RefusesShorthandsThatInetAtonWouldAccept) {
    for (const char* text : {"1.2.3", "127.1", "0x7f.0.0.1", "01.2.3.4", "256.1.1.1", "1.2.3.4.5",
                             "2130706433", "1.2.3.-4"})
        EXPECT_TRUE(RefusedNaming(parse_ip_address(text), text)) << "input: " << text;
}

TEST(IpAddress, RefusesMalformedIpv6) {
    for (const char* text :
         {"fdaa::1::2", "fdaa:::1", "12345::1", "fdaa::g", "1:2:3:4:5:6:7:8:9", "[::1]"})
        EXPECT_TRUE(RefusedNaming(parse_ip_address(text), text)) << "input: " << text;
}

TEST(IpAddress, RefusesOverlongTextAndNamesIt) {
    std::string text(46, '1');
    EXPECT_TRUE(RefusedNaming(parse_ip_address(text), text));
    std::string huge(100000, 'a');
    EXPECT_FALSE(parse_ip_address(huge).ok());
}

TEST(IpAddress, RefusesTextWithEmbeddedNul) {
    // inet_pton stops at the NUL; what follows it must not be ignored.
    EXPECT_FALSE(parse_ip_address("1.2.3.4\0junk"s).ok());
    EXPECT_FALSE(parse_ip_address("1.2.3.4\0"s).ok());
    EXPECT_FALSE(parse_ip_address("fdaa::1\0:2"s).ok());
    EXPECT_FALSE(parse_ip_address("\0"s).ok());
}

TEST(IpAddress, KnowsLinkLocalRanges) {
    EXPECT_TRUE(ip("169.254.0.0").is_link_local());
    EXPECT_TRUE(ip("169.254.255.255").is_link_local());
    EXPECT_FALSE(ip("169.253.255.255").is_link_local());
    EXPECT_FALSE(ip("169.255.0.0").is_link_local());
    EXPECT_FALSE(ip("170.254.0.1").is_link_local());
    EXPECT_TRUE(ip("fe80::1").is_link_local());
    EXPECT_TRUE(ip("febf:ffff::1").is_link_local());
    EXPECT_FALSE(ip("fec0::1").is_link_local());
    EXPECT_FALSE(ip("fe7f::1").is_link_local());
    EXPECT_FALSE(ip("fdaa::1").is_link_local());
    EXPECT_FALSE(ip("::ffff:169.254.1.1").is_link_local());
}

// parse_interface_address

TEST(InterfaceAddress, KeepsHostBits) {
    auto p = parse_interface_address("192.168.69.100/24");
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->address, ip("192.168.69.100"));
    EXPECT_EQ(p->length, 24);
    EXPECT_EQ(p->str(), "192.168.69.100/24");
    EXPECT_EQ(p->network().str(), "192.168.69.0/24");
}

TEST(InterfaceAddress, KeepsIpv6HostBits) {
    auto p = parse_interface_address("fdaa::100/64");
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->address, ip("fdaa::100"));
    EXPECT_EQ(p->length, 64);
    EXPECT_EQ(p->str(), "fdaa::100/64");
    EXPECT_EQ(p->network().str(), "fdaa::/64");
}

TEST(InterfaceAddress, AcceptsLengthsZeroAndFull) {
    auto zero = parse_interface_address("1.2.3.4/0");
    ASSERT_TRUE(zero.ok());
    EXPECT_EQ(zero->length, 0);
    auto full = parse_interface_address("1.2.3.4/32");
    ASSERT_TRUE(full.ok());
    EXPECT_EQ(full->length, 32);
    auto full6 = parse_interface_address("fdaa::1/128");
    ASSERT_TRUE(full6.ok());
    EXPECT_EQ(full6->length, 128);
}

TEST(InterfaceAddress, RequiresPrefixLength) {
    EXPECT_TRUE(RefusedNaming(parse_interface_address("192.168.69.100"), "'192.168.69.100'"));
    EXPECT_TRUE(RefusedNaming(parse_interface_address("fdaa::100"), "'fdaa::100'"));
}

TEST(InterfaceAddress, RefusesMissingAddressNamingTheWholeText) {
    EXPECT_TRUE(RefusedNaming(parse_interface_address("/24"), "/24"));
}

TEST(InterfaceAddress, RefusesPrefixLengthBeyondTheFamily) {
    auto r = parse_interface_address("1.2.3.4/33");
    EXPECT_TRUE(RefusedNaming(r, "'33'"));
    EXPECT_TRUE(RefusedNaming(r, "'1.2.3.4/33'"));
    EXPECT_TRUE(RefusedNaming(r, "0-32"));
    auto r6 = parse_interface_address("fdaa::1/129");
    EXPECT_TRUE(RefusedNaming(r6, "'fdaa::1/129'"));
    EXPECT_TRUE(RefusedNaming(r6, "0-128"));
}

TEST(InterfaceAddress, RefusesLengthsThatWouldWrapInAByte) {
    EXPECT_TRUE(RefusedNaming(parse_interface_address("1.2.3.4/256"), "1.2.3.4/256"));
    EXPECT_TRUE(RefusedNaming(parse_interface_address("1.2.3.4/280"), "1.2.3.4/280"));
    EXPECT_TRUE(RefusedNaming(parse_interface_address("fdaa::1/384"), "fdaa::1/384"));
    EXPECT_TRUE(RefusedNaming(parse_interface_address("1.2.3.4/4294967320"), "4294967320"));
    EXPECT_TRUE(RefusedNaming(parse_interface_address("1.2.3.4/99999999999999999999999"),
                              "99999999999999999999999"));
}

TEST(InterfaceAddress, RefusesLeadingZeroInLength) {
    EXPECT_TRUE(RefusedNaming(parse_interface_address("1.2.3.4/024"), "1.2.3.4/024"));
    EXPECT_TRUE(RefusedNaming(parse_interface_address("1.2.3.4/00"), "1.2.3.4/00"));
    EXPECT_TRUE(RefusedNaming(parse_interface_address("fdaa::1/064"), "fdaa::1/064"));
}

TEST(InterfaceAddress, RefusesMalformedLength) {
    for (const char* text :
         {"1.2.3.4/", "1.2.3.4/-1", "1.2.3.4/+24", "1.2.3.4/ 24", "1.2.3.4/24 ", "1.2.3.4/24/24",
          "1.2.3.4/0x18", "1.2.3.4/2a", "1.2.3.4//24", "1.2.3.4/24\n"})
        EXPECT_TRUE(RefusedNaming(parse_interface_address(text), printable_utf8(text, kShownBytes)))
            << "input: '" << text << "'";
}

TEST(InterfaceAddress, RefusesZoneIndexAndWhitespaceBeforeTheSlash) {
    EXPECT_TRUE(RefusedNaming(parse_interface_address("fe80::1%eth0/64"), "fe80::1%eth0"));
    EXPECT_TRUE(RefusedNaming(parse_interface_address("1.2.3.4 /24"), "1.2.3.4 "));
    EXPECT_TRUE(RefusedNaming(parse_interface_address(" 1.2.3.4/24"), " 1.2.3.4"));
}

TEST(InterfaceAddress, RefusesOverlongText) {
    std::string text = std::string(200, '1') + "/24";
    EXPECT_FALSE(parse_interface_address(text).ok());
}

TEST(InterfaceAddress, RefusesEmbeddedNul) {
    EXPECT_FALSE(parse_interface_address("1.2.3.4/24\0"s).ok());
    EXPECT_FALSE(parse_interface_address("1.2.3.4/2\0004"s).ok());
    EXPECT_FALSE(parse_interface_address("1.2.3.4\0/24"s).ok());
    EXPECT_FALSE(parse_interface_address("1.2.3.4\0.5/24"s).ok());
}

// parse_network

TEST(Network, AcceptsNetworkWithoutHostBits) {
    auto p = parse_network("192.168.69.0/24");
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->str(), "192.168.69.0/24");
    auto p6 = parse_network("fdaa::/64");
    ASSERT_TRUE(p6.ok()) << p6.error().message;
    EXPECT_EQ(p6->str(), "fdaa::/64");
}

TEST(Network, RefusesHostBitsNamingTheNetworkMeant) {
    auto r = parse_network("fdaa::1/64");
    EXPECT_TRUE(RefusedNaming(r, "'fdaa::1/64'"));
    EXPECT_TRUE(RefusedNaming(r, "fdaa::/64"));
    auto r4 = parse_network("192.168.69.100/24");
    EXPECT_TRUE(RefusedNaming(r4, "'192.168.69.100/24'"));
    EXPECT_TRUE(RefusedNaming(r4, "192.168.69.0/24"));
}

TEST(Network, ChecksHostBitsOffOctetBoundaries) {
    EXPECT_EQ(net("10.0.0.0/7").str(), "10.0.0.0/7");
    EXPECT_TRUE(RefusedNaming(parse_network("11.0.0.0/7"), "10.0.0.0/7"));
    EXPECT_EQ(net("192.168.69.128/25").str(), "192.168.69.128/25");
    EXPECT_TRUE(RefusedNaming(parse_network("192.168.69.192/25"), "192.168.69.128/25"));
    EXPECT_EQ(net("fdaa::/15").str(), "fdaa::/15");
    EXPECT_TRUE(RefusedNaming(parse_network("fdab::/15"), "fdaa::/15"));
    EXPECT_TRUE(RefusedNaming(parse_network("fdaa::1/127"), "fdaa::/127"));
}

TEST(Network, AcceptsDefaultRoutes) {
    auto p = parse_network("0.0.0.0/0");
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->length, 0);
    EXPECT_EQ(p->address.family, AF_INET);
    EXPECT_EQ(p->str(), "0.0.0.0/0");
    auto p6 = parse_network("::/0");
    ASSERT_TRUE(p6.ok()) << p6.error().message;
    EXPECT_EQ(p6->address.family, AF_INET6);
    EXPECT_EQ(p6->str(), "::/0");
}

TEST(Network, RefusesAnyAddressWithLengthZero) {
    EXPECT_TRUE(RefusedNaming(parse_network("1.2.3.4/0"), "0.0.0.0/0"));
    EXPECT_TRUE(RefusedNaming(parse_network("fdaa::/0"), "::/0"));
}

TEST(Network, RefusesBareAddressNamingTheFormWanted) {
    // As interface addresses and policy prefixes: a route is PREFIX/PLEN, never a guessed host.
    EXPECT_TRUE(RefusedNaming(parse_network("10.1.2.3"),
                              "route '10.1.2.3' has no prefix length (PREFIX/PLEN)"));
    EXPECT_TRUE(RefusedNaming(parse_network("fdaa::1"),
                              "route 'fdaa::1' has no prefix length (PREFIX/PLEN)"));
    EXPECT_TRUE(RefusedNaming(parse_network("0.0.0.0"), "no prefix length"));
    EXPECT_TRUE(RefusedNaming(parse_network("::"), "no prefix length"));
}

TEST(Network, AcceptsHostRoutesWrittenWithTheirLength) {
    EXPECT_EQ(net("10.1.2.3/32").str(), "10.1.2.3/32");
    EXPECT_EQ(net("fdaa::1/128").str(), "fdaa::1/128");
}

TEST(Network, ShowsARefusedTextBounded) {
    auto r = parse_network(std::string(300, '1'));
    EXPECT_TRUE(RefusedNaming(r, std::string(61, '1') + "..."));
    EXPECT_LT(r.error().message.size(), 200u);
}

TEST(Network, RefusesWhatInterfaceAddressesRefuse) {
    for (const char* text : {"/24", "1.2.3.4/33", "1.2.3.4/024", "1.2.3.4/", "1.2.3.4/-1",
                             "fe80::1%eth0", " 10.0.0.0/8", "10.0.0.0/8 ", ""})
        EXPECT_FALSE(parse_network(text).ok()) << "input: '" << text << "'";
}

TEST(Network, RefusesEmbeddedNul) {
    EXPECT_FALSE(parse_network("10.0.0.0\0/8"s).ok());
    EXPECT_FALSE(parse_network("10.0.0.0\0"s).ok());
}

// Prefix arithmetic

TEST(Prefix, NetworkClearsExactlyTheHostBits) {
    Prefix p{ip("192.168.69.200"), 25};
    EXPECT_EQ(p.network().str(), "192.168.69.128/25");
    EXPECT_EQ((Prefix{ip("255.255.255.255"), 0}).network().str(), "0.0.0.0/0");
    EXPECT_EQ((Prefix{ip("255.255.255.255"), 32}).network().str(), "255.255.255.255/32");
    EXPECT_EQ((Prefix{ip("255.255.255.255"), 1}).network().str(), "128.0.0.0/1");
    EXPECT_EQ((Prefix{ip("fdaa:1:2:3:4:5:6:7"), 64}).network().str(), "fdaa:1:2:3::/64");
    EXPECT_EQ((Prefix{ip("ffff:ffff::ffff"), 127}).network().str(), "ffff:ffff::fffe/127");
}

TEST(Prefix, NetworkLeavesTheOriginalUnchanged) {
    Prefix p{ip("10.1.2.3"), 8};
    auto n = p.network();
    EXPECT_EQ(p.str(), "10.1.2.3/8");
    EXPECT_EQ(n.str(), "10.0.0.0/8");
    EXPECT_EQ(n.length, 8);
}

TEST(Prefix, ContainsNarrowerPrefixesInside) {
    EXPECT_TRUE(net("192.168.0.0/16").contains(net("192.168.69.0/24")));
    EXPECT_TRUE(net("192.168.0.0/16").contains(net("192.168.0.0/16")));
    EXPECT_TRUE(net("10.0.0.0/8").contains(net("10.255.255.255/32")));
    EXPECT_TRUE(net("0.0.0.0/0").contains(net("203.0.113.0/24")));
    EXPECT_TRUE(net("fc00::/7").contains(net("fdaa::/64")));
    EXPECT_TRUE(net("::/0").contains(net("2001:db8::/32")));
}

TEST(Prefix, DoesNotContainWiderOrOutsidePrefixes) {
    EXPECT_FALSE(net("192.168.69.0/24").contains(net("192.168.0.0/16")));
    EXPECT_FALSE(net("10.0.0.0/8").contains(net("11.0.0.0/32")));
    EXPECT_FALSE(net("172.16.0.0/12").contains(net("172.32.0.0/16")));
    EXPECT_FALSE(net("fc00::/7").contains(net("fe80::/64")));
    EXPECT_FALSE(net("fe80::/64").contains(net("fe80:0:0:1::/64")));
}

TEST(Prefix, NeverContainsTheOtherFamily) {
    EXPECT_FALSE(net("0.0.0.0/0").contains(net("::/0")));
    EXPECT_FALSE(net("::/0").contains(net("0.0.0.0/0")));
    EXPECT_FALSE(net("::/0").contains(net("1.2.3.4/32")));
    EXPECT_FALSE(net("0.0.0.0/0").contains(net("::ffff:1.2.3.4/128")));
    EXPECT_FALSE(net("0.0.0.0/0").contains(ip("::ffff:1.2.3.4")));
}

TEST(Prefix, ContainsAddressesInsideIt) {
    EXPECT_TRUE(net("192.168.69.0/24").contains(ip("192.168.69.1")));
    EXPECT_TRUE(net("192.168.69.0/24").contains(ip("192.168.69.255")));
    EXPECT_FALSE(net("192.168.69.0/24").contains(ip("192.168.70.0")));
    EXPECT_TRUE(net("fdaa::/64").contains(ip("fdaa::ffff")));
    EXPECT_FALSE(net("fdaa::/64").contains(ip("fdab::1")));
    EXPECT_TRUE(net("0.0.0.0/0").contains(ip("255.255.255.255")));
}

TEST(Prefix, InterfaceAddressContainsItsNeighbours) {
    auto p = parse_interface_address("192.168.69.100/24");
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(p->contains(ip("192.168.69.5")));
    EXPECT_FALSE(p->contains(ip("192.168.68.5")));
}

TEST(Prefix, OverlapsWhenEitherContainsTheOther) {
    EXPECT_TRUE(net("10.0.0.0/8").overlaps(net("10.1.0.0/16")));
    EXPECT_TRUE(net("10.1.0.0/16").overlaps(net("10.0.0.0/8")));
    EXPECT_TRUE(net("10.1.0.0/16").overlaps(net("10.1.0.0/16")));
    EXPECT_FALSE(net("10.0.0.0/8").overlaps(net("11.0.0.0/8")));
    EXPECT_FALSE(net("10.1.0.0/16").overlaps(net("10.2.0.0/16")));
    EXPECT_FALSE(net("0.0.0.0/0").overlaps(net("::/0")));
    EXPECT_TRUE(net("fdaa::/16").overlaps(net("fdaa:1::/32")));
}

TEST(Prefix, PrintsAddressSlashLength) {
    EXPECT_EQ((Prefix{ip("fdaa::100"), 64}).str(), "fdaa::100/64");
    EXPECT_EQ((Prefix{ip("10.0.0.1"), 8}).str(), "10.0.0.1/8");
}

TEST(Prefix, StrRoundTripsThroughTheParser) {
    for (const char* text : {"192.168.69.100/24", "fdaa::100/64", "0.0.0.0/0", "::ffff:1.2.3.4/96",
                             "fe80::1/64", "255.255.255.255/32"}) {
        auto p = parse_interface_address(text);
        ASSERT_TRUE(p.ok()) << text;
        EXPECT_EQ(p->str(), text);
        auto again = parse_interface_address(p->str());
        ASSERT_TRUE(again.ok());
        EXPECT_EQ(again.value(), p.value());
    }
}

}  // namespace
}  // namespace tapd
