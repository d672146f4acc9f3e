// Tests for AttachNamespace's pure parts: its a{sv} options, the veth and default-route requests,
// the veth record's JSON, and the ownership rule on namespaces this test makes (an unprivileged
// child's user namespace) or has (its own, the host's).
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "netlink_bytes.hpp"
#include "netns_owner.hpp"
#include "options.hpp"
#include "state.hpp"
#include "unique_fd.hpp"
#include "veth_messages.hpp"

namespace tapd {
namespace {

using Strings = std::vector<std::string>;

OptionMap base() {
    return {{"name", sdbus::Variant(std::string("tapn0"))},
            {"gateway", sdbus::Variant(Strings{"192.168.69.1/24", "fdaa::1/64"})}};
}

TEST(AttachOptions, NameIsRequiredAndPeerNameDefaultsToEth0) {
    auto none = parse_attach_options({});
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().message, "option 'name' is required");
    auto o = parse_attach_options(base());
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(o->name, "tapn0");
    EXPECT_EQ(o->peer_name, "eth0");
    EXPECT_EQ(o->gateways.size(), 2u);
    EXPECT_FALSE(o->netlink);
}

TEST(AttachOptions, AnAddressOutsideEveryGatewaysNetworkIsRefused) {
    auto m = base();
    m["addresses"] = sdbus::Variant(Strings{"192.168.68.2/24"});
    m["netlink"] = sdbus::Variant(sdbus::UnixFd(0));
    auto o = parse_attach_options(m);
    ASSERT_FALSE(o.ok());
    EXPECT_EQ(o.error().message,
              "address 192.168.68.2/24 lies in no gateway's network (option 'gateway')");
}

TEST(AttachOptions, AnAddressThatIsAGatewayIsRefused) {
    auto m = base();
    m["addresses"] = sdbus::Variant(Strings{"fdaa::1/64"});
    m["netlink"] = sdbus::Variant(sdbus::UnixFd(0));
    auto o = parse_attach_options(m);
    ASSERT_FALSE(o.ok());
    EXPECT_EQ(o.error().message, "address fdaa::1/64 is also a gateway");
}

TEST(AttachOptions, AddressesNeedTheNamespacesNetlinkSocket) {
    auto m = base();
    m["addresses"] = sdbus::Variant(Strings{"192.168.69.2/24"});
    auto o = parse_attach_options(m);
    ASSERT_FALSE(o.ok());
    EXPECT_NE(o.error().message.find("needs option 'netlink'"), std::string::npos);
    m["netlink"] = sdbus::Variant(sdbus::UnixFd(0));
    EXPECT_TRUE(parse_attach_options(m).ok());
}

TEST(AttachOptions, MasqueradeNeedsAnIpv4Gateway) {
    OptionMap m = {{"name", sdbus::Variant(std::string("tapn0"))},
                   {"gateway", sdbus::Variant(Strings{"fdaa::1/64"})},
                   {"masquerade", sdbus::Variant(true)}};
    auto o = parse_attach_options(m);
    ASSERT_FALSE(o.ok());
    EXPECT_EQ(o.error().message, "masquerade needs an IPv4 gateway (option 'gateway')");
}

TEST(AttachOptions, UnknownKeysAndWrongTypesAreRefusedByName) {
    auto m = base();
    m["routes"] = sdbus::Variant(Strings{});
    EXPECT_EQ(parse_attach_options(m).error().message, "unknown option 'routes'");
    auto t = base();
    t["mtu"] = sdbus::Variant(std::string("9000"));
    EXPECT_EQ(parse_attach_options(t).error().message, "option 'mtu' must have type 'u', not 's'");
}

TEST(VethRequest, CarriesBothNamesTheMtuAndThePeersNamespaceFd) {
    auto req = create_veth_request({"tapn0", "eth0", 7, 9000}, 42);
    auto bytes = req.bytes();
    auto m = message_of(bytes);
    EXPECT_EQ(m.type(), RTM_NEWLINK);
    EXPECT_EQ(m.flags(), NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
    NlAttrTable<IFLA_MAX> top(m.attributes(sizeof(ifinfomsg)));
    EXPECT_EQ(nl_string(top[IFLA_IFNAME]), "tapn0");
    EXPECT_EQ(nl_u32(top[IFLA_MTU]), 9000u);
    ASSERT_TRUE(top[IFLA_LINKINFO]);
    NlAttrTable<IFLA_INFO_MAX> info(*top[IFLA_LINKINFO]);
    EXPECT_EQ(nl_string(info[IFLA_INFO_KIND]), "veth");
    ASSERT_TRUE(info[IFLA_INFO_DATA]);
    NlAttrTable<VETH_INFO_MAX> data(*info[IFLA_INFO_DATA]);
    ASSERT_TRUE(data[VETH_INFO_PEER]);
    // The peer: an ifinfomsg with no flags (veth_open refuses a veth whose pair is not yet
    // joined), then its own attributes.
    NlBytes peer = *data[VETH_INFO_PEER];
    ASSERT_GE(peer.size(), sizeof(ifinfomsg));
    ifinfomsg ifi;
    std::memcpy(&ifi, peer.data(), sizeof ifi);
    EXPECT_EQ(ifi.ifi_flags, 0u);
    EXPECT_EQ(ifi.ifi_change, 0u);
    NlAttrTable<IFLA_MAX> p(peer.subspan(NLMSG_ALIGN(sizeof(ifinfomsg))));
    EXPECT_EQ(nl_string(p[IFLA_IFNAME]), "eth0");
    EXPECT_EQ(nl_u32(p[IFLA_MTU]), 9000u);
    EXPECT_EQ(nl_u32(p[IFLA_NET_NS_FD]), 7u);
}

TEST(VethRequest, DefaultRouteGoesViaTheGatewayOnTheLink) {
    auto gw = parse_ip_address("fdaa::1");
    ASSERT_TRUE(gw.ok());
    auto req = default_route_request(3, gw.value(), 9);
    auto bytes = req.bytes();
    auto m = message_of(bytes);
    EXPECT_EQ(m.type(), RTM_NEWROUTE);
    auto rtm = m.header<rtmsg>();
    ASSERT_TRUE(rtm);
    EXPECT_EQ(rtm->rtm_family, AF_INET6);
    EXPECT_EQ(rtm->rtm_dst_len, 0);
    NlAttrTable<RTA_MAX> a(m.attributes(sizeof(rtmsg)));
    EXPECT_EQ(nl_u32(a[RTA_OIF]), 3u);
    ASSERT_TRUE(a[RTA_GATEWAY]);
    EXPECT_EQ(a[RTA_GATEWAY]->size(), 16u);
    EXPECT_FALSE(a[RTA_DST]);
}

TEST(VethRecord, RoundTripsThroughJsonAndOldRecordsAreTaps) {
    TapRecord r;
    r.name = "tapn0";
    r.ifindex = 5;
    r.owner = 65534;
    r.veth = true;
    r.peer_name = "eth0";
    r.peer_addresses = {parse_interface_address("192.168.69.2/24").value()};
    auto back = record_from_json(to_json(r));
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_TRUE(back->veth);
    EXPECT_EQ(back->peer_name, "eth0");
    ASSERT_EQ(back->peer_addresses.size(), 1u);
    EXPECT_EQ(back->peer_addresses[0].str(), "192.168.69.2/24");
    TapRecord tap;
    tap.name = "tap0";
    auto j = to_json(tap);
    EXPECT_FALSE(j.contains("kind"));
    EXPECT_FALSE(record_from_json(j)->veth);
    j["kind"] = "bridge";
    EXPECT_FALSE(record_from_json(j).ok());
}

TEST(NetnsOwner, TheTestsOwnNamespaceIsOwnedByTapdsUserNamespace) {
    UniqueFd net(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(net);
    auto st = check_netns_owner(net.get(), ::getuid());
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().kind, ErrorKind::PermissionDenied);
    EXPECT_NE(st.error().message.find("owned by tapd's own user namespace"), std::string::npos);
}

TEST(NetnsOwner, OtherNamespaceTypesAndOtherFilesAreRefused) {
    UniqueFd uts(::open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(uts);
    auto st = check_netns_owner(uts.get(), ::getuid());
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("not a network namespace"), std::string::npos);
    UniqueFd file(::open("/proc/self/status", O_RDONLY | O_CLOEXEC));
    auto f = check_netns_owner(file.get(), ::getuid());
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().kind, ErrorKind::PermissionDenied);
}

TEST(NetnsOwner, AChildsOwnNamespaceIsItsOwnersOnly) {
    // A child makes a user and network namespace (as the test's uid) and waits on a pipe.
    int go[2];
    ASSERT_EQ(::pipe2(go, O_CLOEXEC), 0);
    UniqueFd rd(go[0]), wr(go[1]);
    int ready[2];
    ASSERT_EQ(::pipe2(ready, O_CLOEXEC), 0);
    UniqueFd ready_rd(ready[0]), ready_wr(ready[1]);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        wr.reset();  // EOF on RD once the parent closes its end
        char c = ::unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0 ? 1 : 0;
        (void)!::write(ready_wr.get(), &c, 1);
        (void)!::read(rd.get(), &c, 1);
        _exit(0);
    }
    char ok = 0;
    ASSERT_EQ(::read(ready_rd.get(), &ok, 1), 1);
    if (ok) {
        UniqueFd net(
            ::open(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
        EXPECT_TRUE(net);
        EXPECT_TRUE(check_netns_owner(net.get(), ::getuid()).ok());
        auto other = check_netns_owner(net.get(), ::getuid() + 1);
        ASSERT_FALSE(other);
        EXPECT_NE(other.error().message.find("belongs to uid " + std::to_string(::getuid())),
                  std::string::npos);
    }
    wr.reset();
    ::waitpid(pid, nullptr, 0);
    if (!ok) GTEST_SKIP() << "unprivileged user namespaces are not allowed here";
}

}  // namespace
}  // namespace tapd
