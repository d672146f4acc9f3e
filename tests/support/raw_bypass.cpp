// raw_bypass: tries every known way out of a tapd raw socket (tests/integration/raw_socket_test).
// It takes its sockets from libtapd's Client::open_raw_socket directly (mode "tapd", as the
// unprivileged caller), or makes equivalent ones itself without tapd's mark (mode "control", as
// root: proves each way out is real on this kernel, so a test that sees nothing can fail).
// Every packet is IP protocol 253 (RFC 3692 experimentation), so counters can tell them apart.
//
// Usage: raw_bypass tapd|control TAP OTHER   (fixed addresses: see kTap*/kOther* below)
//        raw_bypass count-tap SECONDS         (reads $TAPD_FD; prints "tap v4=N v6=M")
// Prints one line per attempt: "send NAME: ok" or "send NAME: ERRNO TEXT"; "opt NAME: ..." for
// socket options that must be refused.
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "client.hpp"

namespace {

constexpr int kProto = 253;
constexpr const char* kTap4 = "192.168.69.1";  // a host on the tap's subnet (static neighbour)
constexpr const char* kTap6 = "fdaa::1";
constexpr const char* kOther4 = "203.0.113.1";  // the sentinel, behind interface OTHER
constexpr const char* kOtherLL = "fe80::1";     // link-local, static neighbour on OTHER
constexpr const char* kAllNodes = "ff02::1";
constexpr const char* kSpoof4 = "203.0.113.77";
constexpr const char* kSpoof6 = "fdaa::77";
#ifndef IPV6_HDRINCL
#define IPV6_HDRINCL 36
#endif

unsigned g_other = 0, g_tap = 0;

void report(const char* kind, const std::string& name, int rc) {
    if (rc >= 0)
        std::printf("%s %s: ok\n", kind, name.c_str());
    else
        std::printf("%s %s: %s\n", kind, name.c_str(), std::strerror(errno));
}

sockaddr_in v4(const char* a) {
    sockaddr_in s{};
    s.sin_family = AF_INET;
    inet_pton(AF_INET, a, &s.sin_addr);
    return s;
}

sockaddr_in6 v6(const char* a, unsigned scope = 0) {
    sockaddr_in6 s{};
    s.sin6_family = AF_INET6;
    inet_pton(AF_INET6, a, &s.sin6_addr);
    s.sin6_scope_id = scope;
    return s;
}

// sendmsg with an optional IP_PKTINFO / IPV6_PKTINFO naming IFINDEX, or an SO_MARK cmsg.
int send_with(int fd, const void* dst, socklen_t dlen, const void* data, size_t len, int family,
              unsigned ifindex, bool mark_cmsg = false) {
    iovec iov{const_cast<void*>(data), len};
    alignas(cmsghdr) char control[256] = {};
    msghdr m{};
    m.msg_name = const_cast<void*>(dst);
    m.msg_namelen = dlen;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    if (ifindex || mark_cmsg) {
        m.msg_control = control;
        m.msg_controllen = sizeof control;
        cmsghdr* c = CMSG_FIRSTHDR(&m);
        size_t used = 0;
        if (mark_cmsg) {
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SO_MARK;
            c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
            uint32_t zero = 0;
            std::memcpy(CMSG_DATA(c), &zero, sizeof zero);
            used += CMSG_SPACE(sizeof(uint32_t));
        } else if (family == AF_INET) {
            c->cmsg_level = IPPROTO_IP;
            c->cmsg_type = IP_PKTINFO;
            c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
            in_pktinfo pi{};
            pi.ipi_ifindex = static_cast<int>(ifindex);
            std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
            used += CMSG_SPACE(sizeof(in_pktinfo));
        } else {
            c->cmsg_level = IPPROTO_IPV6;
            c->cmsg_type = IPV6_PKTINFO;
            c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
            in6_pktinfo pi{};
            pi.ipi6_ifindex = ifindex;
            std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
            used += CMSG_SPACE(sizeof(in6_pktinfo));
        }
        m.msg_controllen = used;
    }
    return static_cast<int>(sendmsg(fd, &m, 0));
}

// An IPv4 header + payload with a chosen (spoofed) source, for IP_HDRINCL.
size_t ipv4_packet(unsigned char* buf, const char* src, const char* dst) {
    const char payload[] = "tapd-raw-bypass";
    auto* ip = reinterpret_cast<iphdr*>(buf);
    std::memset(ip, 0, sizeof *ip);
    ip->version = 4;
    ip->ihl = 5;
    ip->ttl = 64;
    ip->protocol = kProto;
    size_t len = sizeof *ip + sizeof payload;
    ip->tot_len = htons(static_cast<uint16_t>(len));
    inet_pton(AF_INET, src, &ip->saddr);
    inet_pton(AF_INET, dst, &ip->daddr);
    std::memcpy(buf + sizeof *ip, payload, sizeof payload);
    return len;  // the kernel fills the checksum and id under IP_HDRINCL
}

size_t ipv6_packet(unsigned char* buf, const char* src, const char* dst) {
    const char payload[] = "tapd-raw-bypass";
    auto* ip = reinterpret_cast<ip6_hdr*>(buf);
    std::memset(ip, 0, sizeof *ip);
    ip->ip6_flow = htonl(6u << 28);
    ip->ip6_plen = htons(sizeof payload);
    ip->ip6_nxt = kProto;
    ip->ip6_hops = 64;
    inet_pton(AF_INET6, src, &ip->ip6_src);
    inet_pton(AF_INET6, dst, &ip->ip6_dst);
    std::memcpy(buf + sizeof *ip, payload, sizeof payload);
    return sizeof *ip + sizeof payload;
}

// The options a holder must not be able to use to leave the tap.
void try_options(int fd, const char* fam, const char* other) {
    std::string p = fam;
    report("opt", p + "-bindtodevice-other",
           setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, other,
                      static_cast<socklen_t>(std::strlen(other))));
    report("opt", p + "-bindtodevice-none", setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "", 0));
    int idx = static_cast<int>(g_other);
    report("opt", p + "-bindtoifindex-other",
           setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &idx, sizeof idx));
    uint32_t mark = 0;
    report("opt", p + "-so-mark", setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark));
}

