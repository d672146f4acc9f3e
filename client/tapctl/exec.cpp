// tapctl exec: run a program with the tap's fd(s), keeping the tap's lease while it runs.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "commands.hpp"

namespace tapd::tapctl {

namespace {

volatile sig_atomic_t g_child = 0;

void forward_signal(int sig) {
    if (g_child > 0) ::kill(g_child, sig);
}

// The fds to hand PROGRAM: QUEUES of them (OpenTapQueues), or one (OpenTap).
std::vector<tapd::UniqueFd> open_fds(tapd::Client& c, const Invocation& inv,
                                     const std::string& name) {
    if (inv.queues < 0) {
        std::vector<tapd::UniqueFd> one;
        one.push_back(c.open_tap(name, inv.open));
        return one;
    }
    return c.open_tap_queues(name, static_cast<uint32_t>(inv.queues), inv.open);
}

// In the child, before exec: puts FDS at START, START+1, ... without O_CLOEXEC (START < 0: one
// fd stays where it is). Each is first moved above the target range, so that no dup2() closes
// a source not yet placed. Returns their numbers as $TAPD_FDS gives them ("3:4:5"), "" on error.
std::string place_fds(const std::vector<tapd::UniqueFd>& fds, int start) {
    if (start < 0) {
        if (::fcntl(fds[0].get(), F_SETFD, 0) < 0) return "";
        return std::to_string(fds[0].get());
    }
    int end = start + static_cast<int>(fds.size());
    std::vector<int> moved;
    for (const auto& fd : fds) {
        int m = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, end);  // closed by the exec
        if (m < 0) return "";
        moved.push_back(m);
    }
    std::string numbers;
    for (size_t i = 0; i < moved.size(); ++i) {
        int target = start + static_cast<int>(i);
        if (::dup2(moved[i], target) < 0) return "";  // dup2 clears O_CLOEXEC on the copy
        numbers += (i ? ":" : "") + std::to_string(target);
    }
    return numbers;
}

}  // namespace

int cmd_exec(Invocation& inv) {
    tapd::TapSpec spec = inv.spec;
    spec.name = need_name(inv);
    no_more_operands(inv, 1);
    if (!inv.program_given) throw UsageError("exec: missing '-- PROGRAM [ARGS...]'");
    if (inv.program.empty()) throw UsageError("exec: missing PROGRAM after --");
    if (inv.fd >= 0 && inv.fd <= 2) throw UsageError("exec: --fd must not be 0, 1 or 2");
    // With --queues the fds go to consecutive numbers: from --fd, or from 3.
    int start = inv.queues >= 0 && inv.fd < 0 ? 3 : inv.fd;
    if (inv.queues > 0 && start + inv.queues - 1 > 1023)
        throw UsageError("exec: --fd " + std::to_string(start) + " with --queues " +
                         std::to_string(inv.queues) + " goes past fd 1023");

    tapd::Client& c = inv.bus();
    bool created = false;
    if (!c.has_tap(spec.name)) {
        spec.persistent = false;  // a lease on this process: gone when the run ends
        // What the fds are asked for needs a tap that can give it.
        if (inv.queues > 1) spec.multi_queue = true;
        if (inv.open.offloads) spec.vnet_hdr = true;
        c.create_tap(spec);
        created = true;
    } else if (inv.create_options) {
        throw UsageError("exec: tap '" + spec.name +
                         "' exists already; create options apply only to a new tap");
    }
    std::vector<tapd::UniqueFd> fds;
    try {
        fds = open_fds(c, inv, spec.name);
    } catch (...) {
        if (created) c.delete_tap(spec.name);
        throw;
    }

    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        std::string numbers = place_fds(fds, start);
        if (numbers.empty()) _exit(127);
        ::setenv("TAPD_FD", numbers.substr(0, numbers.find(':')).c_str(), 1);
        ::setenv("TAPD_FDS", numbers.c_str(), 1);
        ::setenv("TAPD_IFNAME", spec.name.c_str(), 1);
        std::vector<char*> argv;
        for (auto& s : inv.program) argv.push_back(s.data());
        argv.push_back(nullptr);
        ::execvp(argv[0], argv.data());
        std::fprintf(stderr, "tapctl: exec %s: %s\n", argv[0], std::strerror(errno));
        _exit(127);
    }
    fds.clear();  // only the child holds the tap; the parent keeps the lease (bus connection)
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

}  // namespace tapd::tapctl
