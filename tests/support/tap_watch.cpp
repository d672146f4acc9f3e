// tap_watch: prints libtapd's TapEvents (tests/integration/tap_events_test): "added NAME
// addresses=N", "changed NAME addresses=N masquerade=0|1", "removed NAME"; "ready" once it
// watches. Runs until killed.
#include <cstdio>

#include "client.hpp"

int main() {
    tapd::Client client;
    client.watch([](const tapd::TapEvent& e) {
        const char* kind = e.kind == tapd::TapEvent::Kind::Added     ? "added"
                           : e.kind == tapd::TapEvent::Kind::Changed ? "changed"
                                                                     : "removed";
        std::printf("%s %s", kind, e.name.c_str());
        if (e.info)
            std::printf(" addresses=%zu masquerade=%d", e.info->addresses.size(),
                        e.info->masquerade ? 1 : 0);
        std::printf("\n");
        std::fflush(stdout);
    });
    std::printf("ready\n");
    std::fflush(stdout);
    for (;;) client.process_events(-1);
}
