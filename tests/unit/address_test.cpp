// Tests for daemon/address's pure part: the addresses no tap may have.
#include "address.hpp"

#include <gtest/gtest.h>

namespace tapd {
namespace {

TEST(CheckTapAddress, RefusesAddressesThatAreNeverATaps) {
    for (const char* a :
         {"0.0.0.0/32", "0.0.0.0/0", "127.0.0.1/8", "127.255.0.9/32", "224.0.0.1/4",
          "239.255.255.250/32", "255.255.255.255/32", "::/128", "::1/128", "ff02::1/16",
          "ff0e::5/128", "0.1.2.3/8", "240.0.0.1/4", "250.1.1.1/24", "169.254.169.254/16",
          "::ffff:127.0.0.1/128", "::ffff:192.168.69.1/128", "fd00:ec2::254/64"}) {
        auto p = parse_interface_address(a);
        ASSERT_TRUE(p.ok()) << a;
        auto st = check_tap_address(p.value());
        ASSERT_FALSE(st.ok()) << a;
        EXPECT_EQ(st.error().kind, ErrorKind::InvalidArgument);
        EXPECT_NE(st.error().message.find(std::string("address ") + a), std::string::npos)
            << st.error().message;
    }
}

TEST(CheckTapAddress, AcceptsOrdinaryAddresses) {
    for (const char* a : {"192.168.69.1/24", "10.0.0.1/8", "203.0.113.5/32", "169.254.3.4/16",
                          "223.255.255.1/24", "169.254.169.253/16", "1.0.0.1/8", "fdaa::1/64",
                          "fe80::1/64", "::2/128", "::fffe:192.168.69.1/128", "fd00:ec2::253/64"}) {
        auto p = parse_interface_address(a);
        ASSERT_TRUE(p.ok()) << a;
        EXPECT_TRUE(check_tap_address(p.value()).ok()) << a;
    }
}

}  // namespace
}  // namespace tapd