void attempts_v4(int s, int sraw, const char* other) {
    const char msg[] = "tapd-raw-bypass";
    auto tap = v4(kTap4), oth = v4(kOther4), lo = v4("127.0.0.1"), mc = v4("224.0.0.1"),
         bc = v4("255.255.255.255");
    auto sa = [](const sockaddr_in& a) { return reinterpret_cast<const sockaddr*>(&a); };
    report("send", "v4-legit",
           static_cast<int>(sendto(s, msg, sizeof msg, 0, sa(tap), sizeof tap)));
    report("send", "v4-plain-other",
           static_cast<int>(sendto(s, msg, sizeof msg, 0, sa(oth), sizeof oth)));
    report("send", "v4-pktinfo-other",
           send_with(s, &oth, sizeof oth, msg, sizeof msg, AF_INET, g_other));
    report("send", "v4-pktinfo-lo", send_with(s, &lo, sizeof lo, msg, sizeof msg, AF_INET, 1));
    report("send", "v4-plain-lo",
           static_cast<int>(sendto(s, msg, sizeof msg, 0, sa(lo), sizeof lo)));
    report("send", "v4-mark-cmsg",
           send_with(s, &oth, sizeof oth, msg, sizeof msg, AF_INET, 0, true));
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    report("send", "v4-broadcast-pktinfo-other",
           send_with(s, &bc, sizeof bc, msg, sizeof msg, AF_INET, g_other));
    ip_mreqn mreq{};
    mreq.imr_ifindex = static_cast<int>(g_other);
    report("opt", "v4-multicast-if-other",
           setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof mreq));
    report("send", "v4-multicast",
           static_cast<int>(sendto(s, msg, sizeof msg, 0, sa(mc), sizeof mc)));
    report("send", "v4-multicast-pktinfo-other",
           send_with(s, &mc, sizeof mc, msg, sizeof msg, AF_INET, g_other));
    uint32_t uidx = htonl(g_other);
    report("opt", "v4-unicast-if-other",
           setsockopt(s, IPPROTO_IP, IP_UNICAST_IF, &uidx, sizeof uidx));
    report("send", "v4-unicast-if",
           static_cast<int>(sendto(s, msg, sizeof msg, 0, sa(oth), sizeof oth)));
    // IP_HDRINCL: the holder may switch it on (no capability needed) and spoof the source.
    report("opt", "v4-hdrincl-on", setsockopt(s, IPPROTO_IP, IP_HDRINCL, &one, sizeof one));
    unsigned char pkt[256];
    size_t n = ipv4_packet(pkt, kSpoof4, kOther4);
    report("send", "v4-hdrincl-other", send_with(s, &oth, sizeof oth, pkt, n, AF_INET, g_other));
    report("send", "v4-hdrincl-other-plain",
           static_cast<int>(sendto(s, pkt, n, 0, sa(oth), sizeof oth)));
    n = ipv4_packet(pkt, kSpoof4, "127.0.0.1");
    report("send", "v4-hdrincl-lo", send_with(s, &lo, sizeof lo, pkt, n, AF_INET, 1));
    n = ipv4_packet(pkt, kSpoof4, kTap4);
    report("send", "v4-hdrincl-legit", static_cast<int>(sendto(s, pkt, n, 0, sa(tap), sizeof tap)));
    if (sraw >= 0) {  // IPPROTO_RAW: IP_HDRINCL implied
        n = ipv4_packet(pkt, kSpoof4, kOther4);
        report("send", "v4-ipproto-raw-other",
               send_with(sraw, &oth, sizeof oth, pkt, n, AF_INET, g_other));
        n = ipv4_packet(pkt, kSpoof4, "127.0.0.1");
        report("send", "v4-ipproto-raw-lo", send_with(sraw, &lo, sizeof lo, pkt, n, AF_INET, 1));
    }
    try_options(s, "v4", other);
}

