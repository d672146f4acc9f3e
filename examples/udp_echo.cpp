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
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[2])));
    if (s < 0 || inet_pton(AF_INET, argv[1], &a.sin_addr) != 1 ||
        bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
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
        sockaddr_in from{};
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(s, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0) return 1;
        sendto(s, buf, static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), len);
        char ip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &from.sin_addr, ip, sizeof ip);
        std::printf("from %s:%u: %.*s\n", ip, ntohs(from.sin_port), static_cast<int>(n), buf);
        std::fflush(stdout);
    }
    close(s);
    return 0;
}
