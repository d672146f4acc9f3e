// The default route from /proc/net/route's text.
#include <gtest/gtest.h>

#include "host_facts.hpp"

namespace tapd {
namespace {

const char* kHeader =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

TEST(HostFacts, DefaultRouteWithTheLowestMetricIsTheUplink) {
    std::string text = std::string(kHeader) +
                       "eth1\t00000000\t017100CB\t0003\t0\t0\t200\t00000000\t0\t0\t0\n"
                       "eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
                       "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
    auto r = parse_default_route(text);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->ifname, "eth0");
    EXPECT_EQ(r->gateway, "192.0.2.1");
    EXPECT_EQ(r->metric, 100u);
}

TEST(HostFacts, NoDefaultRouteOrGarbageGivesNone) {
    EXPECT_FALSE(parse_default_route(""));
    EXPECT_FALSE(parse_default_route(kHeader));
    EXPECT_FALSE(parse_default_route(
        std::string(kHeader) + "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"));
    EXPECT_FALSE(parse_default_route(std::string(kHeader) + "eth0 00000000\n"));
    // A default route that is down (flags without RTF_UP) is not the uplink.
    EXPECT_FALSE(parse_default_route(
        std::string(kHeader) + "eth0\t00000000\t010200C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n"));
    // On-link: no gateway.
    auto r = parse_default_route(std::string(kHeader) +
                                 "wg0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->gateway, "");
}

// /sys/class/net/NAME/flags is hexadecimal with its "0x" (an up tap: "0x1003"); reading it as
// "0" + text made every link read as down (flags 0).
TEST(HostFacts, SysfsLinkFlagsAreHexadecimalWithTheirPrefix) {
    EXPECT_EQ(parse_sysfs_flags("0x1003\n"), 0x1003u);
    EXPECT_EQ(parse_sysfs_flags("0x1002"), 0x1002u);
    EXPECT_FALSE(parse_sysfs_flags(""));
    EXPECT_FALSE(parse_sysfs_flags("1003"));
    EXPECT_FALSE(parse_sysfs_flags("0x"));
    EXPECT_FALSE(parse_sysfs_flags("0x-1"));
    EXPECT_FALSE(parse_sysfs_flags("0x10zz"));
}

}  // namespace
}  // namespace tapd
