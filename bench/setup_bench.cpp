// setup_bench: the seed's nine commands as a shell script vs one CreateTap D-Bus call vs
// `tapctl create`, and their teardowns vs a bare link deletion, side by side in one run, inside a
// scratch namespace with tapd on a private bus. Usage (root): setup_bench [ROUNDS]
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "bench_stats.hpp"
#include "client.hpp"
#include "harness.hpp"

using namespace tapd::test;
using tapd::bench::Stats;
using tapd::bench::time_ms;

namespace {

const char* kSetupScript = R"(set -e
ip tuntap add name tap0 mode tap user 65534
ip link set tap0 up
ip addr add 192.168.69.100/24 dev tap0
ip -6 addr add fe80::100/64 dev tap0
ip -6 addr add fdaa::100/64 dev tap0
ip -6 route add fe80::/64 dev tap0
ip -6 route add fdaa::/64 dev tap0
iptables -t nat -A POSTROUTING -s 192.168.69.0/24 -j MASQUERADE
sysctl -q net.ipv4.ip_forward=1
)";

const char* kTeardownScript = R"(set -e
ip link del tap0
iptables -t nat -D POSTROUTING -s 192.168.69.0/24 -j MASQUERADE
sysctl -q net.ipv4.ip_forward=0
)";

void must(const CommandResult& r, const char* what) {
    if (r.status != 0) {
        std::fprintf(stderr, "setup_bench: %s failed: %s\n", what, r.describe().c_str());
        std::exit(1);
    }
}

}  // namespace

