// fd_hoard: asks tapd for many captures or raw sockets of one tap and holds them (the limit tests
// of tests/integration/capture_test and raw_socket_test).
//
// Usage: fd_hoard capture|raw TAP N
//          asks N times for a capture (OpenCapture) or a raw IPv4 socket of protocol 253
//          (OpenRawSocket) of TAP over one bus connection; prints "opened K refused R", then the
//          first refusal as "error NAME: MESSAGE", then "holding", and keeps every fd it got open
//          until it is killed.
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "client.hpp"

int main(int argc, char** argv) {
    if (argc != 4 || (std::string(argv[1]) != "capture" && std::string(argv[1]) != "raw")) {
        std::fprintf(stderr, "usage: fd_hoard capture|raw TAP N\n");
        return 2;
    }
    bool capture = std::string(argv[1]) == "capture";
    std::string tap = argv[2];
    long n = std::atol(argv[3]);
    // Room for N fds of our own: whatever stops us must be tapd's answer, not our fd limit.
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
    std::vector<tapd::UniqueFd> held;
    std::string first_refusal;
    long refused = 0;
    try {
        tapd::Client c;
        for (long i = 0; i < n; ++i) {
            try {
                held.push_back(capture ? c.open_capture(tap)
                                       : c.open_raw_socket(tap, AF_INET, 253));
            } catch (const tapd::ClientError& e) {
                if (refused++ == 0) first_refusal = "error " + e.name() + ": " + e.message();
            }
        }
        std::printf("opened %zu refused %ld\n", held.size(), refused);
        if (!first_refusal.empty()) std::printf("%s\n", first_refusal.c_str());
        std::printf("holding\n");
        std::fflush(stdout);
        for (;;) pause();
    } catch (const tapd::ClientError& e) {
        std::printf("error %s: %s\n", e.name().c_str(), e.message().c_str());
        return 1;
    }
}
