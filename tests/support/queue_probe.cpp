// queue_probe: a client of tapd's queue fds and offloads (tests/integration/queues_test).
//
// Usage: queue_probe open TAP N [OFFLOADS]
//          OpenTapQueues N (OFFLOADS: "csum,tso4", "" for none; absent: not asked for); prints
//          "queue I multi_queue=M vnet_hdr=V" for each fd, then "holding N", then one line
//          "udp I" for every IPv4 UDP frame read on queue I, until killed. On a refusal:
//          "error NAME: MESSAGE" (exit 1).
//        queue_probe fill TAP
//          OpenTapQueues 16 at a time until tapd refuses; prints "opened K" and the refusal.
//        queue_probe self-offload TAP OFFLOADS_HEX
//          OpenTap, then TUNSETOFFLOAD OFFLOADS_HEX on that fd itself: "set" or "refused: ERRNO".
//        queue_probe check-fds
//          for each fd in $TAPD_FDS: "fd N tap=NAME multi_queue=M"; then "tun fds K" (how many
//          tun fds the process holds, every one counted).
//        queue_probe gso TAP
//          OpenTap with offloads csum,tso4 on a vnet_hdr tap; plays 192.168.69.1 (MAC
//          02:00:00:00:00:01, the host's neighbour entry must say so): answers a SYN to port 80
//          with a SYN-ACK, then prints "gso type=T size=S len=L" for the first frame the kernel
//          hands over as one TCP segment of many (virtio_net_hdr gso_type set) and exits.
//        queue_probe features TAP
//          the tap's active offload features, as `ethtool -k` names them, one per line.
#include <dirent.h>
#include <linux/ethtool.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "client.hpp"

