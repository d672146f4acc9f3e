// The commands on whole taps: create, delete, list, show, exec, cleanup.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "output.hpp"

namespace tapd::tapctl {

namespace {

volatile sig_atomic_t g_child = 0;
volatile sig_atomic_t g_stop = 0;

void forward_signal(int sig) {
    if (g_child > 0) ::kill(g_child, sig);
}

void note_stop(int) {
    g_stop = 1;
}

}  // namespace

int cmd_create(Invocation& inv) {
    tapd::TapSpec spec = inv.spec;
    spec.name = need_name(inv);
    no_more_operands(inv, 1);
    spec.persistent = !inv.ephemeral;
    tapd::Client& c = inv.bus();
    if (!inv.ephemeral) {
        c.create_tap(spec);
        std::printf("created %s (persistent: 'tapctl delete %s' removes it)\n", spec.name.c_str(),
                    spec.name.c_str());
        return 0;
    }
    // An ephemeral tap is a lease on this process's bus connection: stay until a signal. The
    // signals wait (blocked) while the create call runs: a Ctrl-C then would interrupt sd-bus's
    // poll and fail the call (EINTR) with the tap already made; instead it ends the wait below.
    struct sigaction sa {};
    sa.sa_handler = note_stop;
    sigset_t stops, before;
    sigemptyset(&stops);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
        sigaction(sig, &sa, nullptr);
        sigaddset(&stops, sig);
    }
    sigprocmask(SIG_BLOCK, &stops, &before);
    c.create_tap(spec);
    std::printf("created %s; it lives until this command stops (Ctrl-C)\n", spec.name.c_str());
    std::fflush(stdout);
    while (!g_stop) ::sigsuspend(&before);
    sigprocmask(SIG_SETMASK, &before, nullptr);
    c.delete_tap(spec.name);
    return 0;
}

int cmd_exec(Invocation& inv) {
    tapd::TapSpec spec = inv.spec;
    spec.name = need_name(inv);
    no_more_operands(inv, 1);
    if (!inv.program_given) throw UsageError("exec: missing '-- PROGRAM [ARGS...]'");
    if (inv.program.empty()) throw UsageError("exec: missing PROGRAM after --");
    if (inv.fd >= 0 && inv.fd <= 2) throw UsageError("exec: --fd must not be 0, 1 or 2");

    tapd::Client& c = inv.bus();
    bool created = false;
    if (!c.has_tap(spec.name)) {
        spec.persistent = false;  // a lease on this process: gone when the run ends
        c.create_tap(spec);
        created = true;
    } else if (inv.create_options) {
        throw UsageError("exec: tap '" + spec.name +
                         "' exists already; create options apply only to a new tap");
    }
    tapd::UniqueFd fd;
    try {
        fd = c.open_tap(spec.name);
    } catch (...) {
        if (created) c.delete_tap(spec.name);
        throw;
    }

    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        int fdnum = fd.get();
        if (inv.fd >= 0 && inv.fd != fdnum) {
            if (::dup2(fdnum, inv.fd) < 0) _exit(127);  // dup2 clears O_CLOEXEC on the copy
            fdnum = inv.fd;
        } else {
            ::fcntl(fdnum, F_SETFD, 0);  // keep the tap fd across exec
        }
        ::setenv("TAPD_FD", std::to_string(fdnum).c_str(), 1);
        ::setenv("TAPD_IFNAME", spec.name.c_str(), 1);
        std::vector<char*> argv;
        for (auto& s : inv.program) argv.push_back(s.data());
        argv.push_back(nullptr);
        ::execvp(argv[0], argv.data());
        std::fprintf(stderr, "tapctl: exec %s: %s\n", argv[0], std::strerror(errno));
        _exit(127);
    }
    fd.reset();  // only the child holds the tap; the parent keeps the lease (bus connection)
    g_child = pid;
    struct sigaction sa {};
    sa.sa_handler = forward_signal;
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2})
        sigaction(sig, &sa, nullptr);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (created) {
        try {
            c.delete_tap(spec.name);
        } catch (const tapd::ClientError& e) {
            std::fprintf(stderr, "tapctl: deleting %s: %s\n", spec.name.c_str(),
                         e.message().c_str());
        }
    }
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

int cmd_list(Invocation& inv) {
    no_more_operands(inv, 0);
    tapd::Client& c = inv.bus();
    auto taps = inv.all ? c.list_all() : c.list();
    if (inv.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& t : taps) out.push_back(to_json(t));
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    print_table(taps);
    return 0;
}

int cmd_show(Invocation& inv) {
    std::string name = need_name(inv);
    no_more_operands(inv, 1);
    auto t = inv.bus().show(name);
    if (inv.json)
        std::cout << to_json(t).dump(2) << "\n";
    else
        print_info(t);
    return 0;
}

int cmd_delete(Invocation& inv) {
    std::string name = need_name(inv);
    no_more_operands(inv, 1);
    inv.bus().delete_tap(name);
    std::printf("deleted %s\n", name.c_str());
    return 0;
}

int cmd_cleanup(Invocation& inv) {
    no_more_operands(inv, 0);
    auto names = inv.bus().cleanup(inv.all);
    if (names.empty()) std::printf("nothing to delete\n");
    for (const auto& n : names) std::printf("deleted %s\n", n.c_str());
    return 0;
}

}  // namespace tapd::tapctl
