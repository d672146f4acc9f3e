// tapctl doctor NAME, the tap's own checks: link and carrier, addresses, routes, rp_filter, each
// state made to happen in a namespace and the doctor's line read.
#include "doctor_fixture.hpp"

namespace tapd::test {
namespace {

TEST_F(Doctor, StrictRpFilterOnTheTapIsAWarning) {
    env_->start_tapd();
    ASSERT_EQ(create_masquerading().status, 0);
    host({"sysctl", "-qw", "net.ipv4.conf.tap0.rp_filter=1"});
    auto r = doctor();
    EXPECT_NE(line(r, "tap0 rp_filter")
                  .find("warn  tap0 rp_filter: strict (1, the larger of net.ipv4.conf.all and "
                        ".tap0)"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("fix: sysctl -w net.ipv4.conf.all.rp_filter=2 "
                         "net.ipv4.conf.tap0.rp_filter=2"),
              std::string::npos)
        << r.out;
    EXPECT_NE(env_->tapd_log().find("finding: rp_filter is strict (1) on tap0"), std::string::npos)
        << env_->tapd_log();
}

TEST_F(Doctor, MissingAddressAndRouteFail) {
    env_->start_tapd();
    auto created = env_->tapctl({"create", "tap0", "--address", "192.168.69.100/24", "--address",
                                 "fdaa::100/64", "--route", "fdaa::/64"});
    ASSERT_EQ(created.status, 0) << created.describe();
    host({"ip", "-6", "route", "del", "fdaa::/64", "dev", "tap0"});
    host({"ip", "addr", "del", "192.168.69.100/24", "dev", "tap0"});
    auto r = doctor();
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(line(r, "tap0 addresses")
                  .find("fail  tap0 addresses: missing from the link: 192.168.69.100/24"),
              std::string::npos)
        << r.out;
    EXPECT_NE(line(r, "tap0 routes").find("fail  tap0 routes: missing: fdaa::/64"),
              std::string::npos)
        << r.out;
    // tapd set the link up at create: the link is fine, only what was removed fails.
    EXPECT_NE(line(r, "tap0 link").find("ok    tap0 link: up, no carrier"), std::string::npos)
        << r.out;
}

// The normal states of a tap no program has opened yet: up (tapd sets it up at create) without
// carrier, and without addresses. Nothing to warn of: the doctor exits 0.
TEST_F(Doctor, AnUpTapWithoutCarrierOrAddressesIsOk) {
    env_->start_tapd();
    auto created = env_->tapctl({"create", "tap0"});
    ASSERT_EQ(created.status, 0) << created.describe();
    auto r = doctor();
    EXPECT_EQ(r.status, 0) << r.describe();
    EXPECT_NE(
        line(r, "tap0 link").find("ok    tap0 link: up, no carrier: no program has it open yet"),
        std::string::npos)
        << r.out;
    EXPECT_NE(line(r, "tap0 addresses").find("ok    tap0 addresses: none"), std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find("warn "), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("fail "), std::string::npos) << r.out;
}

// A program holding the tap's fd gives it carrier: the doctor run by that very program says so.
TEST_F(Doctor, ATapAProgramHoldsHasCarrier) {
    env_->start_tapd();
    ASSERT_EQ(env_->tapctl({"create", "tap0"}).status, 0);
    auto r = env_->tapctl({"exec", "tap0", "--", tapctl_bin(), "doctor", "tap0"});
    EXPECT_EQ(r.status, 0) << r.describe();
    EXPECT_NE(line(r, "tap0 link").find("ok    tap0 link: up, carrier"), std::string::npos)
        << r.out;
}

// A tap set administratively down carries nothing: a warning (exit 1) with the way back.
TEST_F(Doctor, ATapSetDownIsAWarning) {
    env_->start_tapd();
    ASSERT_EQ(create_masquerading().status, 0);
    host({"ip", "link", "set", "tap0", "down"});
    auto r = doctor();
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(line(r, "tap0 link")
                  .find("warn  tap0 link: down (set down by someone): it carries no traffic; fix: "
                        "tapctl exec tap0 -- PROGRAM (tapd sets the link up when it hands out an "
                        "fd), or as root: ip link set tap0 up"),
              std::string::npos)
        << r.out;
}

}  // namespace
}  // namespace tapd::test
