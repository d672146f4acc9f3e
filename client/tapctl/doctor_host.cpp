// tapctl doctor's own reads of the host: links, addresses and routes, sysctls, the default
// route, tun devices, /dev/net/tun. All unprivileged.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "doctor.hpp"
#include "host_facts.hpp"
#include "ip.hpp"
#include "output.hpp"

namespace tapd::tapctl {

namespace {

// The first line of a sysfs file, "" if it cannot be read (carrier of a link that is down: EINVAL).
std::string sys_line(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line)) return "";
    return line;
}

std::string hex_to_v6(const std::string& hex) {
    in6_addr a{};
    for (size_t i = 0; i < 16 && 2 * i + 1 < hex.size(); ++i)
        a.s6_addr[i] = static_cast<uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
    char buf[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET6, &a, buf, sizeof buf);
    return buf;
}

// The routes through NAME as "PREFIX/PLEN" (canonical), from /proc/net/route and ipv6_route.
std::vector<std::string> routes_through(const std::string& name) {
    std::vector<std::string> out;
    std::ifstream v4("/proc/net/route");
    std::string line;
    std::getline(v4, line);
    while (std::getline(v4, line)) {
        std::istringstream f(line);
        std::string iface, dest, gw, flags, refcnt, use, metric, mask;
        if (!(f >> iface >> dest >> gw >> flags >> refcnt >> use >> metric >> mask) ||
            iface != name)
            continue;
        in_addr d{}, m{};
        d.s_addr = static_cast<in_addr_t>(std::stoul(dest, nullptr, 16));
        m.s_addr = static_cast<in_addr_t>(std::stoul(mask, nullptr, 16));
        char buf[INET_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET, &d, buf, sizeof buf);
        out.push_back(std::string(buf) + "/" + std::to_string(__builtin_popcount(m.s_addr)));
    }
    std::ifstream v6("/proc/net/ipv6_route");
    while (std::getline(v6, line)) {
        std::istringstream f(line);
        std::string dest, plen, src, splen, next, metric, refcnt, use, flags, iface;
        if (!(f >> dest >> plen >> src >> splen >> next >> metric >> refcnt >> use >> flags >>
              iface) ||
            iface != name)
            continue;
        out.push_back(hex_to_v6(dest) + "/" + std::to_string(std::stoul(plen, nullptr, 16)));
    }
    return out;
}

}  // namespace

Check link_check(const std::string& name) {
    std::string dir = "/sys/class/net/" + name;
    Check c{name + " link", "ok", "", ""};
    if (!std::filesystem::exists(dir)) {
        c.status = "fail";
        c.detail = "no link " + name + " in this network namespace";
        c.fix = "tapctl delete " + name + ", then create it again";
        return c;
    }
    // tapd sets a tap up at create (and again when it hands out an fd): down is someone's doing.
    auto flags = parse_sysfs_flags(sys_line(dir + "/flags"));
    if (!flags) {
        c.status = "warn";
        c.detail = "cannot read " + dir + "/flags";
        return c;
    }
    if (!(*flags & IFF_UP)) {
        c.status = "warn";
        c.detail = "down (set down by someone): it carries no traffic";
        c.fix = "tapctl exec " + name +
                " -- PROGRAM (tapd sets the link up when it hands out an fd), or as root: ip link "
                "set " +
                name + " up";
        return c;
    }
    // A tap has carrier while a program holds it open (a tun file attached): without one, it is
    // simply not in use yet.
    if (sys_line(dir + "/carrier") != "1") {
        c.detail = "up, no carrier: no program has it open yet (tapctl exec " + name +
                   " -- PROGRAM gives it one)";
        return c;
    }
    c.detail = "up, carrier (a program holds it open)";
    return c;
}

Check addresses_check(const std::string& name, const std::vector<std::string>& addresses) {
    Check c{name + " addresses", "ok", "", ""};
    if (addresses.empty()) {
        // A tap for a program that brings its own addressing (a VM, a sniffer): nothing wrong.
        c.detail = "none (tapctl addr add " + name + " ADDR/PLEN gives it one)";
        return c;
    }
    std::vector<std::string> on_link;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) == 0) {
        for (ifaddrs* a = list; a; a = a->ifa_next) {
            if (!a->ifa_addr || name != a->ifa_name) continue;
            int family = a->ifa_addr->sa_family;
            if (family != AF_INET && family != AF_INET6) continue;
            const void* raw = family == AF_INET
                                  ? static_cast<const void*>(
                                        &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr)
                                  : &reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr;
            char buf[INET6_ADDRSTRLEN] = {};
            ::inet_ntop(family, raw, buf, sizeof buf);
            on_link.push_back(buf);
        }
        ::freeifaddrs(list);
    }
    std::vector<std::string> missing;
    for (const auto& a : addresses) {
        auto p = parse_interface_address(a);
        std::string addr = p ? p.value().address.str() : a.substr(0, a.find('/'));
        if (std::find(on_link.begin(), on_link.end(), addr) == on_link.end()) missing.push_back(a);
    }
    if (!missing.empty()) {
        c.status = "fail";
        c.detail = "missing from the link: " + join(missing, ", ") + " (someone removed them)";
        c.fix = "tapctl addr del " + name + " " + missing[0] + "; tapctl addr add " + name + " " +
                missing[0];
        return c;
    }
    c.detail = join(addresses, " ");
    return c;
}

