// Tests for daemon/kernel/host_prefixes: notifications (addresses, routes, links) applied to the
// index as the kernel sends them, and its states: dumped at the first refresh, kept by
// notifications, dumped afresh when notifications were lost or did not hold, or came during a
// dump.
#include "host_prefixes.hpp"

#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <deque>
#include <functional>
#include <variant>

#include "netlink_bytes.hpp"
#include "netlink_script.hpp"

namespace tapd {
namespace {

using Datagram = std::vector<std::byte>;

Prefix net(const char* text) {
    auto p = parse_interface_address(text);
    EXPECT_TRUE(p.ok()) << text;
    return p.value();
}

Datagram own(NlBytes b) {
    return Datagram(b.begin(), b.end());
}

Datagram new_addr(int ifindex, const char* a, uint32_t seq = 0) {
    return own(add_address_request(ifindex, net(a), {}, seq).bytes());
}

Datagram del_addr(int ifindex, const char* a) {
    return own(delete_address_request(ifindex, net(a), 0).bytes());
}

// A route message of TYPE as the kernel sends one: through link OIFS[0] (RTA_OIF), or every link
// of OIFS (RTA_MULTIPATH).
Datagram route(uint16_t type, const char* dst, std::vector<int> oifs, uint32_t seq = 0,
               uint32_t table = RT_TABLE_MAIN, unsigned flags = 0) {
    Prefix p = net(dst);
    rtmsg rtm{};
    rtm.rtm_family = static_cast<uint8_t>(p.address.family);
    rtm.rtm_dst_len = p.length;
    rtm.rtm_table = static_cast<uint8_t>(table);
    rtm.rtm_type = RTN_UNICAST;
    rtm.rtm_flags = flags;
    NlRequest r(type, 0, seq);
    r.family(rtm);
    r.attr(RTA_DST, p.address.bytes.data(), static_cast<size_t>(p.address.bits() / 8));
    r.attr_u32(RTA_TABLE, table);
    if (oifs.size() == 1) {
        r.attr_u32(RTA_OIF, static_cast<uint32_t>(oifs[0]));
    } else {
        std::vector<std::byte> hops;
        for (int i : oifs) {
            rtnexthop nh{};
            nh.rtnh_len = sizeof nh;
            nh.rtnh_ifindex = i;
            auto b = nl_bytes(&nh, sizeof nh);
            hops.insert(hops.end(), b.begin(), b.end());
        }
        r.attr(RTA_MULTIPATH, hops.data(), hops.size());
    }
    return own(r.bytes());
}

Datagram link(uint16_t type, int ifindex, unsigned flags, uint8_t family = AF_UNSPEC) {
    ifinfomsg ifi{};
    ifi.ifi_family = family;
    ifi.ifi_index = ifindex;
    ifi.ifi_flags = flags;
    NlRequest r(type, 0, 0);
    r.family(ifi);
    return own(r.bytes());
}

// "SHOWN on LINK" or "route NETWORK via LINK" of W's conflict, or "" for none.
std::string conflict(const HostPrefixes& h, const char* w, int except = 0) {
    auto c = h.find_conflict(net(w), except);
    if (!c) return "";
    std::string link = std::to_string(c->overlap.holder.ifindex);
    return c->route ? "route " + c->overlap.network.str() + " via " + link
                    : c->overlap.shown().str() + " on " + link;
}

// Notifications as a socket would give them: datagrams, and ENOBUFS where the kernel dropped.
class Events final : public NlNotifications {
  public:
    void push(Datagram d) { queue_.emplace_back(std::move(d)); }
    void overrun() { queue_.emplace_back(ENOBUFS); }
    size_t pending() const { return queue_.size(); }
    Result<NlBytes> next() override {
        if (queue_.empty()) return NlBytes{};
        auto item = std::move(queue_.front());
        queue_.pop_front();
        if (const int* err = std::get_if<int>(&item))
            return errno_error(ErrorKind::Failed, "notifications", *err);
        current_ = std::move(std::get<Datagram>(item));
        return NlBytes(current_);
    }

  private:
    std::deque<std::variant<Datagram, int>> queue_;
    Datagram current_;
};

// The kernel's side of the dumps: ADDRESSES and ROUTES as (link, prefix); WHILE_DUMPING runs at
// each dump request, before the answer.
class Kernel {
  public:
    std::vector<std::pair<int, const char*>> addresses, routes;
    std::function<void()> while_dumping;
    bool refuse = false;
    int interrupted_routes = 0;  // route dumps still to mark interrupted (NLM_F_DUMP_INTR)
    Script nl{[this](uint32_t seq, int) { return answer(seq); }};
    size_t dumps() const { return nl.types.size(); }

