// Tests for daemon/options: CreateTap a{sv} parsing into CreateOptions, and refusals (OpenTap's:
// open_options_test.cpp).
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "expect.hpp"
#include "options.hpp"

namespace tapd {
namespace {

using Strings = std::vector<std::string>;

Result<CreateOptions> parse(const OptionMap& m) {
    return parse_create_options(m);
}

OptionMap with_mac(const std::string& mac) {
    return {{"mac", sdbus::Variant(mac)}};
}

TEST(CreateOptions, EmptyMapGivesDefaults) {
    auto o = parse({});
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_TRUE(o->addresses.empty());
    EXPECT_TRUE(o->routes.empty());
    EXPECT_FALSE(o->masquerade);
    EXPECT_FALSE(o->persistent);
    EXPECT_FALSE(o->mtu.has_value());
    EXPECT_FALSE(o->mac.has_value());
    EXPECT_FALSE(o->owner_access);
    EXPECT_FALSE(o->vnet_hdr);
    EXPECT_FALSE(o->multi_queue);
}

TEST(CreateOptions, ParsesEveryKnownOption) {
    OptionMap m{
        {"addresses", sdbus::Variant(Strings{"192.168.69.100/24", "fdaa::100/64"})},
        {"routes", sdbus::Variant(Strings{"10.1.0.0/16", "fdbb::/48"})},
        {"masquerade", sdbus::Variant(true)},
        {"persistent", sdbus::Variant(true)},
        {"mtu", sdbus::Variant(uint32_t{1500})},
        {"mac", sdbus::Variant(std::string("02:00:00:00:00:01"))},
        {"owner_access", sdbus::Variant(true)},
        {"vnet_hdr", sdbus::Variant(true)},
        {"multi_queue", sdbus::Variant(true)},
    };
    auto o = parse(m);
    ASSERT_TRUE(o.ok()) << o.error().message;
    ASSERT_EQ(o->addresses.size(), 2u);
    EXPECT_EQ(o->addresses[0].str(), "192.168.69.100/24");
    EXPECT_EQ(o->addresses[1].str(), "fdaa::100/64");
    ASSERT_EQ(o->routes.size(), 2u);
    EXPECT_EQ(o->routes[0].str(), "10.1.0.0/16");
    EXPECT_EQ(o->routes[1].str(), "fdbb::/48");
    EXPECT_TRUE(o->masquerade);
    EXPECT_TRUE(o->persistent);
    EXPECT_EQ(o->mtu, 1500u);
    EXPECT_EQ(o->mac, "02:00:00:00:00:01");
    EXPECT_TRUE(o->owner_access);
    EXPECT_TRUE(o->vnet_hdr);
    EXPECT_TRUE(o->multi_queue);
}

TEST(CreateOptions, SetsEachFlagOnlyFromItsOwnKey) {
    struct Flag {
        const char* key;
        bool CreateOptions::*field;
    };
    const Flag flags[] = {{"persistent", &CreateOptions::persistent},
                          {"owner_access", &CreateOptions::owner_access},
                          {"vnet_hdr", &CreateOptions::vnet_hdr},
                          {"multi_queue", &CreateOptions::multi_queue}};
    for (const auto& f : flags) {
        auto o = parse({{f.key, sdbus::Variant(true)}});
        ASSERT_TRUE(o.ok()) << f.key << ": " << o.error().message;
        for (const auto& g : flags)
            EXPECT_EQ(o.value().*g.field, &g == &f) << f.key << " set " << g.key;
        EXPECT_FALSE(o->masquerade);
        auto off = parse({{f.key, sdbus::Variant(false)}});
        ASSERT_TRUE(off.ok());
        EXPECT_FALSE(off.value().*f.field) << f.key;
    }
}

TEST(CreateOptions, AcceptsMasqueradeFalseWithoutAddresses) {
    auto o = parse({{"masquerade", sdbus::Variant(false)}});
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_FALSE(o->masquerade);
}

// Types

TEST(CreateOptions, RefusesSignedMtuNamingKeyAndTypes) {
    auto r = parse({{"mtu", sdbus::Variant(int32_t{1500})}});
    EXPECT_TRUE(RefusedNaming(r, "'mtu'"));
    EXPECT_TRUE(RefusedNaming(r, "'u'"));
    EXPECT_TRUE(RefusedNaming(r, "'i'"));
}

TEST(CreateOptions, RefusesMtuOfOtherIntegerWidths) {
    EXPECT_TRUE(RefusedNaming(parse({{"mtu", sdbus::Variant(uint16_t{1500})}}), "'q'"));
    EXPECT_TRUE(RefusedNaming(parse({{"mtu", sdbus::Variant(uint64_t{1500})}}), "'t'"));
    EXPECT_TRUE(RefusedNaming(parse({{"mtu", sdbus::Variant(std::string("1500"))}}), "'s'"));
}

TEST(CreateOptions, RefusesStringForABoolean) {
    for (const char* key :
         {"masquerade", "persistent", "owner_access", "vnet_hdr", "multi_queue"}) {
        auto r = parse({{key, sdbus::Variant(std::string("true"))}});
        EXPECT_TRUE(RefusedNaming(r, std::string("'") + key + "'")) << key;
        EXPECT_TRUE(RefusedNaming(r, "'b'")) << key;
        EXPECT_TRUE(RefusedNaming(r, "'s'")) << key;
    }
}

TEST(CreateOptions, RefusesIntegerForABoolean) {
    EXPECT_TRUE(
        RefusedNaming(parse({{"masquerade", sdbus::Variant(uint32_t{1})}}), "'masquerade'"));
    EXPECT_TRUE(RefusedNaming(parse({{"persistent", sdbus::Variant(int32_t{1})}}), "'persistent'"));
}

TEST(CreateOptions, RefusesSingleStringForAList) {
    auto r = parse({{"addresses", sdbus::Variant(std::string("192.168.69.100/24"))}});
    EXPECT_TRUE(RefusedNaming(r, "'addresses'"));
    EXPECT_TRUE(RefusedNaming(r, "'as'"));
    EXPECT_TRUE(
        RefusedNaming(parse({{"routes", sdbus::Variant(std::vector<int32_t>{1})}}), "'ai'"));
}

TEST(CreateOptions, RefusesListForTheMac) {
    EXPECT_TRUE(
        RefusedNaming(parse({{"mac", sdbus::Variant(Strings{"02:00:00:00:00:01"})}}), "'mac'"));
}

// Keys

TEST(CreateOptions, RefusesUnknownKeyNamingIt) {
    EXPECT_TRUE(RefusedNaming(parse({{"masquerad", sdbus::Variant(true)}}), "'masquerad'"));
    EXPECT_TRUE(RefusedNaming(parse({{"MTU", sdbus::Variant(uint32_t{1500})}}), "'MTU'"));
    EXPECT_TRUE(RefusedNaming(parse({{"", sdbus::Variant(true)}}), "''"));
}

TEST(CreateOptions, RefusesUnknownKeyEvenBesideValidOnes) {
    OptionMap m{{"addresses", sdbus::Variant(Strings{"192.168.69.100/24"})},
                {"zzz", sdbus::Variant(true)}};
    EXPECT_TRUE(RefusedNaming(parse(m), "'zzz'"));
}

TEST(CreateOptions, ShortensAHugeUnknownKeyInTheMessage) {
    std::string key(100000, 'k');
    auto r = parse({{key, sdbus::Variant(true)}});
    EXPECT_TRUE(RefusedNaming(r, std::string(61, 'k') + "..."));
    EXPECT_LT(r.error().message.size(), 200u);
}

TEST(CreateOptions, ShowsAKeyCutAtACharacterBoundary) {
    // 63 ASCII bytes + "é": cut at 64 bytes, the message held half of the "é".
    auto r = parse({{std::string(63, 'k') + "\xc3\xa9", sdbus::Variant(true)}});
    EXPECT_TRUE(RefusedNaming(r, "unknown option '" + std::string(61, 'k') + "...'"));
    EXPECT_EQ(r.error().message.find('\xc3'), std::string::npos) << r.error().message;
}

TEST(CreateOptions, RefusesMoreThanThirtyTwoKeys) {
    OptionMap m;
    for (int i = 0; i < 33; ++i) m.emplace("key" + std::to_string(i), sdbus::Variant(true));
    EXPECT_TRUE(RefusedNaming(parse(m), "too many options (33)"));
}

// Lists

Strings numbered_addresses(int n) {
    Strings out;
    for (int i = 1; i <= n; ++i) out.push_back("10.0." + std::to_string(i) + ".1/24");
    return out;
}

TEST(CreateOptions, AcceptsSixtyFourAddresses) {
    auto o = parse({{"addresses", sdbus::Variant(numbered_addresses(64))}});
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(o->addresses.size(), 64u);
}

TEST(CreateOptions, RefusesSixtyFiveAddresses) {
    auto r = parse({{"addresses", sdbus::Variant(numbered_addresses(65))}});
    EXPECT_TRUE(RefusedNaming(r, "'addresses'"));
    EXPECT_TRUE(RefusedNaming(r, "65 entries"));
    EXPECT_TRUE(RefusedNaming(r, "at most 64"));
}

TEST(CreateOptions, RefusesSixtyFiveRoutes) {
    Strings routes;
    for (int i = 0; i < 65; ++i) routes.push_back("10." + std::to_string(i) + ".0.0/16");
    EXPECT_TRUE(
        RefusedNaming(parse({{"routes", sdbus::Variant(routes)}}), "'routes' has 65 entries"));
}

TEST(CreateOptions, RefusesHugeStringWithoutEchoingIt) {
    std::string huge(1 << 20, '1');
    auto r = parse({{"addresses", sdbus::Variant(Strings{huge})}});
    EXPECT_TRUE(RefusedNaming(r, "'addresses'"));
    EXPECT_TRUE(RefusedNaming(r, std::to_string(huge.size()) + " bytes"));
    EXPECT_LT(r.error().message.size(), 200u);
}

TEST(CreateOptions, RefusesAStringOfTwoHundredFiftySevenBytes) {
    std::string s(257, 'a');
    EXPECT_TRUE(RefusedNaming(parse({{"routes", sdbus::Variant(Strings{s})}}), "257 bytes"));
}

TEST(CreateOptions, PrefixesAddressErrorsWithTheKey) {
    auto r = parse({{"addresses", sdbus::Variant(Strings{"192.168.69.100/24", "1.2.3.4/33"})}});
    EXPECT_TRUE(RefusedNaming(r, "option 'addresses': "));
    EXPECT_TRUE(RefusedNaming(r, "'1.2.3.4/33'"));
}

TEST(CreateOptions, RequiresPrefixLengthOnAddresses) {
    EXPECT_TRUE(RefusedNaming(parse({{"addresses", sdbus::Variant(Strings{"192.168.69.100"})}}),
                              "'192.168.69.100'"));
}

TEST(CreateOptions, RefusesRouteWithHostBitsNamingTheNetworkMeant) {
    auto r = parse({{"routes", sdbus::Variant(Strings{"10.1.2.3/16"})}});
    EXPECT_TRUE(RefusedNaming(r, "option 'routes': "));
    EXPECT_TRUE(RefusedNaming(r, "10.1.0.0/16"));
}

TEST(CreateOptions, RefusesBareRouteAsTapAddRouteDoes) {
    EXPECT_TRUE(RefusedNaming(parse({{"routes", sdbus::Variant(Strings{"10.1.2.3"})}}),
                              "option 'routes': route '10.1.2.3' has no prefix length"));
}

TEST(CreateOptions, RefusesTheSameAddressTwice) {
    auto r =
        parse({{"addresses", sdbus::Variant(Strings{"192.168.69.100/24", "192.168.69.100/24"})}});
    EXPECT_TRUE(RefusedNaming(r, "'addresses' lists 192.168.69.100/24 twice"));
}

TEST(CreateOptions, RefusesTheSameAddressTwiceInDifferentSpellings) {
    auto r = parse({{"addresses", sdbus::Variant(Strings{"fdaa::1/64", "FDAA:0::0001/64"})}});
    EXPECT_TRUE(RefusedNaming(r, "fdaa::1/64 twice"));
}

TEST(CreateOptions, RefusesTheSameIpv6AddressWithAnotherLength) {
    // The kernel keys IPv6 addresses by address alone: the second add would fail with EEXIST.
    auto r = parse({{"addresses", sdbus::Variant(Strings{"fdaa::1/64", "fdaa::1/80"})}});
    EXPECT_TRUE(RefusedNaming(r, "fdaa::1"));
}

TEST(CreateOptions, AcceptsDistinctAddressesInOneSubnet) {
    auto o =
        parse({{"addresses", sdbus::Variant(Strings{"192.168.69.100/24", "192.168.69.101/24"})}});
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(o->addresses.size(), 2u);
}

TEST(CreateOptions, RefusesTheSameRouteTwice) {
    auto r = parse({{"routes", sdbus::Variant(Strings{"10.1.0.0/16", "10.1.0.0/16"})}});
    EXPECT_TRUE(RefusedNaming(r, "'routes' lists 10.1.0.0/16 twice"));
}

TEST(CreateOptions, AcceptsEmptyLists) {
    auto o =
        parse({{"addresses", sdbus::Variant(Strings{})}, {"routes", sdbus::Variant(Strings{})}});
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_TRUE(o->addresses.empty());
}

// Masquerade

TEST(CreateOptions, RefusesMasqueradeWithoutAnyAddress) {
    EXPECT_TRUE(RefusedNaming(parse({{"masquerade", sdbus::Variant(true)}}), "masquerade"));
}

TEST(CreateOptions, RefusesMasqueradeWithOnlyIpv6Addresses) {
    OptionMap m{{"masquerade", sdbus::Variant(true)},
                {"addresses", sdbus::Variant(Strings{"fdaa::100/64", "::ffff:10.0.0.1/96"})}};
    EXPECT_TRUE(RefusedNaming(parse(m), "IPv4"));
}

TEST(CreateOptions, AcceptsMasqueradeWithAnIpv4Address) {
    OptionMap m{{"masquerade", sdbus::Variant(true)},
                {"addresses", sdbus::Variant(Strings{"fdaa::100/64", "192.168.69.100/24"})}};
    auto o = parse(m);
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_TRUE(o->masquerade);
    EXPECT_EQ(o->addresses[1], addr("192.168.69.100/24"));
}

// MTU

TEST(CreateOptions, AcceptsMtuAtBothBounds) {
    for (uint32_t mtu : {68u, 1500u, 9000u, 65521u}) {
        auto o = parse({{"mtu", sdbus::Variant(mtu)}});
        ASSERT_TRUE(o.ok()) << mtu << ": " << o.error().message;
        EXPECT_EQ(o->mtu, mtu);
    }
}

TEST(CreateOptions, RefusesMtuJustOutsideTheBounds) {
    EXPECT_TRUE(RefusedNaming(parse({{"mtu", sdbus::Variant(uint32_t{67})}}), "mtu 67"));
    EXPECT_TRUE(RefusedNaming(parse({{"mtu", sdbus::Variant(uint32_t{65522})}}), "mtu 65522"));
    EXPECT_TRUE(RefusedNaming(parse({{"mtu", sdbus::Variant(uint32_t{0})}}), "mtu 0"));
    EXPECT_TRUE(
        RefusedNaming(parse({{"mtu", sdbus::Variant(uint32_t{4294967295u})}}), "mtu 4294967295"));
}

// MAC

TEST(CreateOptions, AcceptsUnicastMac) {
    for (const char* mac :
         {"02:00:00:00:00:01", "52:54:00:12:34:56", "02:AA:bb:CC:dd:EE", "fe:ff:ff:ff:ff:ff"}) {
        auto o = parse(with_mac(mac));
        ASSERT_TRUE(o.ok()) << mac << ": " << o.error().message;
        EXPECT_EQ(o->mac, mac);
    }
}

TEST(CreateOptions, RefusesMulticastMac) {
    EXPECT_TRUE(RefusedNaming(parse(with_mac("01:00:5e:00:00:01")), "'01:00:5e:00:00:01'"));
    EXPECT_TRUE(RefusedNaming(parse(with_mac("33:33:00:00:00:01")), "multicast"));
    EXPECT_TRUE(RefusedNaming(parse(with_mac("ff:ff:ff:ff:ff:ff")), "multicast"));
}

TEST(CreateOptions, RefusesAllZeroMac) {
    EXPECT_TRUE(RefusedNaming(parse(with_mac("00:00:00:00:00:00")), "'00:00:00:00:00:00'"));
}

TEST(CreateOptions, RefusesMacOfTheWrongForm) {
    for (const char* mac :
         {"", "02-00-00-00-00-01", "02:00:00:00:00", "02:00:00:00:00:01:02", "0200.0000.0001",
          "2:0:0:0:0:1", "02:00:00:00:00:0g", "02:00:00:00:00:01 ", "02:00:00:00:00:1",
          "020000000001", "02:00:00:00:00:001"})
        EXPECT_TRUE(RefusedNaming(parse(with_mac(mac)), std::string("'") + mac + "'")) << mac;
}

TEST(CreateOptions, RefusesMacThatScanfWouldStillReadAsSixOctets) {
    // Seventeen bytes with a sign, a space or a bare "0x" inside an octet.
    for (const char* mac : {" 2:00:00:00:00:01", "+2:00:00:00:00:01", "-2:00:00:00:00:01",
                            "02: 0:00:00:00:01", "02:+0:00:00:00:01", "0x:00:00:00:00:01"})
        EXPECT_TRUE(RefusedNaming(parse(with_mac(mac)), std::string("'") + mac + "'")) << mac;
}

TEST(CreateOptions, RefusesHugeMacWithoutEchoingAllOfIt) {
    auto r = parse(with_mac(std::string(1 << 20, 'a')));
    EXPECT_TRUE(RefusedNaming(r, "option 'mac'"));
    EXPECT_TRUE(RefusedNaming(r, "is 1048576 bytes long (at most 256)"));
    EXPECT_LT(r.error().message.size(), 400u);
}

TEST(CreateOptions, RefusesALongMacWithACharacterAtTheCutInValidUtf8) {
    // 255 bytes, then "é" across bytes 256 and 257: a cut at 256 bytes split it.
    auto r = parse(with_mac(std::string(255, 'a') + "\xc3\xa9" + "bbbb"));
    EXPECT_TRUE(RefusedNaming(r, "option 'mac'"));
    EXPECT_TRUE(RefusedNaming(r, "261 bytes long (at most 256)"));
    EXPECT_EQ(r.error().message.find('\xc3'), std::string::npos) << r.error().message;
}

// Argument bounds and duplicate keys

TEST(ArgumentLength, AcceptsUpToTheLimit) {
    EXPECT_TRUE(check_length("address", std::string(256, '1'), 256).ok());
    EXPECT_TRUE(check_length("address", "", 256).ok());
}

TEST(ArgumentLength, RefusesPastTheLimitNamingWhatTheStartAndTheLimit) {
    auto st = check_length("route", std::string(102400, '1'), 256);
    EXPECT_TRUE(RefusedNaming(st, "route '" + std::string(61, '1') +
                                      "...' is 102400 bytes long "
                                      "(at most 256)"));
    EXPECT_LT(st.error().message.size(), 200u);
}

TEST(ArgumentLength, ShowsTheStartOfAValueAsValidUtf8) {
    auto st = check_length(
        "route", std::string(60, 'x') + "\xf0\x9f\x98\x80" + "\xff" + std::string(300, 'y'), 256);
    EXPECT_TRUE(RefusedNaming(st, "route '" + std::string(60, 'x') + "...'"));
}

TEST(OptionKeys, AcceptsDistinctKeys) {
    EXPECT_TRUE(check_unique_keys({}).ok());
    EXPECT_TRUE(check_unique_keys({"mtu", "mac", "persistent"}).ok());
}

TEST(OptionKeys, RefusesAKeyGivenTwiceNamingIt) {
    EXPECT_TRUE(
        RefusedNaming(check_unique_keys({"mtu", "mac", "mtu"}), "option 'mtu' is given twice"));
    EXPECT_TRUE(RefusedNaming(check_unique_keys({"", ""}), "option '' is given twice"));
    std::string huge(100000, 'k');
    auto st = check_unique_keys({huge, huge});
    EXPECT_TRUE(RefusedNaming(st, std::string(61, 'k') + "...' is given twice"));
    EXPECT_LT(st.error().message.size(), 200u);
}

}  // namespace
}  // namespace tapd
