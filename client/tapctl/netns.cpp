// tapctl netns: a network namespace of the caller's, linked to the host by tapd (AttachNamespace).
// tapd may not enter the namespace; a process of the caller's that can (its creator, or one
// that joins it through its owning user namespace) opens a NETLINK_ROUTE socket there and hands
// it over with the namespace's fd, and tapd configures the inside through that socket.
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.hpp"
#include "hold.hpp"

namespace tapd::tapctl {

namespace {

volatile sig_atomic_t g_child = 0;

void forward_signal(int sig) {
    if (g_child > 0) ::kill(g_child, sig);
}

std::runtime_error sys_error(const std::string& what) {
    return std::runtime_error(what + ": " + std::strerror(errno));
}

// Sends FDS (and one byte) over the socket SOCK; false on error.
bool send_fds(int sock, const std::vector<int>& fds) {
    char byte = 1;
    iovec iov{&byte, 1};
    std::vector<char> control(CMSG_SPACE(sizeof(int) * fds.size()));
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    return ::sendmsg(sock, &msg, MSG_NOSIGNAL) == 1;
}

// Receives COUNT fds sent by send_fds(); empty if the sender failed (it sent none).
std::vector<tapd::UniqueFd> receive_fds(int sock, size_t count) {
    char byte = 0;
    iovec iov{&byte, 1};
    std::vector<char> control(CMSG_SPACE(sizeof(int) * count));
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    std::vector<tapd::UniqueFd> out;
    if (::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1) return out;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < n; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            out.emplace_back(fd);
        }
    }
    if (out.size() != count) out.clear();
    return out;
}

// In a child: the namespace's fd and a NETLINK_ROUTE socket opened inside it, to SOCK.
bool send_namespace(int sock) {
    tapd::UniqueFd net(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
    tapd::UniqueFd nl(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!net || !nl) {
        std::fprintf(stderr, "tapctl: opening the namespace's netlink socket: %s\n",
                     std::strerror(errno));
        return false;
    }
    return send_fds(sock, {net.get(), nl.get()});
}

bool write_file(const std::string& path, const std::string& text) {
    tapd::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) return false;
    return ::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

// The child of netns run: a new user namespace in which the caller keeps its own uid and gid
// (setgroups denied, as an unprivileged map requires), with a new network namespace; sends its
// fds, waits for the parent's word, and execs PROGRAM (which, not root inside, keeps no
// capability across the exec).
[[noreturn]] void run_child(int sock, uid_t uid, gid_t gid, std::vector<std::string> program) {
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
        std::fprintf(stderr, "tapctl: unshare(CLONE_NEWUSER|CLONE_NEWNET): %s\n",
                     std::strerror(errno));
        _exit(127);
    }
    std::string u = std::to_string(uid), g = std::to_string(gid);
    if (!write_file("/proc/self/setgroups", "deny") ||
        !write_file("/proc/self/uid_map", u + " " + u + " 1\n") ||
        !write_file("/proc/self/gid_map", g + " " + g + " 1\n")) {
        std::fprintf(stderr, "tapctl: writing the user namespace's maps: %s\n",
                     std::strerror(errno));
        _exit(127);
    }
    if (!send_namespace(sock)) _exit(127);
    char go = 0;
    if (::read(sock, &go, 1) != 1 || go != 1) _exit(127);  // the parent reported why
    ::close(sock);
    std::vector<char*> argv;
    for (auto& s : program) argv.push_back(s.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    std::fprintf(stderr, "tapctl: exec %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
}

tapd::NamespaceSpec spec_of(const Invocation& inv) {
    tapd::NamespaceSpec s;
    s.name = inv.link_name.empty() ? "tapns" + std::to_string(::getpid()) : inv.link_name;
    s.peer_name = inv.peer_name;
    s.addresses = inv.spec.addresses;
    s.gateways = inv.gateways;
    s.masquerade = inv.spec.masquerade;
    s.mtu = inv.spec.mtu;
    return s;
}

int wait_child(pid_t pid) {
    g_child = pid;
    struct sigaction sa {};
    sa.sa_handler = forward_signal;
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2})
        sigaction(sig, &sa, nullptr);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

int netns_run(Invocation& inv) {
    no_more_operands(inv, 1);
    if (!inv.program_given) throw UsageError("netns run: missing '-- PROGRAM [ARGS...]'");
    if (inv.program.empty()) throw UsageError("netns run: missing PROGRAM after --");
    if (inv.lifetime_given)
        throw UsageError(
            "netns run: the link lives as long as PROGRAM's namespace, or this tapctl; "
            "--ephemeral and --persistent are for 'netns attach'");
    tapd::NamespaceSpec spec = spec_of(inv);
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
        throw sys_error("socketpair");
    tapd::UniqueFd mine(pair[0]), theirs(pair[1]);
    pid_t pid = ::fork();
    if (pid < 0) throw sys_error("fork");
    if (pid == 0) {
        mine.reset();
        run_child(theirs.release(), ::getuid(), ::getgid(), inv.program);
    }
    theirs.reset();
    auto fds = receive_fds(mine.get(), 2);
    if (fds.empty()) return wait_child(pid);  // the child said why
    try {
        spec.netlink = fds[1].get();
        inv.bus().attach_namespace(fds[0].get(), spec);
    } catch (...) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        throw;
    }
    fds.clear();
    char go = 1;
    if (::write(mine.get(), &go, 1) != 1) throw sys_error("starting PROGRAM");
    mine.reset();
    // The bus connection (the link's lease) stays open while PROGRAM runs; the link goes with
    // the namespace, or with this process.
    return wait_child(pid);
}