int main(int argc, char** argv) {
    int rounds = argc > 1 ? std::atoi(argv[1]) : 30;
    if (!privileged_unavailable().empty()) {
        std::fprintf(stderr, "setup_bench: %s\n", privileged_unavailable().c_str());
        return 1;
    }
    Env env;
    // Production keeps state in /run/tapd, a tmpfs under systemd; so does the bench.
    std::string state = env.dir() + "/run";
    std::filesystem::create_directories(state);
    must(run({"mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tapd-bench", state}),
         "mount tmpfs");
    env.set_state_dir(state);
    env.start_tapd();
    // This process joins the namespace, so scripts and netlink calls below act inside it.
    int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int target = open(("/run/netns/" + env.ns()).c_str(), O_RDONLY | O_CLOEXEC);
    if (home < 0 || target < 0 || setns(target, CLONE_NEWNET) != 0) {
        std::perror("setup_bench: setns");
        return 1;
    }
    std::ofstream(env.dir() + "/setup.sh") << kSetupScript;
    std::ofstream(env.dir() + "/teardown.sh") << kTeardownScript;

    tapd::Client client(env.bus_address());
    tapd::TapSpec spec;
    spec.name = "tap0";
    spec.addresses = {"192.168.69.100/24", "fe80::100/64", "fdaa::100/64"};
    spec.routes = {"fe80::/64", "fdaa::/64"};
    spec.masquerade = true;
    spec.persistent = true;
    spec.owner_access = true;
    std::vector<std::string> tapctl_create = {tapctl_bin(),  "--bus-address", env.bus_address(),
                                              "create",      "tap0",          "--owner-access",
                                              "--masquerade"};
    for (const auto& a : spec.addresses)
        tapctl_create.insert(tapctl_create.end(), {"--address", a});
    for (const auto& r : spec.routes) tapctl_create.insert(tapctl_create.end(), {"--route", r});

    nl_sock* sk = nl_socket_alloc();
    nl_connect(sk, NETLINK_ROUTE);

    std::map<std::string, Stats> s;
    // Interleaved rounds: each method sees the same machine conditions.
    for (int i = 0; i < rounds; ++i) {
        s["script setup (9 commands)"].ms.push_back(time_ms([&] {
            must(run({"bash", env.dir() + "/setup.sh"}), "setup.sh");
        }));
        s["script teardown (3 commands)"].ms.push_back(time_ms([&] {
            must(run({"bash", env.dir() + "/teardown.sh"}), "teardown.sh");
        }));

        s["D-Bus floor: ListTaps (one call)"].ms.push_back(time_ms([&] { client.list(); }));
        s["CreateTap (one D-Bus call)"].ms.push_back(time_ms([&] { client.create_tap(spec); }));
        s["DeleteTap (one D-Bus call)"].ms.push_back(time_ms([&] { client.delete_tap("tap0"); }));

        s["tapctl create (process)"].ms.push_back(
            time_ms([&] { must(run(tapctl_create), "tapctl create"); }));
        s["tapctl delete (process)"].ms.push_back(time_ms([&] {
            must(run({tapctl_bin(), "--bus-address", env.bus_address(), "delete", "tap0"}),
                 "tapctl delete");
        }));

        must(run({"ip", "tuntap", "add", "name", "tap0", "mode", "tap"}), "ip tuntap add");
        s["bare link delete: ip link del (process)"].ms.push_back(time_ms([&] {
            must(run({"ip", "link", "del", "tap0"}), "ip link del");
        }));
        must(run({"ip", "tuntap", "add", "name", "tap0", "mode", "tap"}), "ip tuntap add");
        rtnl_link* l = rtnl_link_alloc();
        rtnl_link_set_name(l, "tap0");
        s["bare link delete: netlink call"].ms.push_back(time_ms([&] { rtnl_link_delete(sk, l); }));
        // The same link as tapd leaves it (up, three addresses, two routes): what the kernel
        // alone needs to delete it.
        must(run({"bash", env.dir() + "/setup.sh"}), "setup.sh");
        must(run({"iptables", "-t", "nat", "-D", "POSTROUTING", "-s", "192.168.69.0/24", "-j",
                  "MASQUERADE"}),
             "iptables -D");
        s["configured link delete: netlink call"].ms.push_back(
            time_ms([&] { rtnl_link_delete(sk, l); }));
        rtnl_link_put(l);
        must(run({"sysctl", "-q", "net.ipv4.ip_forward=0"}), "sysctl");
    }
    nl_socket_free(sk);
    size_t interleaved_log = env.tapd_log().size();  // the profile covers the rounds above
    // The same calls back to back with nothing in between (caches and CPUs warm), for scale:
    // the interleaved rounds above are the comparison.
    for (int i = 0; i < rounds; ++i) {
        s["warm: ListTaps back to back"].ms.push_back(time_ms([&] { client.list(); }));
        s["warm: CreateTap back to back"].ms.push_back(time_ms([&] { client.create_tap(spec); }));
        client.delete_tap("tap0");
    }
    setns(home, CLONE_NEWNET);

    std::printf("| operation | median ms | min ms | p90 ms |\n|---|---:|---:|---:|\n");
    for (const char* k : {"script setup (9 commands)", "D-Bus floor: ListTaps (one call)",
                          "CreateTap (one D-Bus call)", "tapctl create (process)",
                          "script teardown (3 commands)", "DeleteTap (one D-Bus call)",
                          "tapctl delete (process)", "bare link delete: ip link del (process)",
                          "bare link delete: netlink call", "configured link delete: netlink call",
                          "warm: ListTaps back to back", "warm: CreateTap back to back"})
        std::printf("| %s | %.2f | %.2f | %.2f |\n", k, s[k].median(), s[k].min(), s[k].p90());
    double setup = s["script setup (9 commands)"].median();
    std::printf("\nsetup: script / CreateTap = %.1fx; script / tapctl create = %.1fx\n",
                setup / s["CreateTap (one D-Bus call)"].median(),
                setup / s["tapctl create (process)"].median());
    double del = s["DeleteTap (one D-Bus call)"].median();
    std::printf(
        "teardown: DeleteTap / bare netlink link delete = %.2fx; / ip link del = %.2fx; "
        "/ configured link delete = %.2fx\n",
        del / s["bare link delete: netlink call"].median(),
        del / s["bare link delete: ip link del (process)"].median(),
        del / s["configured link delete: netlink call"].median());
    std::printf("rounds: %d\n", rounds);
    // With TAPD_PROFILE=1 tapd logs where each call's time goes: the median of each step over
    // every CreateTap and DeleteTap of the interleaved rounds (both the Client's and tapctl's).
    if (std::getenv("TAPD_PROFILE")) {
        std::string log = env.tapd_log().substr(0, interleaved_log);
        for (const char* call : {"CreateTap", "DeleteTap"}) {
            auto steps = tapd::bench::profile_steps(log, std::string("profile: ") + call + " tap0");
            std::printf("tapd profile, %s (median of %zu calls):%s\n", call, steps.calls(),
                        steps.medians().c_str());
        }
        // DeleteTap answers once the link is unregistered; its thread stays in the kernel until
        // the kernel has freed the link (daemon/kernel/link_deleter.hpp).
        Stats freed;
        const std::string tag = "profile: link tap0 freed by the kernel after ";
        for (size_t at = log.find(tag); at != std::string::npos; at = log.find(tag, at + 1))
            freed.ms.push_back(std::atof(log.c_str() + at + tag.size()));
        std::printf(
            "kernel freeing the deleted link, after DeleteTap answered (median of %zu): "
            "%.2f ms\n",
            freed.ms.size(), freed.median());
    }
    env.stop_tapd();
    run({"umount", state});
    return 0;
}
