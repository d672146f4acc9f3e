// Host facts from /proc: the default route, sysctls.
#include "host_facts.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>

#include "unique_fd.hpp"

namespace tapd {

namespace {

// The whole of a small /proc file; none if it cannot be opened.
std::optional<std::string> read_small(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) return std::nullopt;
        if (n == 0) return out;
        out.append(buf, static_cast<size_t>(n));
        if (out.size() > (1u << 20)) return out;  // a routing table that large: its start will do
    }
}

}  // namespace

std::optional<DefaultRoute> parse_default_route(std::string_view text) {
    std::istringstream in{std::string(text)};
    std::string line;
    std::getline(in, line);  // the header
    std::optional<DefaultRoute> best;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string iface, dest, gw, flags, refcnt, use, metric, mask;
        if (!(fields >> iface >> dest >> gw >> flags >> refcnt >> use >> metric >> mask)) continue;
        char* end = nullptr;
        unsigned long f = std::strtoul(flags.c_str(), &end, 16);
        if (dest != "00000000" || mask != "00000000" || !(f & 0x1)) continue;  // RTF_UP
        DefaultRoute r;
        r.ifname = iface;
        r.metric = static_cast<unsigned>(std::strtoul(metric.c_str(), nullptr, 10));
        in_addr a{};
        a.s_addr = static_cast<in_addr_t>(std::strtoul(gw.c_str(), nullptr, 16));
        char buf[INET_ADDRSTRLEN] = {};
        if (a.s_addr != 0 && ::inet_ntop(AF_INET, &a, buf, sizeof buf)) r.gateway = buf;
        if (!best || r.metric < best->metric) best = r;
    }
    return best;
}

std::optional<DefaultRoute> read_default_route() {
    auto text = read_small("/proc/net/route");
    if (!text) return std::nullopt;
    return parse_default_route(*text);
}

std::optional<unsigned> parse_sysfs_flags(std::string_view text) {
    std::string s(text.substr(0, text.find('\n')));
    if (s.size() < 3 || s.compare(0, 2, "0x") != 0 ||
        !std::isxdigit(static_cast<unsigned char>(s[2])))
        return std::nullopt;
    char* end = nullptr;
    unsigned long v = std::strtoul(s.c_str() + 2, &end, 16);
    if (*end != '\0' || v > 0xffffffffUL) return std::nullopt;
    return static_cast<unsigned>(v);
}

std::optional<int> read_sysctl_int(const std::string& path) {
    if (path.find("..") != std::string::npos) return std::nullopt;
    auto text = read_small("/proc/sys/" + path);
    if (!text || text->empty()) return std::nullopt;
    char* end = nullptr;
    long v = std::strtol(text->c_str(), &end, 10);
    if (end == text->c_str()) return std::nullopt;
    return static_cast<int>(v);
}

std::optional<int> effective_rp_filter(const std::string& ifname) {
    auto all = read_sysctl_int("net/ipv4/conf/all/rp_filter");
    auto own = read_sysctl_int("net/ipv4/conf/" + ifname + "/rp_filter");
    if (!all || !own) return std::nullopt;
    return std::max(*all, *own);
}

}  // namespace tapd