// The fds of the namespace of process PID (or of the nsfs PATH), and a netlink socket inside
// it: a child joins its owning user namespace (which its owner may) and then the namespace.
std::vector<tapd::UniqueFd> namespace_of(const std::string& target) {
    std::string path =
        target.find('/') == std::string::npos ? "/proc/" + target + "/ns/net" : target;
    tapd::UniqueFd net(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!net) throw sys_error("opening " + path);
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
        throw sys_error("socketpair");
    tapd::UniqueFd mine(pair[0]), theirs(pair[1]);
    pid_t pid = ::fork();
    if (pid < 0) throw sys_error("fork");
    if (pid == 0) {
        mine.reset();
        tapd::UniqueFd user(::ioctl(net.get(), NS_GET_USERNS));
        if (!user || ::setns(user.get(), CLONE_NEWUSER) < 0 ||
            ::setns(net.get(), CLONE_NEWNET) < 0) {
            _exit(1);
        }
        _exit(send_namespace(theirs.get()) ? 0 : 1);
    }
    theirs.reset();
    auto fds = receive_fds(mine.get(), 2);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    // Without a socket inside (the namespace is not the caller's to join), tapd still gets the
    // namespace: it is tapd that refuses it, saying why.
    std::vector<tapd::UniqueFd> out;
    out.push_back(std::move(net));  // the namespace's fd opened here is the one tapd checks
    if (!fds.empty()) out.push_back(std::move(fds[1]));
    return out;
}

int netns_attach(Invocation& inv) {
    const std::string& target = operand(inv, 1, "netns attach: missing PID or PATH");
    no_more_operands(inv, 2);
    if (inv.program_given) throw UsageError("netns attach: takes no PROGRAM");
    tapd::NamespaceSpec spec = spec_of(inv);
    if (inv.link_name.empty()) throw UsageError("netns attach: --name NAME is required");
    // Persistent by default: the namespace outlives this tapctl. --ephemeral: a lease on this
    // process's bus connection, held until a signal (or until the namespace dies first).
    spec.persistent = !inv.ephemeral;
    auto fds = namespace_of(target);
    if (fds.size() > 1) spec.netlink = fds[1].get();
    tapd::Client& c = inv.bus();
    if (!inv.ephemeral) {
        c.attach_namespace(fds[0].get(), spec);
        std::printf("%s\n", spec.name.c_str());
        return 0;
    }
    HoldSignals hold;  // as for create --ephemeral
    c.attach_namespace(fds[0].get(), spec);
    fds.clear();
    std::printf("attached %s; it lives until this command stops (Ctrl-C)\n", spec.name.c_str());
    std::fflush(stdout);
    hold.wait();
    // Closing the connection would end the lease too; deleting first makes it synchronous. The
    // namespace may have died meanwhile, taking the link: nothing is left to delete then.
    try {
        c.delete_tap(spec.name);
    } catch (const tapd::ClientError&) {
    }
    return 0;
}

}  // namespace

int cmd_netns(Invocation& inv) {
    const std::string& verb = operand(inv, 0, "netns: missing 'run' or 'attach'");
    if (verb == "run") return netns_run(inv);
    if (verb == "attach") return netns_attach(inv);
    throw UsageError("netns: unknown subcommand '" + verb + "' (run or attach)");
}

}  // namespace tapd::tapctl
