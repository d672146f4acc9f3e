// tap_udp_client: a minimal user-space IPv4 host on a tap fd inherited from `tapctl exec`.
// It answers ARP for its own address, resolves its gateway, sends one UDP datagram and waits for
// the reply: what smoltcp or a VM does, in ~150 lines, with nothing but the fd in $TAPD_FD.
// Usage: tapctl exec tap0 -- tap_udp_client MY_IP GATEWAY_IP DEST_IP PORT [TEXT]
#include <arpa/inet.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr uint8_t kMyMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
int g_fd = -1;
uint32_t g_me = 0;  // network order

uint16_t csum(const uint8_t* p, size_t n, uint32_t sum = 0) {
    for (size_t i = 0; i + 1 < n; i += 2) sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
    if (n & 1) sum += static_cast<uint32_t>(p[n - 1] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

void put16(uint8_t* p, uint16_t v) {
    p[0] = static_cast<uint8_t>(v >> 8);
    p[1] = static_cast<uint8_t>(v);
}
uint16_t get16(const uint8_t* p) {
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

void send_arp(uint16_t op, const uint8_t* dst_mac, uint32_t target_ip) {
    uint8_t f[42] = {};
    std::memcpy(f, dst_mac, 6);
    std::memcpy(f + 6, kMyMac, 6);
    put16(f + 12, 0x0806);
    put16(f + 14, 1);
    put16(f + 16, 0x0800);
    f[18] = 6;
    f[19] = 4;
    put16(f + 20, op);
    std::memcpy(f + 22, kMyMac, 6);
    std::memcpy(f + 28, &g_me, 4);
    if (op == 2) std::memcpy(f + 32, dst_mac, 6);
    std::memcpy(f + 38, &target_ip, 4);
    if (write(g_fd, f, sizeof f) != sizeof f) std::perror("write arp");
}

// Reads one frame (up to TIMEOUT_MS); answers ARP requests for our address on the way.
ssize_t next_frame(uint8_t* buf, size_t size, int timeout_ms) {
    pollfd p{g_fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return -1;
    ssize_t n = read(g_fd, buf, size);
    if (n >= 42 && get16(buf + 12) == 0x0806 && get16(buf + 20) == 1 &&
        std::memcmp(buf + 38, &g_me, 4) == 0) {
        uint32_t asker;
        std::memcpy(&asker, buf + 28, 4);
        send_arp(2, buf + 22, asker);
        char ip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &asker, ip, sizeof ip);
        std::printf("answered ARP who-has us from %s\n", ip);
    }
    return n;
}

long now_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace

int main(int argc, char** argv) {
    const char* env = std::getenv("TAPD_FD");
    if (argc < 5 || !env) {
        std::fprintf(stderr,
                     "usage: tapctl exec TAP -- tap_udp_client MY_IP GW_IP DEST_IP PORT [TEXT]\n");
        return 2;
    }
    g_fd = std::atoi(env);
    uint32_t gw, dst;
    inet_pton(AF_INET, argv[1], &g_me);
    inet_pton(AF_INET, argv[2], &gw);
    inet_pton(AF_INET, argv[3], &dst);
    auto port = static_cast<uint16_t>(std::atoi(argv[4]));
    const char* text = argc > 5 ? argv[5] : "hello";
    size_t tlen = std::strlen(text);
    uint8_t buf[2048];

    // 1. Resolve the gateway (the tap's host side) by ARP, asking again every 500 ms.
    const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    uint8_t gw_mac[6];
    bool resolved = false;
    for (long start = now_ms(); !resolved && now_ms() - start < 10000;) {
        send_arp(1, bcast, gw);
        for (long t = now_ms(); !resolved && now_ms() - t < 500;) {
            ssize_t n = next_frame(buf, sizeof buf, 100);
            if (n >= 42 && get16(buf + 12) == 0x0806 && get16(buf + 20) == 2 &&
                std::memcmp(buf + 28, &gw, 4) == 0) {
                std::memcpy(gw_mac, buf + 22, 6);
                resolved = true;
            }
        }
    }
    if (!resolved) {
        std::fprintf(stderr, "tap_udp_client: no ARP reply from %s\n", argv[2]);
        return 1;
    }
    std::printf("gateway %s is at %02x:%02x:%02x:%02x:%02x:%02x\n", argv[2], gw_mac[0], gw_mac[1],
                gw_mac[2], gw_mac[3], gw_mac[4], gw_mac[5]);

    // 2. One UDP datagram from MY_IP:40000 to DEST_IP:PORT through the gateway.
    uint8_t f[1514] = {};
    std::memcpy(f, gw_mac, 6);
    std::memcpy(f + 6, kMyMac, 6);
    put16(f + 12, 0x0800);
    uint8_t* ip = f + 14;
    ip[0] = 0x45;
    put16(ip + 2, static_cast<uint16_t>(20 + 8 + tlen));
    put16(ip + 4, 0x1234);
    ip[8] = 64;
    ip[9] = 17;
    std::memcpy(ip + 12, &g_me, 4);
    std::memcpy(ip + 16, &dst, 4);
    put16(ip + 10, csum(ip, 20));
    uint8_t* udp = ip + 20;
    put16(udp, 40000);
    put16(udp + 2, port);
    put16(udp + 4, static_cast<uint16_t>(8 + tlen));
    std::memcpy(udp + 8, text, tlen);
    uint8_t pseudo[12];
    std::memcpy(pseudo, ip + 12, 8);
    pseudo[8] = 0;
    pseudo[9] = 17;
    put16(pseudo + 10, static_cast<uint16_t>(8 + tlen));
    uint32_t sum = 0;
    for (int i = 0; i < 12; i += 2) sum += static_cast<uint32_t>(pseudo[i] << 8 | pseudo[i + 1]);
    uint16_t c = csum(udp, 8 + tlen, sum);
    put16(udp + 6, c ? c : 0xffff);
    size_t flen = 14 + 20 + 8 + tlen;
    if (write(g_fd, f, flen) != static_cast<ssize_t>(flen)) {
        std::perror("tap_udp_client: write");
        return 1;
    }
    std::printf("sent UDP %s:40000 > %s:%u '%s'\n", argv[1], argv[3], port, text);

    // 3. The echo, de-masqueraded back to us.
    for (long start = now_ms(); now_ms() - start < 10000;) {
        ssize_t n = next_frame(buf, sizeof buf, 200);
        if (n < 42 || get16(buf + 12) != 0x0800 || buf[23] != 17) continue;
        const uint8_t* rip = buf + 14;
        size_t ihl = (rip[0] & 15) * 4u;
        const uint8_t* rudp = rip + ihl;
        if (std::memcmp(rip + 16, &g_me, 4) != 0 || get16(rudp + 2) != 40000) continue;
        char from[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, rip + 12, from, sizeof from);
        int plen = get16(rudp + 4) - 8;
        std::printf("received UDP echo from %s:%u: '%.*s'\n", from, get16(rudp), plen,
                    reinterpret_cast<const char*>(rudp + 8));
        return 0;
    }
    std::fprintf(stderr, "tap_udp_client: no echo within 10 s\n");
    return 1;
}
