// scale_bench: CreateTap/DeleteTap with n taps already on the host, against the seed's shell
// commands on a host holding n taps made the seed's way, side by side in one run, for each n.
// Each existing tap has an IPv4 /30, an IPv6 /64, an IPv6 route and masquerade, as does the
// measured one. For each n, tapd runs in a scratch namespace on a private bus with its state on a
// tmpfs, and the seed's taps live in a second scratch namespace, where this process runs the
// scripts. Every n's hosts exist at once and the rounds take turns between them, so that each n
// sees the same machine conditions; a turn ends once its tapd is idle again, and after the
// rounds every tapd stops before any n's starts are measured. A round also times `tapctl create`,
// `tapctl delete` and `tapctl list --all`; after the rounds, per n: tapd's start-to-ready with n
// taps to adopt (through the harness, and exec to ready as a service manager starts it), its RSS.
// Usage (root): [TAPD_OLD=OLD_TAPD] [SCALE_BENCH_CALLS_ONLY=K] scale_bench [ROUNDS [N...]]
// (default: 20 rounds, n = 10 100 1000). TAPD_OLD: an older tapd binary whose exec to ready and
// RSS are measured too, interleaved with this build's, on the same taps. SCALE_BENCH_CALLS_ONLY:
// each round makes K CreateTap/DeleteTap pairs per n back to back and nothing else (no seed
// script, no tapctl), to see tapd's work with nothing else between its calls.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_stats.hpp"
#include "client.hpp"
#include "harness.hpp"

using namespace tapd::test;
using tapd::bench::Stats;
using tapd::bench::time_ms;

namespace {

void must(const CommandResult& r, const std::string& what) {
    if (r.status != 0) {
        std::fprintf(stderr, "scale_bench: %s failed: %s\n", what.c_str(), r.describe().c_str());
        std::exit(1);
    }
}

// Tap I's prefixes (I < 4096): 10.(64 + I/256).(I%256).0/30, fdaa:0:0:I::/64, a route to
// fdab:0:0:I::/64.
struct Plan {
    std::string name, v4, v4net, v6, route;
};
Plan plan(const std::string& prefix, int i) {
    char v4[32], v4net[32], v6[48], route[48];
    std::snprintf(v4, sizeof v4, "10.%d.%d.1/30", 64 + i / 256, i % 256);
    std::snprintf(v4net, sizeof v4net, "10.%d.%d.0/30", 64 + i / 256, i % 256);
    std::snprintf(v6, sizeof v6, "fdaa:0:0:%x::1/64", i);
    std::snprintf(route, sizeof route, "fdab:0:0:%x::/64", i);
    return {prefix + std::to_string(i), v4, v4net, v6, route};
}

std::string seed_setup(const Plan& p) {
    return "set -e\nip tuntap add name " + p.name + " mode tap user 65534\nip link set " + p.name +
           " up\nip addr add " + p.v4 + " dev " + p.name + "\nip -6 addr add " + p.v6 + " dev " +
           p.name + "\nip -6 route add " + p.route + " dev " + p.name +
           "\niptables -t nat -A POSTROUTING -s " + p.v4net +
           " -j MASQUERADE\nsysctl -q net.ipv4.ip_forward=1\n";
}
std::string seed_teardown(const Plan& p) {
    return "set -e\nip link del " + p.name + "\niptables -t nat -D POSTROUTING -s " + p.v4net +
           " -j MASQUERADE\n";
}

tapd::TapSpec spec_of(const Plan& p) {
    tapd::TapSpec s;
    s.name = p.name;
    s.addresses = {p.v4, p.v6};
    s.routes = {p.route};
    s.masquerade = true;
    s.persistent = true;
    s.owner_access = true;
    return s;
}

// PID's resident set (VmRSS), or -1.
long rss_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return -1;
}

// tapd's RSS once it is at rest: 100 ms after it was last woken it gives its free heap back
// (malloc_trim) and logs the heap's figures (TAPD_PROFILE); the kernel's notifications about n
// new taps (IPv6 DAD, routes) keep it busy for a while after they were made.
long rss_at_rest(Env& env) {
    size_t from = env.tapd_log().size();
    for (int i = 0; i < 200; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (env.tapd_log().find("profile: heap", from) != std::string::npos) break;
    }
    return rss_kib(env.tapd_pid());
}