Check routes_check(const std::string& name, const std::vector<std::string>& routes) {
    Check c{name + " routes", "ok", "", ""};
    auto have = routes_through(name);
    std::vector<std::string> missing;
    for (const auto& r : routes) {
        auto p = parse_network(r);
        std::string want = p ? p.value().str() : r;
        if (std::find(have.begin(), have.end(), want) == have.end()) missing.push_back(r);
    }
    if (!missing.empty()) {
        c.status = "fail";
        c.detail = "missing: " + join(missing, ", ") + " (someone removed them)";
        c.fix = "tapctl route del " + name + " " + missing[0] + "; tapctl route add " + name + " " +
                missing[0];
        return c;
    }
    c.detail = routes.empty() ? "none besides the addresses' prefixes" : join(routes, " ");
    return c;
}

Check forwarding_check(bool masquerade) {
    Check c{"forwarding", "ok", "", ""};
    auto v = read_sysctl_int("net/ipv4/ip_forward");
    if (!masquerade) {
        c.detail = "not needed (no masquerade): net.ipv4.ip_forward=" +
                   (v ? std::to_string(*v) : std::string("?"));
        return c;
    }
    if (v != 1) {
        c.status = "fail";
        c.detail = "net.ipv4.ip_forward=" + (v ? std::to_string(*v) : std::string("?")) +
                   ": the host does not forward the tap's traffic (someone turned it off)";
        c.fix = "sysctl -w net.ipv4.ip_forward=1";
        return c;
    }
    c.detail = "net.ipv4.ip_forward=1";
    return c;
}

Check rp_filter_check(const std::string& label, const std::string& name) {
    Check c{label, "ok", "", ""};
    auto v = effective_rp_filter(name);
    if (!v) {
        c.status = "warn";
        c.detail = "cannot read net.ipv4.conf." + name + ".rp_filter";
        return c;
    }
    if (*v == 1) {
        c.status = "warn";
        c.detail = "strict (1, the larger of net.ipv4.conf.all and ." + name +
                   "): packets from sources not routed back through " + name + " are dropped";
        c.fix = "sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf." + name + ".rp_filter=2";
        return c;
    }
    c.detail = std::string(*v == 0 ? "off (0)" : "loose (2)") +
               (label == name + " rp_filter" ? "" : " on " + name);
    return c;
}

Check uplink_check(std::string* uplink) {
    Check c{"uplink", "ok", "", ""};
    auto r = read_default_route();
    if (!r) {
        c.status = "fail";
        c.detail = "no IPv4 default route: masqueraded traffic has nowhere to go";
        c.fix = "ip route add default via GATEWAY (or connect the host)";
        return c;
    }
    *uplink = r->ifname;
    c.detail =
        "default " + (r->gateway.empty() ? "" : "via " + r->gateway + " ") + "dev " + r->ifname;
    return c;
}

Check ownerless_check() {
    Check c{"ownerless tun/tap devices", "ok", "", ""};
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/sys/class/net", ec)) {
        std::string dir = e.path().string();
        if (sys_line(dir + "/tun_flags").empty()) continue;
        if (sys_line(dir + "/owner") == "-1" && sys_line(dir + "/group") == "-1")
            found.push_back(e.path().filename().string());
    }
    if (found.empty()) {
        c.detail = "none";
        return c;
    }
    c.status = "warn";
    c.detail = join(found, ", ") +
               ": persistent, with neither owner nor group: any process that can open "
               "/dev/net/tun (a detached tap fd too) may attach to them";
    c.fix = "ip link delete " + found[0] + " (or give it an owner: ip tuntap add dev " + found[0] +
            " mode tap user USER)";
    return c;
}

Check tun_device_check() {
    Check c{"/dev/net/tun", "ok", "", ""};
    struct stat st {};
    if (::stat("/dev/net/tun", &st) != 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 10 ||
        minor(st.st_rdev) != 200) {
        c.status = "fail";
        c.detail = "missing or not the tun device (char 10:200): tapd cannot make taps";
        c.fix = "modprobe tun (or: mknod /dev/net/tun c 10 200)";
        return c;
    }
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    // tapd stays uid 0 but keeps no CAP_DAC_OVERRIDE (privileges.hpp): the mode decides, as
    // for anyone, by the first class it belongs to (owner, group, others).
    mode_t rw = st.st_uid == 0   ? (st.st_mode >> 6) & 06
                : st.st_gid == 0 ? (st.st_mode >> 3) & 06
                                 : st.st_mode & 06;
    if (rw != 06) {
        c.status = "fail";
        c.detail = std::string("mode ") + mode + ", owner " + std::to_string(st.st_uid) +
                   " group " + std::to_string(st.st_gid) +
                   ": tapd (uid 0 without CAP_DAC_OVERRIDE) cannot open it";
        c.fix = "chmod 0666 /dev/net/tun" +
                std::string(st.st_uid == 0 ? "" : " && chown root:root /dev/net/tun");
        return c;
    }
    c.detail = std::string("mode ") + mode +
               ((st.st_mode & S_IWOTH) ? ": any user may open it (attaching to a tap still needs "
                                         "its owner or group, if it has one)"
                                       : ": only its owner and group open it; tapd hands out fds");
    return c;
}

}  // namespace tapd::tapctl
