// tapctl doctor: its checks, each a line (ok / warn / fail, what was found, what to do); the
// host facts it reads itself (unprivileged: /sys, /proc, getifaddrs) are in doctor_host.cpp.
#pragma once

#include <string>
#include <vector>

#include "client.hpp"

namespace tapd::tapctl {

struct Check {
    std::string check;   // what was looked at: "tapd", "tap0 link", "forward chain ..."
    std::string status;  // "ok", "warn" or "fail"
    std::string detail;
    std::string fix;  // what to do ("" for ok)
};

// doctor_host.cpp: what tapctl reads itself.
// Link NAME's state from /sys/class/net: missing, down, up without carrier, up with carrier.
Check link_check(const std::string& name);
// Whether each of ADDRESSES ("ADDR/PLEN") is on link NAME (getifaddrs).
Check addresses_check(const std::string& name, const std::vector<std::string>& addresses);
// Whether each of ROUTES ("PREFIX/PLEN") goes through link NAME (/proc/net/route, ipv6_route).
Check routes_check(const std::string& name, const std::vector<std::string>& routes);
// net.ipv4.ip_forward, for a masquerading tap.
Check forwarding_check(bool masquerade);
// Strict reverse path filtering on link NAME (a tap, or the uplink), as check LABEL.
Check rp_filter_check(const std::string& label, const std::string& name);
// The IPv4 default route: the uplink masqueraded traffic leaves through; UPLINK gets its
// interface ("" without one).
Check uplink_check(std::string* uplink);
// Persistent tun/tap devices with neither owner nor group: any process that can open
// /dev/net/tun may attach to them (TUNSETIFF checks only an owner or group that is set).
Check ownerless_check();
// /dev/net/tun: there, a character device, and who may open it.
Check tun_device_check();

// The findings of tapd's GetFindings that concern TAP, as warnings on stderr ("tapctl: warning:
// ..."): after create and masquerade on. Says nothing if tapd cannot tell (an older tapd).
void warn_findings(tapd::Client& client, const std::string& tap);

}  // namespace tapd::tapctl