// Waits until ENV's tapd has done what follows its calls: its trim (100 ms after it was last
// woken; a "profile: heap" line), a compaction (due 200 ms after the calls), and whatever they
// log, until its log has been still for 300 ms (10 s at most). The next n's turn then runs with
// this tapd idle.
void settle(Env& env) {
    using namespace std::chrono;
    auto deadline = steady_clock::now() + seconds(10);
    size_t size = env.tapd_log().size();
    auto still_since = steady_clock::now();
    while (steady_clock::now() < deadline &&
           steady_clock::now() - still_since < milliseconds(300)) {
        std::this_thread::sleep_for(milliseconds(20));
        if (size_t now = env.tapd_log().size(); now != size) {
            size = now;
            still_since = steady_clock::now();
        }
    }
}

// The heap's figures at tapd's last trim (TAPD_PROFILE): in use, free, mmapped, RSS.
std::string last_heap(const std::string& log) {
    auto at = log.rfind("profile: heap");
    if (at == std::string::npos) return "(no heap line)";
    return log.substr(at + 9, log.find('\n', at) - at - 9);
}

// The median of every step of tapd's profile lines for CALL ("CreateTap NAME"), from LOG.
std::string profile(const std::string& log, const std::string& call) {
    auto steps = tapd::bench::profile_steps(log, "profile: " + call);
    return call + " (median of " + std::to_string(steps.calls()) + "):" + steps.medians();
}

// tapd (BIN) started as a service manager starts it: fork, setns into ENV's namespace, exec;
// the time until it writes "ready:" (its name owned, READY=1). Without the harness's wrappers
// (unshare, ip netns exec, env, 10 ms log polling: ~45 ms of their own), read from its stderr as
// written. Then its RSS 500 ms later (at rest: its first findings listing done, its free heap
// given back), and it is killed (its taps stay).
struct Start {
    double ms;
    long rss_kib;
};
Start exec_to_ready(Env& env, const std::string& bin) {
    std::string netns = "/run/netns/" + env.ns(), state = env.state_dir(),
                policy = env.policy_path(), bus = "DBUS_SYSTEM_BUS_ADDRESS=" + env.bus_address();
    const char* argv[] = {bin.c_str(), "--state-dir",  state.c_str(),
                          "--policy",  policy.c_str(), nullptr};
    const char* envp[] = {bus.c_str(), "PATH=/usr/sbin:/usr/bin:/sbin:/bin", nullptr};
    int out[2];
    int ns_fd = open(netns.c_str(), O_RDONLY | O_CLOEXEC);
    if (ns_fd < 0 || pipe2(out, O_CLOEXEC) != 0) {
        std::perror("scale_bench: exec_to_ready");
        std::exit(1);
    }
    auto t0 = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid == 0) {
        if (setns(ns_fd, CLONE_NEWNET) != 0 || dup2(out[1], 2) < 0) _exit(126);
        execve(argv[0], const_cast<char**>(argv), const_cast<char**>(envp));
        _exit(127);
    }
    close(out[1]);
    close(ns_fd);
    std::string text;
    char buf[4096];
    Start start{-1, -1};
    for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) {
        text.append(buf, static_cast<size_t>(n));
        if (text.find("ready:") != std::string::npos) {
            start.ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                    .count();
            break;
        }
    }
    if (start.ms >= 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        start.rss_kib = rss_kib(pid);
    }
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    close(out[0]);
    if (start.ms < 0) {
        std::fprintf(stderr, "scale_bench: %s did not become ready:\n%s\n", bin.c_str(),
                     text.c_str());
        std::exit(1);
    }
    return start;
}

// One n: its Env (tapd on a private bus, n taps made by CreateTap), the seed's namespace with n
// taps made its way, and what its rounds run.
struct Phase {
    int n = 0;
    std::unique_ptr<Env> env;
    std::string state;
    int seed = -1;  // the seed's namespace
    std::unique_ptr<tapd::Client> client;
    Plan m;
    std::vector<std::string> tapctl_create, tapctl_delete, tapctl_list;
    size_t log_from = 0;
    std::string heap_populated;
};

void enter(int ns_fd) {
    if (setns(ns_fd, CLONE_NEWNET) != 0) {
        std::perror("scale_bench: setns");
        std::exit(1);
    }
}