void attempts_v6(int s, const char* other) {
    const char msg[] = "tapd-raw-bypass";
    auto tap = v6(kTap6), ll = v6(kOtherLL, g_other), mc = v6(kAllNodes, g_other), lo = v6("::1"),
         ll_plain = v6(kOtherLL), mc_plain = v6(kAllNodes);
    auto sa = [](const sockaddr_in6& a) { return reinterpret_cast<const sockaddr*>(&a); };
    report("send", "v6-legit",
           static_cast<int>(sendto(s, msg, sizeof msg, 0, sa(tap), sizeof tap)));
    report("send", "v6-scope-ll-other",
           static_cast<int>(sendto(s, msg, sizeof msg, 0, sa(ll), sizeof ll)));
    report("send", "v6-scope-mc-other",
           static_cast<int>(sendto(s, msg, sizeof msg, 0, sa(mc), sizeof mc)));
    report("send", "v6-pktinfo-ll-other",
           send_with(s, &ll_plain, sizeof ll_plain, msg, sizeof msg, AF_INET6, g_other));
    report("send", "v6-pktinfo-mc-other",
           send_with(s, &mc_plain, sizeof mc_plain, msg, sizeof msg, AF_INET6, g_other));
    report("send", "v6-lo", static_cast<int>(sendto(s, msg, sizeof msg, 0, sa(lo), sizeof lo)));
    report("send", "v6-mark-cmsg",
           send_with(s, &ll, sizeof ll, msg, sizeof msg, AF_INET6, 0, true));
    int idx = static_cast<int>(g_other);
    report("opt", "v6-multicast-if-other",
           setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof idx));
    report("send", "v6-multicast",
           static_cast<int>(sendto(s, msg, sizeof msg, 0, sa(mc_plain), sizeof mc_plain)));
    report("opt", "v6-unicast-if-other",
           setsockopt(s, IPPROTO_IPV6, IPV6_UNICAST_IF, &idx, sizeof idx));
    report("send", "v6-unicast-if",
           static_cast<int>(sendto(s, msg, sizeof msg, 0, sa(ll_plain), sizeof ll_plain)));
    int one = 1;
    report("opt", "v6-hdrincl-on", setsockopt(s, IPPROTO_IPV6, IPV6_HDRINCL, &one, sizeof one));
    unsigned char pkt[256];
    size_t n = ipv6_packet(pkt, kSpoof6, kAllNodes);
    report("send", "v6-hdrincl-mc-other",
           static_cast<int>(sendto(s, pkt, n, 0, sa(mc), sizeof mc)));
    n = ipv6_packet(pkt, "fe80::77", kOtherLL);
    report("send", "v6-hdrincl-ll-other",
           static_cast<int>(sendto(s, pkt, n, 0, sa(ll), sizeof ll)));
    n = ipv6_packet(pkt, kSpoof6, "::1");
    report("send", "v6-hdrincl-lo", static_cast<int>(sendto(s, pkt, n, 0, sa(lo), sizeof lo)));
    try_options(s, "v6", other);
}

