// tapctl doctor, the host's checks: tapd reachable, the caller's policy, the uplink and its
// rp_filter, ownerless persistent tun devices, /dev/net/tun, each made to fail in a namespace (a
// private mount namespace for /dev/net/tun) and the doctor's line read.
#include <filesystem>

#include "doctor_fixture.hpp"

namespace tapd::test {
namespace {

TEST_F(Doctor, OwnerlessPersistentTapIsAWarning) {
    env_->start_tapd();
    host({"ip", "tuntap", "add", "dev", "stray0", "mode", "tap"});
    auto r = doctor({});
    EXPECT_NE(line(r, "ownerless tun/tap devices")
                  .find("warn  ownerless tun/tap devices: stray0: persistent, with neither owner "
                        "nor group"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("fix: ip link delete stray0"), std::string::npos) << r.out;
}

TEST_F(Doctor, NoDefaultRouteFailsTheUplinkCheck) {
    host({"ip", "route", "del", "default"});
    env_->start_tapd();
    auto r = doctor({});
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(line(r, "uplink").find("fail  uplink: no IPv4 default route"), std::string::npos)
        << r.out;
}

TEST_F(Doctor, UnreachableTapdFails) {
    auto r = doctor({});
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(line(r, "tapd").find("fail  tapd: cannot reach tapd"), std::string::npos) << r.out;
    // The host's own checks still run.
    EXPECT_NE(line(r, "uplink").find("ok"), std::string::npos) << r.out;
}

TEST_F(Doctor, StrictRpFilterOnTheUplinkIsAWarning) {
    env_->start_tapd();
    host({"sysctl", "-qw", "net.ipv4.conf.uplink.rp_filter=1"});
    auto r = doctor({});
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(line(r, "uplink rp_filter")
                  .find("warn  uplink rp_filter: strict (1, the larger of net.ipv4.conf.all and "
                        ".uplink)"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("fix: sysctl -w net.ipv4.conf.all.rp_filter=2 "
                         "net.ipv4.conf.uplink.rp_filter=2"),
              std::string::npos)
        << r.out;
    // Loose is fine.
    host({"sysctl", "-qw", "net.ipv4.conf.uplink.rp_filter=2"});
    EXPECT_NE(line(doctor({}), "uplink rp_filter").find("ok    uplink rp_filter: loose (2)"),
              std::string::npos)
        << doctor({}).out;
}

TEST_F(Doctor, ACallerNoPolicyRuleMatchesIsWarned) {
    std::string policy = kTestPolicy;
    policy.replace(policy.find("[65534, 65533]"), 14, "[65534]");
    env_->write_policy(policy);
    env_->start_tapd();
    auto r = env_->tapctl({"doctor"}, 65533);
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(line(r, "policy")
                  .find("warn  policy: uid 65533: 0 of 0 taps, prefixes none, "
                        "masquerade no: no policy rule matches you"),
              std::string::npos)
        << r.out;
    EXPECT_NE(line(doctor({}), "policy").find("ok    policy: uid 65534: 0 of 4 taps"),
              std::string::npos)
        << doctor({}).out;
}

// /dev/net/tun replaced, in a private mount namespace of the doctor's only, by a bind mount of
// NODE: a file made by SETUP (shell, "$1" is its path) on a tmpfs of that namespace.
CommandResult doctor_with_tun(Env& env, const std::string& setup) {
    std::string dir = env.dir() + "/devtun";
    std::filesystem::create_directories(dir);
    return run(in_private_mounts("mount -t tmpfs devtun \"$0\" && set -- \"$0/tun\" \"$@\" && " +
                                     setup +
                                     " && mount --bind \"$1\" /dev/net/tun && shift && exec \"$@\"",
                                 dir, env.user_command(65534, {tapctl_bin(), "doctor"})));
}

TEST_F(Doctor, DevNetTunThatTapdCannotOpenFails) {
    env_->start_tapd();
    // tapd stays uid 0 without CAP_DAC_OVERRIDE: it needs the mode's read and write bits.
    auto r = doctor_with_tun(*env_, "mknod \"$1\" c 10 200 && chmod 0000 \"$1\"");
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(line(r, "/dev/net/tun")
                  .find("fail  /dev/net/tun: mode 0000, owner 0 group 0: tapd (uid 0 without "
                        "CAP_DAC_OVERRIDE) cannot open it; fix: chmod 0666 /dev/net/tun"),
              std::string::npos)
        << r.out;
    r = doctor_with_tun(*env_, "mknod \"$1\" c 10 200 && chmod 0666 \"$1\"");
    EXPECT_NE(line(r, "/dev/net/tun").find("ok    /dev/net/tun: mode 0666: any user may open it"),
              std::string::npos)
        << r.out;
    // The machine's own device is untouched.
    EXPECT_NE(line(doctor({}), "/dev/net/tun").find("ok    /dev/net/tun: mode 0"),
              std::string::npos)
        << doctor({}).out;
}

TEST_F(Doctor, ARegularFileOverDevNetTunFails) {
    env_->start_tapd();
    auto r = doctor_with_tun(*env_, "touch \"$1\" && chmod 0666 \"$1\"");
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(line(r, "/dev/net/tun")
                  .find("fail  /dev/net/tun: missing or not the tun device (char 10:200)"),
              std::string::npos)
        << r.out;
}

}  // namespace
}  // namespace tapd::test