// Makes the phase for N: tapd started, N taps each way.
std::unique_ptr<Phase> populate(int n) {
    auto ph = std::make_unique<Phase>();
    ph->n = n;
    ph->env = std::make_unique<Env>();
    Env& env = *ph->env;
    ph->state = env.dir() + "/run";
    std::filesystem::create_directories(ph->state);
    must(run({"mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tapd-bench", ph->state}),
         "mount tmpfs");
    env.set_state_dir(ph->state);
    env.start_tapd({"TAPD_PROFILE=1"});
    std::string seed_ns = env.add_ns("seed");
    ph->seed = open(("/run/netns/" + seed_ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (ph->seed < 0) {
        std::perror("scale_bench: open the seed's namespace");
        std::exit(1);
    }
    enter(ph->seed);
    // n taps each way: tapd's by CreateTap, the seed's by one `ip -batch` and one
    // iptables-restore (the shape the scripts below make, one by one).
    ph->client = std::make_unique<tapd::Client>(env.bus_address());
    std::ostringstream ipb, ipt;
    ipt << "*nat\n";
    for (int i = 0; i < n; ++i) {
        Plan p = plan("s", i);
        ph->client->create_tap(spec_of(p));
        ipb << "tuntap add name " << p.name << " mode tap user 65534\nlink set " << p.name
            << " up\naddr add " << p.v4 << " dev " << p.name << "\naddr add " << p.v6 << " dev "
            << p.name << "\nroute add " << p.route << " dev " << p.name << "\n";
        ipt << "-A POSTROUTING -s " << p.v4net << " -j MASQUERADE\n";
    }
    ipt << "COMMIT\n";
    std::ofstream(env.dir() + "/populate.ip") << ipb.str();
    std::ofstream(env.dir() + "/populate.iptables") << ipt.str();
    must(run({"ip", "-batch", env.dir() + "/populate.ip"}), "ip -batch");
    must(run({"sh", "-c", "iptables-restore --noflush < " + env.dir() + "/populate.iptables"}),
         "iptables-restore");
    ph->m = plan("m", 4000);
    const Plan& m = ph->m;
    std::ofstream(env.dir() + "/setup.sh") << seed_setup(m);
    std::ofstream(env.dir() + "/teardown.sh") << seed_teardown(m);
    ph->tapctl_create = {tapctl_bin(),
                         "--bus-address",
                         env.bus_address(),
                         "create",
                         m.name,
                         "--owner-access",
                         "--masquerade",
                         "--address",
                         m.v4,
                         "--address",
                         m.v6,
                         "--route",
                         m.route};
    ph->tapctl_delete = {tapctl_bin(), "--bus-address", env.bus_address(), "delete", m.name};
    ph->tapctl_list = {tapctl_bin(), "--bus-address", env.bus_address(), "list", "--all", "--json"};
    return ph;
}

}  // namespace

int main(int argc, char** argv) {
    int rounds = argc > 1 ? std::atoi(argv[1]) : 20;
    std::vector<int> ns;
    for (int i = 2; i < argc; ++i) ns.push_back(std::atoi(argv[i]));
    if (ns.empty()) ns = {10, 100, 1000};
    const char* old_tapd = std::getenv("TAPD_OLD");  // an older tapd binary to start alongside
    // SCALE_BENCH_CALLS_ONLY=K: each round makes K CreateTap/DeleteTap pairs per n back to back,
    // and nothing else runs between them (tapd's work with its caches warm).
    const char* calls_only_env = std::getenv("SCALE_BENCH_CALLS_ONLY");
    int calls_only = calls_only_env ? std::atoi(calls_only_env) : 0;
    if (!privileged_unavailable().empty()) {
        std::fprintf(stderr, "scale_bench: %s\n", privileged_unavailable().c_str());
        return 1;
    }
    std::map<std::string, std::map<int, Stats>> s;
    std::map<int, std::string> profiles;
    std::map<int, std::string> own_split;  // own work per call, by its place in the round
    // tapd's own work per call: its profile without the kernel's calls (TAPD_PROFILE's "own").
    std::map<std::string, std::map<int, double>> own;
    std::map<int, long> rss_ready, rss_after, rss_after_start;
    std::map<int, int> failed;
    int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (home < 0) {
        std::perror("scale_bench: open /proc/self/ns/net");
        return 1;
    }
    // Every n's hosts at once, so that their rounds can take turns.
    std::vector<std::unique_ptr<Phase>> phases;
    for (int n : ns) {
        phases.push_back(populate(n));
        Phase& ph = *phases.back();
        settle(*ph.env);  // the kernel's notifications about n new taps, the compaction
        rss_ready[n] = rss_kib(ph.env->tapd_pid());
        ph.heap_populated = last_heap(ph.env->tapd_log());
        ph.log_from = ph.env->tapd_log().size();
    }
    // Interleaved rounds: each way, and each n, sees the same machine conditions. The n's take
    // turns round by round, each round starting one further along, so that no n always follows
    // the same one. Each turn ends once its tapd is idle again (settle): one n's after-call
    // work does not run during another n's calls.
    for (int i = 0; i < rounds; ++i) {
        for (size_t k = 0; k < phases.size(); ++k) {
            Phase& ph = *phases[(k + static_cast<size_t>(i)) % phases.size()];
            int n = ph.n;
            Env& env = *ph.env;
            enter(ph.seed);
            // One CreateTap and one DeleteTap by D-Bus, timed (a failed create is counted).
            auto calls = [&] {
                s["CreateTap (D-Bus call)"][n].ms.push_back(time_ms([&] {
                    try {
                        ph.client->create_tap(spec_of(ph.m));
                    } catch (const std::exception& e) {
                        ++failed[n];
                        std::fprintf(stderr, "CreateTap: %s\n", e.what());
                    }
                }));
                s["DeleteTap (D-Bus call)"][n].ms.push_back(
                    time_ms([&] { ph.client->delete_tap(ph.m.name); }));
            };
            if (calls_only > 0) {
                for (int j = 0; j < calls_only; ++j) calls();
                settle(env);
                continue;
            }
            s["seed script: create"][n].ms.push_back(time_ms([&] {
                must(run({"bash", env.dir() + "/setup.sh"}), "setup.sh");
            }));
            s["seed script: delete"][n].ms.push_back(time_ms([&] {
                must(run({"bash", env.dir() + "/teardown.sh"}), "teardown.sh");
            }));
            calls();
            s["tapctl create (process)"][n].ms.push_back(
                time_ms([&] { must(run(ph.tapctl_create), "tapctl create"); }));
            s["tapctl delete (process)"][n].ms.push_back(
                time_ms([&] { must(run(ph.tapctl_delete), "tapctl delete"); }));
            s["tapctl list --all (process)"][n].ms.push_back(
                time_ms([&] { must(run(ph.tapctl_list), "tapctl list --all"); }));
            settle(env);
        }
    }
    // Each n's profile and RSS after the rounds; then its tapd stops, so that no other n's
    // tapd is running while one n's starts are measured.
    for (auto& phase : phases) {
        Phase& ph = *phase;
        int n = ph.n;
        Env& env = *ph.env;
        const Plan& m = ph.m;
        std::string log = env.tapd_log().substr(ph.log_from);
        for (const char* call : {"CreateTap", "DeleteTap"}) {
            auto steps =
                tapd::bench::profile_steps(log, std::string("profile: ") + call + " " + m.name);
            if (!steps.steps.count("own")) continue;
            own[call][n] = steps.steps["own"].median();
            // Each round calls twice: by D-Bus after this n's seed commands (which follow the
            // previous n's turn), then by tapctl right after the D-Bus delete.
            auto by_place = [](const Stats& all) {
                std::pair<Stats, Stats> out;
                for (size_t i = 0; i < all.ms.size(); ++i)
                    (i % 2 ? out.second : out.first).ms.push_back(all.ms[i]);
                return out;
            };
            if (calls_only > 0) continue;  // every call follows the same
            auto [first, second] = by_place(steps.steps["own"]);
            auto [faults_first, faults_second] = by_place(steps.counts["page faults"]);
            char buf[300];
            std::snprintf(buf, sizeof buf,
                          "%s own, first call of a round %.3f (%.3f-%.3f) ms, %.0f page faults; "
                          "second %.3f (%.3f-%.3f) ms, %.0f page faults",
                          call, first.median(), first.min(), first.p90(), faults_first.median(),
                          second.median(), second.min(), second.p90(), faults_second.median());
            own_split[n] += std::string("\n  ") + buf;
        }
        profiles[n] = "  after populating: " + ph.heap_populated + "\n  " +
                      profile(log, "CreateTap " + m.name) + "\n  " +
                      profile(log, "DeleteTap " + m.name) + own_split[n];
        for (const char* call : {"CreateTap", "DeleteTap"}) {
            std::string tag = std::string(call) + " " + m.name;
            auto steps = tapd::bench::profile_steps(log, "profile own: " + tag);
            profiles[n] += "\n  " + tag + ", each step's own work:" + steps.medians();
        }
        // tapd's work between the calls (it delays a call that arrives meanwhile).
        for (const char* work : {"findings", "table check inet tapd", "compact state"})
            if (log.find(std::string("profile: ") + work) != std::string::npos)
                profiles[n] += "\n  between calls: " + profile(log, work);
        rss_after[n] = rss_kib(env.tapd_pid());  // at rest: its last turn settled
        profiles[n] += "\n  after the rounds: " + last_heap(env.tapd_log());
        env.stop_tapd(SIGKILL);  // its taps stay
    }
    for (auto& phase : phases) {
        Phase& ph = *phase;
        int n = ph.n;
        Env& env = *ph.env;
        // Start-to-ready with n taps to adopt: tapd killed (its taps stay), started again.
        size_t starts_from = env.tapd_log().size();
        for (int i = 0; i < std::max(3, rounds / 4); ++i) {
            env.stop_tapd(SIGKILL);
            s["tapd start to ready (adopting n taps)"][n].ms.push_back(
                time_ms([&] { env.start_tapd({"TAPD_PROFILE=1"}); }));
        }
        // Exec to ready, interleaved with an older tapd (TAPD_OLD=PATH) on the same taps.
        env.stop_tapd(SIGKILL);
        for (int i = 0; i < std::max(3, rounds / 4); ++i) {
            Start start = exec_to_ready(env, tapd_bin());
            s["tapd exec to ready (adopting n taps)"][n].ms.push_back(start.ms);
            s["tapd RSS 500 ms after ready, MiB"][n].ms.push_back(start.rss_kib / 1024.0);
            if (!old_tapd) continue;
            start = exec_to_ready(env, old_tapd);
            s["old tapd exec to ready (adopting n taps)"][n].ms.push_back(start.ms);
            s["old tapd RSS 500 ms after ready, MiB"][n].ms.push_back(start.rss_kib / 1024.0);
        }
        env.start_tapd({"TAPD_PROFILE=1"});
        std::string starts = env.tapd_log().substr(starts_from);
        profiles[n] += "\n  " + profile(starts, "start") + "\n  " +
                       profile(starts, "service start") + "\n  " + profile(starts, "reconcile") +
                       "\n  " + profile(starts, "table rebuild");
        rss_after_start[n] = rss_at_rest(env);
        profiles[n] += "\n  after the start: " + last_heap(env.tapd_log());
        for (int i = 0; i < n; ++i) ph.client->delete_tap(plan("s", i).name);
        enter(home);
        close(ph.seed);
        env.stop_tapd();
        run({"umount", ph.state});
        ph.client.reset();
        ph.env.reset();  // its bus and namespaces go now
    }
    close(home);
    phases.clear();

    std::printf("| operation |");
    for (int n : ns) std::printf(" n=%d median ms (min–p90) |", n);
    std::printf("\n|---|");
    for (size_t i = 0; i < ns.size(); ++i) std::printf("---:|");
    std::printf("\n");
    for (const char* k :
         {"seed script: create", "CreateTap (D-Bus call)", "tapctl create (process)",
          "seed script: delete", "DeleteTap (D-Bus call)", "tapctl delete (process)",
          "tapctl list --all (process)", "tapd start to ready (adopting n taps)",
          "tapd exec to ready (adopting n taps)", "old tapd exec to ready (adopting n taps)",
          "tapd RSS 500 ms after ready, MiB", "old tapd RSS 500 ms after ready, MiB"}) {
        if (s[k].empty() || s[k][ns.front()].ms.empty()) continue;
        std::printf("| %s |", k);
        for (int n : ns)
            std::printf(" %.2f (%.2f–%.2f) |", s[k][n].median(), s[k][n].min(), s[k][n].p90());
        std::printf("\n");
    }
    std::printf("\n");
    for (int n : ns) {
        char seed[128] = "";
        if (calls_only == 0)
            std::snprintf(
                seed, sizeof seed,
                " seed create / CreateTap = %.1fx, seed delete / DeleteTap = %.1fx;",
                s["seed script: create"][n].median() / s["CreateTap (D-Bus call)"][n].median(),
                s["seed script: delete"][n].median() / s["DeleteTap (D-Bus call)"][n].median());
        std::printf(
            "n=%d:%s tapd RSS %ld KiB after populating, %ld KiB after the rounds, %ld KiB after a "
            "start adopting them; failed creates: %d\n%s\n",
            n, seed, rss_ready[n], rss_after[n], rss_after_start[n], failed[n],
            profiles[n].c_str());
    }
    if (ns.size() > 1)
        std::printf("CreateTap n=%d / n=%d = %.2fx\n", ns.back(), ns.front(),
                    s["CreateTap (D-Bus call)"][ns.back()].median() /
                        s["CreateTap (D-Bus call)"][ns.front()].median());
    for (const char* call : {"CreateTap", "DeleteTap"}) {
        if (own[call].empty()) continue;
        std::printf("%s, tapd's own work (its profile without the kernel's calls), median ms:",
                    call);
        for (int n : ns) std::printf(" n=%d %.3f", n, own[call][n]);
        if (ns.size() > 1 && own[call][ns.front()] > 0)
            std::printf(" (n=%d / n=%d = %.2fx)", ns.back(), ns.front(),
                        own[call][ns.back()] / own[call][ns.front()]);
        std::printf("\n");
    }
    std::printf("rounds: %d\n", rounds);
    return 0;
}
