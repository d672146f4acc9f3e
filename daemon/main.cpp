// tapd: the root daemon on the system bus (net.tapd1) that creates taps for unprivileged users.
//
// Theory of operation: parse options → connect to the bus → drop to CAP_NET_ADMIN+CAP_NET_RAW →
// watch client disconnections → reconcile the kernel with the state file → own net.tapd1 → serve
// calls on one thread, with signals (SIGTERM/SIGINT: remove leases and exit 0) through a
// signalfd in the same poll loop.
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>

#include <sdbus-c++/sdbus-c++.h>

#include "callers.hpp"
#include "firewalld.hpp"
#include "heap.hpp"
#include "lease_watcher.hpp"
#include "log.hpp"
#include "manager_object.hpp"
#include "names.hpp"
#include "policy.hpp"
#include "policy_file.hpp"
#include "policy_in_force.hpp"
#include "privileges.hpp"
#include "profile.hpp"
#include "service.hpp"
#include "unique_fd.hpp"

#ifdef TAPD_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace {

struct Options {
    std::string bus_address;
    std::string policy = tapd::kDefaultPolicyPath;
    std::string state_dir = "/run/tapd";
    bool keep_privileges = false;
    std::optional<std::string> check_policy;  // --check-policy FILE: check it and exit
};

void usage(FILE* out) {
    std::fprintf(out,
                 "Usage: tapd [OPTIONS]\n"
                 "Root daemon that creates tap interfaces, addresses, routes and NAT for\n"
                 "unprivileged users, on the D-Bus system bus as net.tapd1.\n\n"
                 "Options:\n"
                 "  --bus-address ADDR  connect to this bus instead of the system bus\n"
                 "                      (default: $DBUS_SYSTEM_BUS_ADDRESS or the system bus)\n"
                 "  --policy FILE       policy file (default %s; none: only\n"
                 "                      root may do anything). Re-read on SIGHUP.\n"
                 "  --state-dir DIR     where tapd records what it created (default /run/tapd)\n"
                 "  --keep-privileges   do not drop capabilities (debugging only)\n"
                 "  --check-policy FILE check a policy file and exit: 0 and a summary if tapd\n"
                 "                      would accept it, 1 and the errors it would print at\n"
                 "                      start; needs neither root nor a bus\n"
                 "  --version           print the version and exit\n"
                 "  -h, --help          show this help\n",
                 tapd::kDefaultPolicyPath);
}

int parse_args(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](const char* name) -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "tapd: %s needs a value\n", name);
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "-h" || a == "--help") {
            usage(stdout);
            std::exit(0);
        } else if (a == "--version") {
            std::printf("tapd %s\n", TAPD_VERSION);
            std::exit(0);
        } else if (a == "--bus-address") {
            o.bus_address = value("--bus-address");
        } else if (a == "--policy") {
            o.policy = value("--policy");
        } else if (a == "--state-dir") {
            o.state_dir = value("--state-dir");
        } else if (a == "--keep-privileges") {
            o.keep_privileges = true;
        } else if (a == "--check-policy") {
            o.check_policy = value("--check-policy");
        } else {
            std::fprintf(stderr, "tapd: unknown option '%s' (see tapd --help)\n", a.c_str());
            return 2;
        }
    }
    return 0;
}

// tapd --check-policy FILE: reads FILE with the checks and messages of a start (owner, mode, size,
// FILE:LINE:COLUMN parse errors, user and group names resolved), as whoever runs it: no bus, no
// privileges, no state directory, nothing opened but FILE (and the user database, for names).
// A missing file is an error here, where a start would fall back to "root only".
int check_policy_file(const std::string& path) {
    auto p = tapd::Policy::load(path, tapd::LoadTime::Check);
    if (!p) {
        tapd::log::error("policy: " + p.error().message);
        return 1;
    }
    // The integrations only when the file turns one on (off is the default, and says nothing).
    const auto& in = p.value()->integrations;
    std::string integrations;
    if (in.docker) integrations = "docker";
    if (!in.firewalld_zone.empty())
        integrations +=
            (integrations.empty() ? "" : ", ") + ("firewalld_zone " + in.firewalld_zone);
    if (!integrations.empty()) integrations = "; integrations: " + integrations;
    std::printf("%s: ok: %zu rule%s; limits: captures %zu, raw_sockets %zu%s\n", path.c_str(),
                p.value()->rules.size(), p.value()->rules.size() == 1 ? "" : "s",
                p.value()->limits.captures, p.value()->limits.raw_sockets, integrations.c_str());
    return 0;
}