// Frames of protocol 253 that reach the tap's fd holder, for SECONDS.
int count_tap(int seconds) {
    const char* env = std::getenv("TAPD_FD");
    if (!env) {
        std::fprintf(stderr, "raw_bypass: $TAPD_FD is not set\n");
        return 2;
    }
    int fd = std::atoi(env);
    std::printf("holding\n");
    std::fflush(stdout);
    int n4 = 0, n6 = 0;
    timespec start{}, now{};
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = seconds * 1000L - ((now.tv_sec - start.tv_sec) * 1000L +
                                       (now.tv_nsec - start.tv_nsec) / 1000000L);
        if (left <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
        unsigned char f[65536];
        ssize_t len = read(fd, f, sizeof f);
        if (len < 14 + 20) continue;
        int type = f[12] << 8 | f[13];
        if (type == 0x0800 && f[14 + 9] == kProto) ++n4;
        if (type == 0x86dd && f[14 + 6] == kProto) ++n6;
    }
    std::printf("tap v4=%d v6=%d\n", n4, n6);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::string(argv[1]) == "count-tap") return count_tap(std::atoi(argv[2]));
    if (argc != 4) {
        std::fprintf(stderr, "usage: raw_bypass tapd|control TAP OTHER | count-tap SECONDS\n");
        return 2;
    }
    std::string mode = argv[1];
    const char* tap = argv[2];
    const char* other = argv[3];
    g_tap = if_nametoindex(tap);
    g_other = if_nametoindex(other);
    if (!g_tap || !g_other) {
        std::fprintf(stderr, "raw_bypass: no interface '%s' or '%s'\n", tap, other);
        return 2;
    }
    tapd::UniqueFd s4, s4raw, s6;
    if (mode == "tapd") {
        try {
            tapd::Client c;
            s4 = c.open_raw_socket(tap, AF_INET, kProto);
            s4raw = c.open_raw_socket(tap, AF_INET, IPPROTO_RAW);
            s6 = c.open_raw_socket(tap, AF_INET6, kProto);
        } catch (const tapd::ClientError& e) {
            std::fprintf(stderr, "raw_bypass: %s\n", e.what());
            return 1;
        }
    } else if (mode == "control") {
        // What SO_BINDTODEVICE alone gives: the same sockets without tapd's mark.
        s4 = tapd::UniqueFd(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, kProto));
        s4raw = tapd::UniqueFd(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW));
        s6 = tapd::UniqueFd(socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, kProto));
        for (int fd : {s4.get(), s4raw.get(), s6.get()})
            if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, tap,
                                     static_cast<socklen_t>(std::strlen(tap))) != 0) {
                std::perror("raw_bypass: control socket");
                return 1;
            }
        // For debugging the rules by hand: tapd's mark without tapd ($RAW_BYPASS_MARK=0x7a0000NN).
        if (const char* m = std::getenv("RAW_BYPASS_MARK")) {
            uint32_t mark = static_cast<uint32_t>(std::strtoul(m, nullptr, 0));
            for (int fd : {s4.get(), s4raw.get(), s6.get()})
                setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark);
        }
    } else {
        std::fprintf(stderr, "raw_bypass: unknown mode '%s'\n", mode.c_str());
        return 2;
    }
    attempts_v4(s4.get(), s4raw.get(), other);
    attempts_v6(s6.get(), other);
    return 0;
}
