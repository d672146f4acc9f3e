// Host facts that any user may read from /proc: the IPv4 default route, net.ipv4 sysctls
// (ip_forward, rp_filter). tapd's findings and tapctl doctor read them alike.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tapd {

struct DefaultRoute {
    std::string ifname;   // the uplink
    std::string gateway;  // dotted quad, "" when on-link
    unsigned metric = 0;
};

// The IPv4 default route with the lowest metric in TEXT (/proc/net/route's format: a header line,
// then "Iface Destination Gateway Flags RefCnt Use Metric Mask ..." with hexadecimal addresses in
// host byte order); none if there is no default route (or TEXT is malformed).
std::optional<DefaultRoute> parse_default_route(std::string_view text);
// The same, from /proc/net/route of the reader's network namespace.
std::optional<DefaultRoute> read_default_route();

// A link's flags as /sys/class/net/NAME/flags gives them (hexadecimal with its "0x", "0x1003\n");
// none if TEXT is not that.
std::optional<unsigned> parse_sysfs_flags(std::string_view text);

// An integer sysctl under /proc/sys (PATH relative to it, "net/ipv4/ip_forward"); none if it
// cannot be read (a missing interface, for instance).
std::optional<int> read_sysctl_int(const std::string& path);

// The reverse path filter in force on IFNAME: the kernel uses the larger of
// net.ipv4.conf.all.rp_filter and net.ipv4.conf.IFNAME.rp_filter (0 off, 1 strict, 2 loose).
std::optional<int> effective_rp_filter(const std::string& ifname);

}  // namespace tapd