// True if the bus has work for tapd: a message read and queued by sd-bus (its timeout is then 0)
// or waiting on the socket, or output sd-bus could not write yet (it asks for POLLOUT).
bool bus_has_input(sdbus::IConnection& conn) {
    auto pd = conn.getEventLoopPollData();
    if (pd.events & POLLOUT) return true;
    if (auto rel = pd.getRelativeTimeout(); rel && rel->count() == 0) return true;
    pollfd p{pd.fd, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

}  // namespace

int main(int argc, char** argv) {
    Options opts;
    if (int rc = parse_args(argc, argv, opts)) return rc;
    if (opts.check_policy) return check_policy_file(*opts.check_policy);
    if (::geteuid() != 0) {
        std::fprintf(stderr,
                     "tapd: must be started as root (it drops to CAP_NET_ADMIN+CAP_NET_RAW)\n");
        return 1;
    }
    // sd-bus reads the system bus address from the environment.
    if (!opts.bus_address.empty()) ::setenv("DBUS_SYSTEM_BUS_ADDRESS", opts.bus_address.c_str(), 1);

    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    tapd::UniqueFd sigfd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!sigfd) {
        tapd::log::error(tapd::errno_text("signalfd", errno));
        return 1;
    }
    ::signal(SIGPIPE, SIG_IGN);

    tapd::StepClock start_clock("start");
    std::unique_ptr<sdbus::IConnection> conn;
    try {
        conn = sdbus::createSystemBusConnection();
    } catch (const sdbus::Error& e) {
        tapd::log::error("cannot connect to the system bus: " + e.getMessage());
        return 1;
    }
    if (!opts.keep_privileges) {
        auto mode = tapd::drop_privileges();
        if (!mode) {
            tapd::log::error("dropping privileges: " + mode.error().message);
            return 1;
        }
        tapd::log::info("running as " + mode.value());
    }

    start_clock.mark("bus+privileges");
    tapd::PolicyInForce policy_in_force;
    if (auto st = policy_in_force.load_at_start(opts.policy); !st) {
        tapd::log::error("policy: " + st.error().message);
        return 1;
    }
    auto policy = policy_in_force.get();
    tapd::log::info("policy: " + policy->source + " (" + std::to_string(policy->rules.size()) +
                    " rules)");

    start_clock.mark("policy");
    // Disconnections are watched before reconcile asks which lease holders are connected.
    std::unique_ptr<tapd::LeaseWatcher> leases;
    try {
        leases = std::make_unique<tapd::LeaseWatcher>(*conn);
    } catch (const sdbus::Error& e) {
        tapd::log::error("cannot watch bus clients: " + e.getMessage());
        return 1;
    }
    start_clock.mark("lease watcher");
    // One ListNames for every lease to check, not a round trip each (a holder that goes after
    // it is seen by the watcher, whose signal waits in the connection).
    auto connected = leases->connected();
    auto lease_alive = [&](const std::string& lease) {
        return connected ? connected->count(lease) > 0 : leases->alive(lease);
    };
    auto service = tapd::Service::start(opts.state_dir, policy_in_force, opts.policy, lease_alive);
    if (!service) {
        tapd::log::error("start failed: " + service.error().message);
        return 1;
    }
    start_clock.mark("service");
    // firewalld's zones for the taps (the policy's "integrations"), on tapd's own connection.
    try {
        service.value()->attach_firewalld(std::make_unique<tapd::FirewalldZones>(*conn, [&] {
            std::vector<std::string> names;
            for (const auto* r : service.value()->taps().sorted()) names.push_back(r->name);
            return names;
        }));
    } catch (const sdbus::Error& e) {
        tapd::log::error("cannot watch firewalld: " + e.getMessage() + "; integration off");
    }
    tapd::Callers callers;
    std::unique_ptr<tapd::ManagerObject> bus;
    try {
        bus = std::make_unique<tapd::ManagerObject>(*conn, *service.value(), callers);
        start_clock.mark("objects");
        conn->requestName(tapd::names::kBusName);
        start_clock.mark("name");
    } catch (const sdbus::Error& e) {
        tapd::log::error("cannot own " + std::string(tapd::names::kBusName) + ": " +
                         e.getMessage());
        return 1;
    }
    // Leases end when their holder disconnects (also one that went while tapd started). Only a
    // lease holder costs the bus a round trip, to confirm.
    leases->on_gone([&](const std::string& name) {
        callers.forget(name);
        if (service.value()->holds_lease(name) && !leases->alive(name))
            service.value()->client_gone(name);
    });
    start_clock.done();
    tapd::log::info(std::string("ready: bus name ") + tapd::names::kBusName +
                    " state=" + opts.state_dir + " policy=" + opts.policy);
#ifdef TAPD_HAVE_SYSTEMD
    sd_notify(0, "READY=1");
#endif

    // nf_tables notifications come in bursts (our own batches cause them too): check tapd's
    // table once, 50 ms after the first of a burst.
    constexpr long kTableCheckDelayMs = 50;
    long table_check_at = -1;
    long link_check_at = -1;  // a second look at new tun devices (Service::recheck_links)
    long compact_at = -1;     // Service::idle_work: the first findings, the state journal
    // Start-up, a listing of the ruleset, a burst of calls or a compaction leave freed heap in
    // the middle of the arena that glibc keeps resident; 100 ms after tapd was last woken, or
    // last did work on a timer, it goes back, with the Tap objects exported meanwhile.
    constexpr long kTrimDelayMs = 100;
    auto now_ms = [] {
        timespec ts{};
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
    };
    uint64_t watchdog_usec = 0;
#ifdef TAPD_HAVE_SYSTEMD
    if (sd_watchdog_enabled(0, &watchdog_usec) <= 0) watchdog_usec = 0;
#endif
    long next_watchdog = watchdog_usec ? now_ms() : -1;
    long trim_at = now_ms() + kTrimDelayMs;

    int exit_code = 0;
    bool running = true;
    // What a call leaves for after its reply (exporting a new tap's object, closing the fd that
    // created it) waits until tapd is next woken, or 1 ms: the reply reaches its caller while
    // tapd is idle instead of competing with that work for the CPUs. It always runs before the
    // next message is dispatched. Meanwhile the nf_tables notifications (tapd's own batch causes
    // some) wait in their socket, and a table check that falls due waits too: neither is urgent.
    constexpr long kAfterCallDelayMs = 1;
    bool after_due = false;
    long after_at = 0;
    while (running) {
        try {
            while (true) {
                if (after_due && (now_ms() >= after_at || bus_has_input(*conn))) {
                    bus->after_call();
                    if (size_t taps = bus->take_heap_churn()) tapd::consolidate_heap(taps);
                    after_due = false;
                }
                if (after_due || !conn->processPendingRequest()) break;
                after_due = true;
                compact_at = -1;  // a call: tapd is not idle
                after_at = now_ms() + kAfterCallDelayMs;
                trim_at = after_at + kTrimDelayMs;
                if (!bus_has_input(*conn)) break;
            }
        } catch (const sdbus::Error& e) {
            tapd::log::error("bus connection failed: " + e.getMessage() + "; exiting");
            exit_code = 1;
            break;
        }
        long now = now_ms();
        // Work done on a timer (no call or event woke tapd for it) leaves heap behind too: the
        // trim follows it as it follows a wake.
        bool timed_work = false;
        if (!after_due && table_check_at >= 0 && now >= table_check_at) {
            table_check_at = -1;
            service.value()->check_table();
            timed_work = true;
        }
        if (compact_at < 0)
            if (long in = service.value()->idle_work_in(); in >= 0) compact_at = now + in;
        if (!after_due && compact_at >= 0 && now >= compact_at) {
            compact_at = -1;
            service.value()->idle_work();
            timed_work = true;
        }
        if (!after_due && link_check_at >= 0 && now >= link_check_at) {
            link_check_at = -1;
            service.value()->recheck_links();
            bus->after_call();
            timed_work = true;
        }
        if (timed_work) trim_at = now_ms() + kTrimDelayMs;
        if (!after_due && trim_at >= 0 && now >= trim_at) {
            trim_at = -1;
            bus->drop_objects();
            tapd::release_free_heap();
        }
#ifdef TAPD_HAVE_SYSTEMD
        if (next_watchdog >= 0 && now >= next_watchdog) {
            sd_notify(0, "WATCHDOG=1");
            next_watchdog = now + static_cast<long>(watchdog_usec / 2000);
        }
#endif
        auto pd = conn->getEventLoopPollData();
        // While a call's after-work is due, only the bus and signals wake tapd (see
        // kAfterCallDelayMs); a streamer's exit (fds[4]) is reaped then, without any call.
        pollfd fds[6] = {{pd.fd, pd.events, 0},
                         {sigfd.get(), POLLIN, 0},
                         {service.value()->nft_events_fd(), POLLIN, 0},
                         {service.value()->link_events_fd(), POLLIN, 0},
                         {service.value()->capture_exits_fd(), POLLIN, 0},
                         {service.value()->prefix_events_fd(), POLLIN, 0}};
        long timeout = after_due ? std::max(0L, after_at - now) : -1;
        if (auto rel = pd.getRelativeTimeout()) {
            long bus_ms = (rel->count() + 999) / 1000;
            if (timeout < 0 || bus_ms < timeout) timeout = bus_ms;
        }
        for (long at : {after_due ? -1 : table_check_at, after_due ? -1 : link_check_at,
                        after_due ? -1 : compact_at, after_due ? -1 : trim_at, next_watchdog})
            if (at >= 0 && (timeout < 0 || at - now < timeout)) timeout = std::max(0L, at - now);
        int woken = ::poll(fds, after_due ? 2 : 6, static_cast<int>(timeout));
        if (woken < 0 && errno != EINTR) {
            tapd::log::error(tapd::errno_text("poll", errno));
            exit_code = 1;
            break;
        }
        if (woken > 0) trim_at = now_ms() + kTrimDelayMs;
        if (fds[0].revents & (POLLHUP | POLLERR)) {
            tapd::log::error("bus connection closed; exiting");
            exit_code = 1;
            running = false;
        }
        if ((fds[2].revents & POLLIN) && service.value()->nft_changed() && table_check_at < 0)
            table_check_at = now_ms() + kTableCheckDelayMs;
        if (fds[3].revents & POLLIN) {
            if (service.value()->links_changed() && link_check_at < 0)
                link_check_at = now_ms() + tapd::Service::kLinkRecheckDelayMs;
            // A revoked tap's object goes as after any call that deletes one.
            bus->after_call();
        }
        if (fds[4].revents & POLLIN) service.value()->reap_captures();
        // Address and route changes go into the conflict index between calls, not in the next
        // (POLLERR: an overrun, which the next read reports).
        if (fds[5].revents & (POLLIN | POLLERR)) service.value()->prefixes_changed();
        if (fds[1].revents & POLLIN) {
            signalfd_siginfo si{};
            while (::read(sigfd.get(), &si, sizeof si) == sizeof si) {
                if (si.ssi_signo == SIGHUP) {
                    auto st = policy_in_force.reload(opts.policy);
                    if (st) {
                        tapd::log::info("SIGHUP: policy reloaded from " + opts.policy + " (" +
                                        std::to_string(policy_in_force.get()->rules.size()) +
                                        " rules)");
                        service.value()->apply_integrations();
                    } else
                        tapd::log::error("SIGHUP: policy not reloaded, the old one stays: " +
                                         st.error().message);
                    continue;
                }
                tapd::log::info(std::string("stopping on ") +
                                strsignal(static_cast<int>(si.ssi_signo)));
                running = false;
            }
        }
    }
#ifdef TAPD_HAVE_SYSTEMD
    sd_notify(0, "STOPPING=1");
#endif
    // Leases end with tapd: their clients can no longer be watched.
    service.value()->shutdown();
    leases->on_gone({});
    bus.reset();
    tapd::log::info("stopped");
    return exit_code;
}