namespace {

std::vector<std::string> split(const std::string& text) {
    std::vector<std::string> out;
    for (size_t at = 0; !text.empty();) {
        size_t comma = text.find(',', at);
        out.push_back(text.substr(at, comma - at));
        if (comma == std::string::npos) break;
        at = comma + 1;
    }
    return out;
}

unsigned tun_flags(int fd, std::string* name = nullptr) {
    ifreq ifr{};
    if (ioctl(fd, TUNGETIFF, &ifr) < 0) return 0;
    if (name) *name = ifr.ifr_name;
    return static_cast<unsigned>(ifr.ifr_flags);
}

// Whether FRAME (after the vnet header, if any) is IPv4 UDP.
bool is_udp4(const unsigned char* frame, ssize_t len) {
    return len >= 34 && frame[12] == 0x08 && frame[13] == 0x00 && frame[23] == 17;
}

int open_queues(const std::string& tap, uint32_t n, const char* offloads) {
    std::vector<tapd::UniqueFd> fds;
    try {
        tapd::Client c;
        tapd::OpenSpec spec;
        if (offloads) spec.offloads = split(offloads);
        fds = c.open_tap_queues(tap, n, spec);
    } catch (const tapd::ClientError& e) {
        std::printf("error %s: %s\n", e.name().c_str(), e.message().c_str());
        return 1;
    }
    std::vector<pollfd> polls;
    bool vnet = false;
    for (size_t i = 0; i < fds.size(); ++i) {
        unsigned f = tun_flags(fds[i].get());
        vnet = (f & IFF_VNET_HDR) != 0;
        std::printf("queue %zu multi_queue=%d vnet_hdr=%d\n", i, (f & IFF_MULTI_QUEUE) ? 1 : 0,
                    vnet ? 1 : 0);
        polls.push_back({fds[i].get(), POLLIN, 0});
    }
    std::printf("holding %zu\n", fds.size());
    std::fflush(stdout);
    size_t skip = vnet ? 10 : 0;  // struct virtio_net_hdr (TUNSETVNETHDRSZ not changed)
    std::vector<unsigned char> buf(70000);
    for (;;) {
        if (poll(polls.data(), polls.size(), -1) < 0 && errno != EINTR) return 1;
        for (size_t i = 0; i < polls.size(); ++i) {
            if (!(polls[i].revents & POLLIN)) continue;
            ssize_t r = read(polls[i].fd, buf.data(), buf.size());
            if (r > static_cast<ssize_t>(skip) && is_udp4(buf.data() + skip, r - skip)) {
                std::printf("udp %zu\n", i);
                std::fflush(stdout);
            }
        }
    }
}

uint16_t checksum(const unsigned char* p, size_t n, uint32_t sum = 0) {
    for (size_t i = 0; i + 1 < n; i += 2) sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
    if (n % 2) sum += static_cast<uint32_t>(p[n - 1] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

void put16(unsigned char* p, uint32_t v) {
    p[0] = static_cast<unsigned char>(v >> 8);
    p[1] = static_cast<unsigned char>(v);
}

// The SYN-ACK to the SYN in FRAME (Ethernet, IPv4, TCP), after a zeroed virtio_net_hdr.
std::vector<unsigned char> syn_ack(const unsigned char* syn) {
    const unsigned char* ip = syn + 14;
    const unsigned char* tcp = ip + (ip[0] & 0x0f) * 4;
    std::vector<unsigned char> out(10 + 14 + 20 + 24, 0);
    unsigned char* e = out.data() + 10;
    std::memcpy(e, syn + 6, 6);                                 // to the host's MAC
    std::memcpy(e + 6, "\x02\x00\x00\x00\x00\x01\x08\x00", 8);  // from ours, IPv4
    unsigned char* o = e + 14;
    o[0] = 0x45;
    put16(o + 2, 20 + 24);
    o[6] = 0x40;  // DF
    o[8] = 64;
    o[9] = 6;
    std::memcpy(o + 12, ip + 16, 4);  // from the address the SYN was for
    std::memcpy(o + 16, ip + 12, 4);
    put16(o + 10, checksum(o, 20));
    unsigned char* t = o + 20;
    std::memcpy(t, tcp + 2, 2);
    std::memcpy(t + 2, tcp, 2);
    put16(t + 4, 0);
    put16(t + 6, 1000);  // our sequence number
    uint32_t ack =
        (uint32_t{tcp[4]} << 24 | uint32_t{tcp[5]} << 16 | uint32_t{tcp[6]} << 8 | tcp[7]) + 1;
    put16(t + 8, ack >> 16);
    put16(t + 10, ack & 0xffff);
    t[12] = 6 << 4;
    t[13] = 0x12;  // SYN|ACK
    put16(t + 14, 65535);
    std::memcpy(t + 20, "\x02\x04\x05\xb4", 4);  // MSS 1460
    unsigned char pseudo[12] = {};
    std::memcpy(pseudo, o + 12, 8);
    pseudo[9] = 6;
    put16(pseudo + 10, 24);
    uint32_t sum = static_cast<uint16_t>(~checksum(pseudo, sizeof pseudo));
    put16(t + 16, checksum(t, 24, sum));
    return out;
}

int gso(const std::string& tap) {
    tapd::Client c;
    tapd::OpenSpec spec;
    spec.offloads = std::vector<std::string>{"csum", "tso4"};
    tapd::UniqueFd fd = c.open_tap(tap, spec);
    std::printf("ready\n");
    std::fflush(stdout);
    std::vector<unsigned char> buf(70000);
    for (;;) {
        ssize_t r = read(fd.get(), buf.data(), buf.size());
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return 1;
        const unsigned char* f = buf.data() + 10;
        if (r < 10 + 54 || f[12] != 0x08 || f[13] != 0x00 || f[23] != 6) continue;
        const unsigned char* tcp = f + 14 + (f[14] & 0x0f) * 4;
        if ((tcp[13] & 0x12) == 0x02 && tcp[2] == 0 && tcp[3] == 80) {
            auto reply = syn_ack(f);
            if (write(fd.get(), reply.data(), reply.size()) < 0) return 1;
            continue;
        }
        unsigned gso_type = buf[1], gso_size = buf[4] | buf[5] << 8;
        if (gso_type != 0) {
            std::printf("gso type=%u size=%u len=%zd\n", gso_type, gso_size, r - 10);
            return 0;
        }
    }
}

int fill(const std::string& tap) {
    std::vector<tapd::UniqueFd> held;
    tapd::Client c;
    for (;;) {
        try {
            for (auto& fd : c.open_tap_queues(tap, 16)) held.push_back(std::move(fd));
        } catch (const tapd::ClientError& e) {
            std::printf("opened %zu\nerror %s: %s\n", held.size(), e.name().c_str(),
                        e.message().c_str());
            return 0;
        }
    }
}

int self_offload(const std::string& tap, unsigned flags) {
    tapd::Client c;
    tapd::UniqueFd fd = c.open_tap(tap);
    if (ioctl(fd.get(), TUNSETOFFLOAD, static_cast<unsigned long>(flags)) < 0)
        std::printf("refused: %s\n", std::strerror(errno));
    else
        std::printf("set\n");
    return 0;
}

int check_fds() {
    const char* env = std::getenv("TAPD_FDS");
    if (!env) {
        std::printf("no TAPD_FDS\n");
        return 1;
    }
    std::printf("TAPD_FDS=%s TAPD_FD=%s\n", env,
                std::getenv("TAPD_FD") ? std::getenv("TAPD_FD") : "(unset)");
    std::string list = env;
    for (size_t at = 0;;) {
        size_t colon = list.find(':', at);
        int fd = std::atoi(list.substr(at, colon - at).c_str());
        std::string name;
        unsigned f = tun_flags(fd, &name);
        std::printf("fd %d tap=%s multi_queue=%d\n", fd, name.c_str(),
                    (f & IFF_MULTI_QUEUE) ? 1 : 0);
        if (colon == std::string::npos) break;
        at = colon + 1;
    }
    int tun = 0;
    DIR* d = opendir("/proc/self/fd");
    while (dirent* e = d ? readdir(d) : nullptr) {
        char target[64] = {};
        std::string path = std::string("/proc/self/fd/") + e->d_name;
        if (readlink(path.c_str(), target, sizeof target - 1) > 0 &&
            std::strcmp(target, "/dev/net/tun") == 0)
            ++tun;
    }
    if (d) closedir(d);
    std::printf("tun fds %d\n", tun);
    return 0;
}

// SIOCETHTOOL on TAP with the request at DATA (ethtool's get requests need no privilege).
bool ethtool(int sock, const std::string& tap, void* data) {
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, tap.c_str(), IFNAMSIZ - 1);
    ifr.ifr_data = static_cast<char*>(data);
    return ioctl(sock, SIOCETHTOOL, &ifr) == 0;
}

int features(const std::string& tap) {
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    // ethtool_sset_info and its one data word (a flexible array member).
    alignas(ethtool_sset_info) char sset_buf[sizeof(ethtool_sset_info) + sizeof(uint32_t)] = {};
    auto* sset = reinterpret_cast<ethtool_sset_info*>(sset_buf);
    sset->cmd = ETHTOOL_GSSET_INFO;
    sset->sset_mask = 1ULL << ETH_SS_FEATURES;
    if (sock < 0 || !ethtool(sock, tap, sset)) {
        std::printf("ETHTOOL_GSSET_INFO: %s\n", std::strerror(errno));
        return 1;
    }
    uint32_t n = sset->data[0];
    std::vector<char> strings(sizeof(ethtool_gstrings) + n * ETH_GSTRING_LEN);
    auto* gs = reinterpret_cast<ethtool_gstrings*>(strings.data());
    gs->cmd = ETHTOOL_GSTRINGS;
    gs->string_set = ETH_SS_FEATURES;
    gs->len = n;
    uint32_t blocks = (n + 31) / 32;
    std::vector<char> feats(sizeof(ethtool_gfeatures) +
                            blocks * sizeof(ethtool_get_features_block));
    auto* gf = reinterpret_cast<ethtool_gfeatures*>(feats.data());
    gf->cmd = ETHTOOL_GFEATURES;
    gf->size = blocks;
    if (!ethtool(sock, tap, gs) || !ethtool(sock, tap, gf)) {
        std::printf("ETHTOOL_GSTRINGS/GFEATURES: %s\n", std::strerror(errno));
        return 1;
    }
    for (uint32_t i = 0; i < n; ++i)
        if (gf->features[i / 32].active & (1U << (i % 32)))
            std::printf("%.*s\n", ETH_GSTRING_LEN,
                        reinterpret_cast<const char*>(gs->data) + i * ETH_GSTRING_LEN);
    close(sock);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string cmd = argc > 1 ? argv[1] : "";
    if (cmd == "open" && (argc == 4 || argc == 5))
        return open_queues(argv[2], static_cast<uint32_t>(std::atoi(argv[3])),
                           argc == 5 ? argv[4] : nullptr);
    if (cmd == "fill" && argc == 3) return fill(argv[2]);
    if (cmd == "self-offload" && argc == 4)
        return self_offload(argv[2], static_cast<unsigned>(std::strtoul(argv[3], nullptr, 16)));
    if (cmd == "check-fds" && argc == 2) return check_fds();
    if (cmd == "features" && argc == 3) return features(argv[2]);
    if (cmd == "gso" && argc == 3) return gso(argv[2]);
    std::fprintf(stderr,
                 "usage: queue_probe open TAP N [OFFLOADS] | fill TAP | self-offload TAP HEX | "
                 "check-fds | features TAP | gso TAP\n");
    return 2;
}
