// udp_echo: a UDP echo server that prints "from ADDR:PORT: TEXT" for every datagram it answers.
// Usage: udp_echo ADDR PORT [COUNT]   (stops after COUNT datagrams, default 1, or 30 s idle)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: udp_echo ADDR PORT [COUNT]\n");
        return 2;
    }
    int count = argc > 3 ? std::atoi(argv[3]) : 1;
    // ADDR is IPv4 or IPv6 ("203.0.113.1", "fdaa::1").
    sockaddr_storage a{};
    socklen_t alen = 0;
    auto* a4 = reinterpret_cast<sockaddr_in*>(&a);
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&a);
    auto port = htons(static_cast<uint16_t>(std::atoi(argv[2])));
    if (inet_pton(AF_INET, argv[1], &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = port;
        alen = sizeof *a4;
    } else if (inet_pton(AF_INET6, argv[1], &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = port;
        alen = sizeof *a6;
    }
    int s = alen ? socket(a.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0) : -1;
    if (s < 0 || bind(s, reinterpret_cast<sockaddr*>(&a), alen) < 0) {
        std::fprintf(stderr, "udp_echo: bind %s:%s: %s\n", argv[1], argv[2], std::strerror(errno));
        return 1;
    }
    std::printf("listening on %s:%s\n", argv[1], argv[2]);
    std::fflush(stdout);
    for (int i = 0; i < count; ++i) {
        pollfd p{s, POLLIN, 0};
        if (poll(&p, 1, 30000) <= 0) {
            std::fprintf(stderr, "udp_echo: no datagram within 30 s\n");
            return 1;
        }
        char buf[2048];
        sockaddr_storage from{};
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(s, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0) return 1;
        sendto(s, buf, static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), len);
        char ip[INET6_ADDRSTRLEN];
        uint16_t from_port;
        if (from.ss_family == AF_INET6) {
            auto* f = reinterpret_cast<sockaddr_in6*>(&from);
            inet_ntop(AF_INET6, &f->sin6_addr, ip, sizeof ip);
            from_port = ntohs(f->sin6_port);
        } else {
            auto* f = reinterpret_cast<sockaddr_in*>(&from);
            inet_ntop(AF_INET, &f->sin_addr, ip, sizeof ip);
            from_port = ntohs(f->sin_port);
        }
        std::printf("from %s:%u: %.*s\n", ip, from_port, static_cast<int>(n), buf);
        std::fflush(stdout);
    }
    close(s);
    return 0;
}
