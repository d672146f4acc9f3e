// tun_racer: the attacker of a multi-queue tap's creation (tests/integration/tun_boundary_test).
// It makes its own tap OWN through tapd, opens it and deletes it: the fd it keeps is a detached
// /dev/net/tun handle, which may attach to any tap that has no owner. Then, for SECONDS, it
// tries to attach a queue to tap VICTIM again and again, as another user creates and deletes
// VICTIM with multi_queue. A queue that is still attached 300 ms after it got one means the
// victim's tap was handed out with the attacker's queue on it.
//
// Usage: tun_racer OWN VICTIM SECONDS
// Prints "ready" once it spins, then one line per win: "attached" and then "kept" (still
// attached 300 ms later) or "detached" (tapd deleted the tap under it); "attempts=N" at the end.
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "client.hpp"

namespace {

double now() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

bool attached(int fd) {
    ifreq ifr{};
    return ioctl(fd, TUNGETIFF, &ifr) == 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: tun_racer OWN VICTIM SECONDS\n");
        return 2;
    }
    std::string own = argv[1], victim = argv[2];
    double deadline = now() + std::atof(argv[3]);
    tapd::Client client;
    tapd::TapSpec spec;
    spec.name = own;
    client.create_tap(spec);
    tapd::UniqueFd fd = client.open_tap(own);
    client.delete_tap(own);
    if (attached(fd.get())) {
        std::fprintf(stderr, "tun_racer: the fd is still attached after DeleteTap\n");
        return 1;
    }
    std::printf("ready\n");
    std::fflush(stdout);
    long attempts = 0;
    while (now() < deadline) {
        ifreq ifr{};
        std::strncpy(ifr.ifr_name, victim.c_str(), IFNAMSIZ - 1);
        ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE;
        ++attempts;
        if (ioctl(fd.get(), TUNSETIFF, &ifr) < 0) continue;
        std::printf("attached\n");
        std::fflush(stdout);
        usleep(300 * 1000);
        bool kept = attached(fd.get());
        std::printf(kept ? "kept\n" : "detached\n");
        std::fflush(stdout);
        // Wait until the victim's tap is gone, so one tap counts once.
        while (attached(fd.get()) && now() < deadline) usleep(20 * 1000);
    }
    std::printf("attempts=%ld\n", attempts);
    return 0;
}