  private:
    std::vector<Datagram> answer(uint32_t seq) {
        if (while_dumping) while_dumping();
        if (refuse) return {kernel_message(NLMSG_ERROR, 0, seq, int_bytes(-EPERM))};
        std::vector<Datagram> out;
        if (nl.types.back() == RTM_GETADDR)
            for (auto [i, a] : addresses) out.push_back(new_addr(i, a, seq));
        else
            for (auto [i, r] : routes) out.push_back(route(RTM_NEWROUTE, r, {i}, seq));
        bool interrupted = nl.types.back() == RTM_GETROUTE && interrupted_routes-- > 0;
        out.push_back(kernel_message(NLMSG_DONE, NLM_F_MULTI | (interrupted ? NLM_F_DUMP_INTR : 0),
                                     seq, int_bytes(0)));
        return out;
    }
};

TEST(HostPrefixes, AddressesComeAndGoWithTheirNotifications) {
    HostPrefixes h;
    h.apply(new_addr(5, "192.168.69.1/24"));
    EXPECT_EQ(conflict(h, "192.168.69.100/24"), "192.168.69.1/24 on 5");
    EXPECT_EQ(conflict(h, "192.168.69.100/24", 5), "");
    h.apply(del_addr(5, "192.168.69.1/24"));
    EXPECT_EQ(conflict(h, "192.168.69.100/24"), "");
}

TEST(HostPrefixes, AnAddressAnnouncedAgainIsStillOneAddress) {
    HostPrefixes h;
    h.apply(new_addr(5, "fdaa::1/64"));
    h.apply(new_addr(5, "fdaa::1/64"));  // as after DAD, or a changed lifetime
    EXPECT_EQ(h.address_count(), 1u);
    h.apply(del_addr(5, "fdaa::1/64"));
    EXPECT_EQ(conflict(h, "fdaa::100/64"), "");
}

TEST(HostPrefixes, TwoRoutesAlikeAreTwo) {
    HostPrefixes h;  // e.g. 10.0.0.0/8 dev #4 at metrics 100 and 200
    h.apply(join({route(RTM_NEWROUTE, "10.0.0.0/8", {4}), route(RTM_NEWROUTE, "10.0.0.0/8", {4})}));
    h.apply(route(RTM_DELROUTE, "10.0.0.0/8", {4}));
    EXPECT_EQ(conflict(h, "10.1.0.0/16"), "route 10.0.0.0/8 via 4");
    h.apply(route(RTM_DELROUTE, "10.0.0.0/8", {4}));
    EXPECT_EQ(conflict(h, "10.1.0.0/16"), "");
}

TEST(HostPrefixes, EveryNexthopOfAMultipathRouteHoldsIt) {
    HostPrefixes h;
    h.apply(route(RTM_NEWROUTE, "fdbb::/48", {5, 6}));
    EXPECT_EQ(conflict(h, "fdbb:0:0:1::/64", 5), "route fdbb::/48 via 6");
    h.apply(route(RTM_DELROUTE, "fdbb::/48", {5}));  // IPv6 removes one nexthop at a time
    EXPECT_EQ(conflict(h, "fdbb:0:0:1::/64"), "route fdbb::/48 via 6");
    h.apply(route(RTM_DELROUTE, "fdbb::/48", {6}));
    EXPECT_EQ(conflict(h, "fdbb:0:0:1::/64"), "");
}

TEST(HostPrefixes, LeavesOutOtherTablesCacheEntriesAndWhatNeverConflicts) {
    HostPrefixes h;
    h.apply(route(RTM_NEWROUTE, "192.168.69.1/32", {5}, 0, RT_TABLE_LOCAL));
    h.apply(route(RTM_NEWROUTE, "fdaa::1/128", {5}, 0, RT_TABLE_MAIN, RTM_F_CLONED));
    h.apply(route(RTM_NEWROUTE, "0.0.0.0/0", {5}));
    h.apply(route(RTM_NEWROUTE, "fe80::/64", {5}));
    h.apply(new_addr(5, "fe80::1/64"));
    EXPECT_EQ(h.route_count(), 0u);
    EXPECT_EQ(h.address_count(), 0u);
    EXPECT_EQ(conflict(h, "192.168.69.0/24"), "");
    h.apply(new_addr(5, "192.168.69.1/24"));
    EXPECT_EQ(conflict(h, "0.0.0.0/0"), "");  // a default route overlaps nothing either
}

TEST(HostPrefixes, ALinkThatGoesTakesAllItHeld) {
    HostPrefixes h;
    h.apply(join({new_addr(5, "192.168.69.1/30"), new_addr(5, "fdaa::1/64"),
                  route(RTM_NEWROUTE, "192.168.69.0/30", {5}),
                  route(RTM_NEWROUTE, "fdaa::/64", {5}), new_addr(6, "192.168.69.9/30")}));
    h.apply(link(RTM_DELLINK, 6, 0, AF_BRIDGE));  // a port that left a bridge: still there
    h.apply(link(RTM_DELLINK, 5, 0));             // (its IPv4 routes go without a notification)
    EXPECT_EQ(conflict(h, "192.168.69.0/24"), "192.168.69.9/30 on 6");
    EXPECT_EQ(conflict(h, "192.168.69.0/24", 6), "");
    EXPECT_EQ(conflict(h, "fdaa::/16"), "");
}

TEST(HostPrefixes, ALinkThatGoesDownLosesItsRoutesNotItsAddresses) {
    HostPrefixes h;
    h.apply(join({new_addr(5, "192.168.69.1/30"), route(RTM_NEWROUTE, "203.0.113.0/24", {5}),
                  route(RTM_NEWROUTE, "fdbb::/48", {5}), route(RTM_NEWROUTE, "10.0.0.0/8", {6})}));
    h.apply(link(RTM_NEWLINK, 6, IFF_UP));
    h.apply(link(RTM_NEWLINK, 5, 0));
    EXPECT_EQ(conflict(h, "203.0.113.0/24"), "");
    EXPECT_EQ(conflict(h, "fdbb::/48"), "");
    EXPECT_EQ(conflict(h, "192.168.69.2/30"), "192.168.69.1/30 on 5");
    EXPECT_EQ(conflict(h, "10.1.0.0/16"), "route 10.0.0.0/8 via 6");
}

TEST(HostPrefixes, ALinksLastIpv4AddressTakesItsIpv4Routes) {
    HostPrefixes h;
    h.apply(join({new_addr(5, "192.168.69.1/24"), new_addr(5, "10.9.0.1/16"),
                  route(RTM_NEWROUTE, "203.0.113.0/24", {5}), route(RTM_NEWROUTE, "fdbb::/48", {5}),
                  new_addr(6, "10.0.0.1/0"), route(RTM_NEWROUTE, "203.0.113.128/25", {6})}));
    h.apply(del_addr(5, "192.168.69.1/24"));
    EXPECT_EQ(conflict(h, "203.0.113.0/24"), "route 203.0.113.0/24 via 5");
    h.apply(del_addr(5, "10.9.0.1/16"));
    EXPECT_EQ(conflict(h, "203.0.113.0/25"), "");
    EXPECT_EQ(conflict(h, "fdbb::/48"), "route fdbb::/48 via 5");
    // Link 6 keeps an address that conflicts with nothing (a /0), and so its routes.
    h.apply(del_addr(6, "10.9.9.9/32"));
    EXPECT_EQ(conflict(h, "203.0.113.128/25"), "route 203.0.113.128/25 via 6");
}

// HostCheck reads /proc/net/route again only when this moves: with the IPv4 default routes and
// with nothing else (a tap's create or delete at 1,000 taps read 70 kB of it).
TEST(HostPrefixes, TheDefaultRouteEpochMovesWithTheDefaultRoutesOnly) {
    HostPrefixes h;
    h.apply(join({new_addr(5, "203.0.113.2/24"), route(RTM_NEWROUTE, "0.0.0.0/0", {5})}));
    auto e = h.default_route_epoch();
    // A tap comes and goes; an IPv6 default route is not in /proc/net/route.
    h.apply(join({new_addr(7, "192.168.69.1/30"), route(RTM_NEWROUTE, "192.168.69.0/30", {7}),
                  route(RTM_NEWROUTE, "fdaa::/64", {7}), route(RTM_NEWROUTE, "::/0", {7})}));
    h.apply(link(RTM_NEWLINK, 7, 0));
    h.apply(del_addr(7, "192.168.69.1/30"));
    h.apply(link(RTM_DELLINK, 7, 0));
    EXPECT_EQ(h.default_route_epoch(), e);
    h.apply(route(RTM_NEWROUTE, "0.0.0.0/0", {6}));
    EXPECT_NE(h.default_route_epoch(), e);
    e = h.default_route_epoch();
    // One of link 5's IPv4 addresses goes: a default route whose source it was goes with it.
    h.apply(new_addr(5, "203.0.113.3/24"));
    h.apply(del_addr(5, "203.0.113.3/24"));
    EXPECT_NE(h.default_route_epoch(), e);
    e = h.default_route_epoch();
    h.apply(link(RTM_NEWLINK, 5, IFF_UP));  // renamed, say
    EXPECT_NE(h.default_route_epoch(), e);
    e = h.default_route_epoch();
    h.apply(link(RTM_NEWLINK, 6, 0));  // down: its default route goes without a notification
    EXPECT_NE(h.default_route_epoch(), e);
    e = h.default_route_epoch();
    h.apply(del_addr(5, "203.0.113.2/24"));  // link 5's last IPv4 address: its routes go too
    EXPECT_NE(h.default_route_epoch(), e);
    e = h.default_route_epoch();
    h.apply(link(RTM_DELLINK, 5, 0));  // no default route on it any more
    EXPECT_EQ(h.default_route_epoch(), e);
    h.apply(route(RTM_DELROUTE, "0.0.0.0/0", {9}));
    EXPECT_NE(h.default_route_epoch(), e);
    // A default route through a nexthop object names no link: unknown until it goes.
    h.apply(route(RTM_NEWROUTE, "0.0.0.0/0", {}));
    EXPECT_EQ(h.default_route_epoch(), std::nullopt);
    h.apply(route(RTM_DELROUTE, "0.0.0.0/0", {}));
    EXPECT_NE(h.default_route_epoch(), std::nullopt);
}

TEST(HostPrefixes, WhatDoesNotHoldLeavesTheIndexOutOfDate) {
    Kernel k;
    Events ev;
    HostPrefixes h;
    ASSERT_TRUE(h.refresh(ev, k.nl).ok());
    EXPECT_TRUE(h.current());
    auto cut = new_addr(5, "192.168.69.1/24");
    cut.resize(cut.size() - 4);  // nlmsg_len past the datagram's end
    h.apply(cut);
    EXPECT_FALSE(h.current());
    ASSERT_TRUE(h.refresh(ev, k.nl).ok());
    EXPECT_TRUE(h.current());
    h.apply(kernel_message(RTM_NEWROUTE, 0, 0, {10, 64}));  // shorter than rtmsg
    EXPECT_FALSE(h.current());
    ASSERT_TRUE(h.refresh(ev, k.nl).ok());
    h.apply(kernel_message(RTM_DELLINK, 0, 0, {0}));  // shorter than ifinfomsg
    EXPECT_FALSE(h.current());
}

TEST(HostPrefixes, TheFirstRefreshDumpsAndTheNextApplyWhatCame) {
    Kernel k;
    k.addresses = {{5, "192.168.69.1/24"}};
    k.routes = {{5, "203.0.113.0/24"}};
    Events ev;
    ev.push(new_addr(9, "10.0.0.1/8"));  // older than the dump, which has what became of it
    HostPrefixes h;
    EXPECT_FALSE(h.current());
    ASSERT_TRUE(h.refresh(ev, k.nl).ok());
    EXPECT_EQ(k.dumps(), 2u);
    EXPECT_EQ(k.nl.types, (std::vector<uint16_t>{RTM_GETADDR, RTM_GETROUTE}));
    EXPECT_EQ(conflict(h, "10.1.0.0/16"), "");
    EXPECT_EQ(conflict(h, "192.168.69.5/24"), "192.168.69.1/24 on 5");
    EXPECT_EQ(conflict(h, "203.0.113.0/28"), "route 203.0.113.0/24 via 5");
    ev.push(new_addr(6, "192.168.70.1/24"));
    ASSERT_TRUE(h.refresh(ev, k.nl).ok());
    EXPECT_EQ(k.dumps(), 2u);  // no dump: the notification was enough
    EXPECT_EQ(conflict(h, "192.168.70.9/24"), "192.168.70.1/24 on 6");
}

TEST(HostPrefixes, LostNotificationsMakeTheNextRefreshDumpAfresh) {
    Kernel k;
    Events ev;
    HostPrefixes h;
    ASSERT_TRUE(h.refresh(ev, k.nl).ok());
    ev.push(new_addr(6, "192.168.70.1/24"));
    ev.overrun();  // what came meanwhile is unknown: the dump says
    ev.push(del_addr(6, "192.168.70.1/24"));
    k.addresses = {{7, "192.168.71.1/24"}};
    ASSERT_TRUE(h.refresh(ev, k.nl).ok());
    EXPECT_EQ(k.dumps(), 4u);
    EXPECT_EQ(ev.pending(), 0u);
    EXPECT_TRUE(h.current());
    EXPECT_EQ(conflict(h, "192.168.70.9/24"), "");
    EXPECT_EQ(conflict(h, "192.168.71.9/24"), "192.168.71.1/24 on 7");
}

TEST(HostPrefixes, ChangesDuringTheDumpsMakeThemBeTakenAgain) {
    Kernel k;
    Events ev;
    k.while_dumping = [&] {
        if (k.dumps() <= 2) ev.push(new_addr(7, "192.168.71.1/24"));
    };
    HostPrefixes h;
    ASSERT_TRUE(h.refresh(ev, k.nl).ok());
    EXPECT_EQ(k.dumps(), 4u);
    EXPECT_TRUE(h.current());
    EXPECT_EQ(conflict(h, "192.168.71.9/24"), "");  // the second dumps' word
}

TEST(HostPrefixes, ChangesThatNeverStopAreAppliedOverTheLastDumps) {
    Kernel k;
    Events ev;
    k.while_dumping = [&] { ev.push(new_addr(7, "192.168.71.1/24")); };
    HostPrefixes h;
    ASSERT_TRUE(h.refresh(ev, k.nl).ok());
    EXPECT_EQ(k.dumps(), 2u * HostPrefixes::kResyncAttempts);
    EXPECT_TRUE(h.current());
    EXPECT_EQ(conflict(h, "192.168.71.9/24"), "192.168.71.1/24 on 7");
}

TEST(HostPrefixes, AnInterruptedRouteDumpIsTakenAgainAndTheAddressesStay) {
    Kernel k;
    k.addresses = {{5, "192.168.69.1/30"}};
    k.routes = {{5, "192.168.69.0/30"}, {6, "fdbb::/48"}};
    k.interrupted_routes = 1;
    Events ev;
    HostPrefixes h;
    ASSERT_TRUE(h.refresh(ev, k.nl).ok());
    EXPECT_EQ(k.nl.types, (std::vector<uint16_t>{RTM_GETADDR, RTM_GETROUTE, RTM_GETROUTE}));
    EXPECT_EQ(h.address_count(), 1u);
    EXPECT_EQ(h.route_count(), 2u);  // once each
    EXPECT_EQ(conflict(h, "192.168.69.2/31"), "192.168.69.1/30 on 5");
    EXPECT_EQ(conflict(h, "fdbb::/64"), "route fdbb::/48 via 6");
}

TEST(HostPrefixes, ARefusedDumpFailsTheRefreshAndTheNextOneDumpsAgain) {
    Kernel k;
    k.refuse = true;
    Events ev;
    HostPrefixes h;
    auto st = h.refresh(ev, k.nl);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().err, EPERM);
    EXPECT_NE(st.error().message.find("listing addresses"), std::string::npos);
    EXPECT_FALSE(h.current());
    k.refuse = false;
    EXPECT_TRUE(h.refresh(ev, k.nl).ok());
    EXPECT_TRUE(h.current());
}

TEST(HostPrefixes, DrainSomeAppliesAtMostKMaxReadsAndNothingWhileOutOfDate) {
    Kernel k;
    Events ev;
    HostPrefixes h;
    ev.push(new_addr(6, "192.168.70.1/24"));
    h.drain_some(ev);  // never dumped: read, not applied
    EXPECT_EQ(ev.pending(), 0u);
    EXPECT_EQ(h.address_count(), 0u);
    ASSERT_TRUE(h.refresh(ev, k.nl).ok());
    for (int i = 0; i <= HostPrefixes::kMaxReads; ++i)
        ev.push(new_addr(100 + i, "192.168.70.1/24"));
    h.drain_some(ev);
    EXPECT_EQ(ev.pending(), 1u);
    EXPECT_EQ(h.address_count(), size_t(HostPrefixes::kMaxReads));
    ev.overrun();
    h.drain_some(ev);
    EXPECT_FALSE(h.current());
    EXPECT_EQ(ev.pending(), 0u);
    ASSERT_TRUE(h.refresh(ev, k.nl).ok());
    EXPECT_EQ(k.dumps(), 4u);
    EXPECT_EQ(h.address_count(), 0u);
}

}  // namespace
}  // namespace tapd
