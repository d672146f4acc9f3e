// tapctl: command-line client of tapd (create, delete, list, show, exec, policy, sniff, capture,
// read), built on libtapd.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client.hpp"
#ifdef TAPCTL_HAVE_PACKETS
#include "packet_cli.hpp"
#endif

namespace {

const char* kUsage = R"(Usage: tapctl [--bus-address ADDR] COMMAND [ARGS]

Asks tapd (the net.tapd1 service) to create and hand out tap interfaces, so that an
unprivileged user can run a user-space network stack, a VM or a sniffer.

Commands:
  create NAME [OPTIONS]       create a tap; persistent unless --ephemeral (see below)
  delete NAME                 delete a tap of yours and everything created with it
  list [--all] [--json]       your taps (--all: every user's, root only)
  show NAME [--json]          one tap's addresses, routes and flags
  exec NAME [OPTIONS] [--fd N] -- PROGRAM [ARGS...]
                              run PROGRAM with an fd attached to the tap (its number in
                              $TAPD_FD, the tap's name in $TAPD_IFNAME). If NAME does not exist
                              it is created for the run only, with OPTIONS, and deleted after.
  cleanup [--all]             delete all your taps (--all: every tap tapd owns, root only)
  policy [--json]             what tapd allows you
  sniff NAME [-c COUNT] [-v] [--json]
                              decode the tap's frames live (one line each; -v: every field)
  capture NAME -w FILE [-c COUNT]
                              write the tap's frames to FILE (.pcap or .pcapng)
  read FILE [-v] [--json]     decode a pcap/pcapng file, same output as sniff

Create options (create and exec):
  --address ADDR/PLEN         an address on the tap, IPv4 or IPv6 (repeatable)
  --route PREFIX/PLEN         a route through the tap (repeatable)
  --masquerade                NAT the tap's IPv4 subnet to the host's uplinks (ip_forward on
                              while needed, restored after)
  --ephemeral                 (create) keep the tap only while tapctl runs; Ctrl-C deletes it
  --mtu N                     link MTU (68-65521)
  --mac aa:bb:cc:dd:ee:ff     link MAC address
  --owner-access              make you the tun owner, so programs that open the tap by name
                              (e.g. smoltcp's examples) work unchanged
  --vnet-hdr, --multi-queue   tun flags IFF_VNET_HDR, IFF_MULTI_QUEUE

Global options:
  --bus-address ADDR          talk to tapd on this bus (default: the system bus)
  -h, --help                  this help;  --version  the version

Example (the classic tap + NAT setup in one call):
  tapctl create tap0 --address 192.168.69.100/24 --address fe80::100/64 \
      --address fdaa::100/64 --route fe80::/64 --route fdaa::/64 --masquerade
  tapctl exec tap0 -- ./my-stack
)";

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Walks the arguments of one command.
class Args {
  public:
    Args(std::vector<std::string> v) : v_(std::move(v)) {}
    bool done() const { return i_ >= v_.size(); }
    const std::string& peek() const { return v_[i_]; }
    std::string next() { return v_[i_++]; }
    std::string value(const std::string& opt) {
        if (done()) throw UsageError(opt + " needs a value");
        return next();
    }
    std::vector<std::string> rest() { return {v_.begin() + static_cast<long>(i_), v_.end()}; }

  private:
    std::vector<std::string> v_;
    size_t i_ = 0;
};

unsigned long parse_number(const std::string& opt, const std::string& text, unsigned long max) {
    char* end = nullptr;
    errno = 0;
    unsigned long n = std::strtoul(text.c_str(), &end, 10);
    if (text.empty() || *end || errno || n > max || text[0] == '-')
        throw UsageError(opt + ": '" + text + "' is not a number from 0 to " + std::to_string(max));
    return n;
}

// Parses one create option at the front of ARGS into SPEC; false if it is not one.
bool parse_create_option(Args& args, tapd::TapSpec& spec) {
    const std::string& a = args.peek();
    if (a == "--address") {
        args.next();
        spec.addresses.push_back(args.value("--address"));
    } else if (a == "--route") {
        args.next();
        spec.routes.push_back(args.value("--route"));
    } else if (a == "--masquerade") {
        args.next();
        spec.masquerade = true;
    } else if (a == "--mtu") {
        args.next();
        spec.mtu = static_cast<uint32_t>(parse_number("--mtu", args.value("--mtu"), 65535));
    } else if (a == "--mac") {
        args.next();
        spec.mac = args.value("--mac");
    } else if (a == "--owner-access") {
        args.next();
        spec.owner_access = true;
    } else if (a == "--vnet-hdr") {
        args.next();
        spec.vnet_hdr = true;
    } else if (a == "--multi-queue") {
        args.next();
        spec.multi_queue = true;
    } else {
        return false;
    }
    return true;
}

// The bus connection, made when a command has parsed its arguments: a usage error is reported
// as one even where tapd cannot be reached.
struct Connect {
    std::string address;
    std::unique_ptr<tapd::Client> client;
    tapd::Client& operator()() {
        if (!client) client = std::make_unique<tapd::Client>(address);
        return *client;
    }
};

// Reads the rest of ARGS as on/off flags (e.g. {"--json", &json}); anything else is refused.
void parse_flags(Args& args, const char* command,
                 std::initializer_list<std::pair<const char*, bool*>> flags) {
    while (!args.done()) {
        std::string a = args.next();
        bool known = false;
        for (const auto& [flag, value] : flags)
            if (a == flag) known = *value = true;
        if (!known) throw UsageError(std::string(command) + ": unknown option '" + a + "'");
    }
}

std::string need_name(Args& args, const char* command) {
    if (args.done() || args.peek().rfind("-", 0) == 0)
        throw UsageError(std::string(command) + " needs a tap NAME");
    return args.next();
}

nlohmann::json to_json(const tapd::TapInfo& t) {
    return {{"name", t.name},
            {"index", t.index},
            {"owner_uid", t.owner_uid},
            {"addresses", t.addresses},
            {"routes", t.routes},
            {"masquerade", t.masquerade},
            {"persistent", t.persistent},
            {"mtu", t.mtu},
            {"mac", t.mac},
            {"path", t.path}};
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
    return out.empty() ? "-" : out;
}

void print_info(const tapd::TapInfo& t) {
    std::printf("%s: index %u owner %u mtu %u mac %s%s%s\n", t.name.c_str(), t.index, t.owner_uid,
                t.mtu, t.mac.c_str(), t.persistent ? " persistent" : " ephemeral",
                t.masquerade ? " masquerade" : "");
    for (const auto& a : t.addresses) std::printf("  address %s\n", a.c_str());
    for (const auto& r : t.routes) std::printf("  route %s\n", r.c_str());
}

volatile sig_atomic_t g_child = 0;
volatile sig_atomic_t g_stop = 0;

void forward_signal(int sig) {
    if (g_child > 0) ::kill(g_child, sig);
}

void note_stop(int) {
    g_stop = 1;
}

int cmd_create(Connect& connect, Args& args) {
    tapd::TapSpec spec;
    spec.name = need_name(args, "create");
    bool ephemeral = false;
    while (!args.done()) {
        if (parse_create_option(args, spec)) continue;
        std::string a = args.next();
        if (a == "--ephemeral")
            ephemeral = true;
        else if (a == "--persistent")
            ephemeral = false;
        else
            throw UsageError("create: unknown option '" + a + "'");
    }
    spec.persistent = !ephemeral;
    tapd::Client& c = connect();
    if (!ephemeral) {
        c.create_tap(spec);
        std::printf("created %s (persistent: 'tapctl delete %s' removes it)\n", spec.name.c_str(),
                    spec.name.c_str());
        return 0;
    }
    // An ephemeral tap is a lease on this process's bus connection: stay until a signal.
    struct sigaction sa {};
    sa.sa_handler = note_stop;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);
    c.create_tap(spec);
    std::printf("created %s; it lives until this command stops (Ctrl-C)\n", spec.name.c_str());
    std::fflush(stdout);
    while (!g_stop) ::pause();
    c.delete_tap(spec.name);
    return 0;
}

int cmd_exec(Connect& connect, Args& args) {
    tapd::TapSpec spec;
    spec.name = need_name(args, "exec");
    int target_fd = -1;
    bool have_create_options = false;
    while (!args.done() && args.peek() != "--") {
        if (parse_create_option(args, spec)) {
            have_create_options = true;
            continue;
        }
        std::string a = args.next();
        if (a == "--fd")
            target_fd = static_cast<int>(parse_number("--fd", args.value("--fd"), 1023));
        else
            throw UsageError("exec: unknown option '" + a + "' (the program goes after --)");
    }
    if (args.done()) throw UsageError("exec: missing '-- PROGRAM [ARGS...]'");
    args.next();  // "--"
    std::vector<std::string> program = args.rest();
    if (program.empty()) throw UsageError("exec: missing PROGRAM after --");
    if (target_fd >= 0 && target_fd <= 2) throw UsageError("exec: --fd must not be 0, 1 or 2");

    tapd::Client& c = connect();
    bool created = false;
    if (!c.has_tap(spec.name)) {
        spec.persistent = false;  // a lease on this process: gone when the run ends
        c.create_tap(spec);
        created = true;
    } else if (have_create_options) {
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
        if (target_fd >= 0 && target_fd != fdnum) {
            if (::dup2(fdnum, target_fd) < 0) _exit(127);  // dup2 clears O_CLOEXEC on the copy
            fdnum = target_fd;
        } else {
            ::fcntl(fdnum, F_SETFD, 0);  // keep the tap fd across exec
        }
        ::setenv("TAPD_FD", std::to_string(fdnum).c_str(), 1);
        ::setenv("TAPD_IFNAME", spec.name.c_str(), 1);
        std::vector<char*> argv;
        for (auto& s : program) argv.push_back(s.data());
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

int cmd_list(Connect& connect, Args& args) {
    bool json = false, all = false;
    parse_flags(args, "list", {{"--json", &json}, {"--all", &all}});
    tapd::Client& c = connect();
    auto taps = all ? c.list_all() : c.list();
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& t : taps) out.push_back(to_json(t));
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    if (taps.empty()) {
        std::printf("no taps\n");
        return 0;
    }
    std::printf("%-15s %6s %6s %-10s %-11s %s\n", "NAME", "INDEX", "OWNER", "LIFETIME",
                "MASQUERADE", "ADDRESSES / ROUTES");
    for (const auto& t : taps)
        std::printf("%-15s %6u %6u %-10s %-11s %s / %s\n", t.name.c_str(), t.index, t.owner_uid,
                    t.persistent ? "persistent" : "ephemeral", t.masquerade ? "yes" : "no",
                    join(t.addresses).c_str(), join(t.routes).c_str());
    return 0;
}

int cmd_show(Connect& connect, Args& args) {
    std::string name = need_name(args, "show");
    bool json = false;
    parse_flags(args, "show", {{"--json", &json}});
    auto t = connect().show(name);
    if (json)
        std::cout << to_json(t).dump(2) << "\n";
    else
        print_info(t);
    return 0;
}

int cmd_delete(Connect& connect, Args& args) {
    std::string name = need_name(args, "delete");
    if (!args.done()) throw UsageError("delete: unexpected argument '" + args.peek() + "'");
    connect().delete_tap(name);
    std::printf("deleted %s\n", name.c_str());
    return 0;
}

int cmd_cleanup(Connect& connect, Args& args) {
    bool all = false;
    parse_flags(args, "cleanup", {{"--all", &all}});
    auto names = connect().cleanup(all);
    if (names.empty()) std::printf("nothing to delete\n");
    for (const auto& n : names) std::printf("deleted %s\n", n.c_str());
    return 0;
}

int cmd_policy(Connect& connect, Args& args) {
    bool json = false;
    parse_flags(args, "policy", {{"--json", &json}});
    auto p = connect().policy();
    if (json) {
        std::cout << nlohmann::json(p).dump(2) << "\n";
        return 0;
    }
    for (const auto& [k, v] : p) std::printf("%-18s %s\n", k.c_str(), v.c_str());
    return 0;
}

#ifdef TAPCTL_HAVE_PACKETS
tapd::cli::DecodeOptions parse_decode(Args& args, const char* command, std::string* write_to) {
    tapd::cli::DecodeOptions o;
    while (!args.done()) {
        std::string a = args.next();
        if (a == "-v" && !write_to)
            o.verbose = true;
        else if (a == "--json" && !write_to)
            o.json = true;
        else if (a == "-c")
            o.count = static_cast<long>(parse_number("-c", args.value("-c"), 1UL << 40));
        else if (a == "-w" && write_to)
            *write_to = args.value("-w");
        else
            throw UsageError(std::string(command) + ": unknown option '" + a + "'");
    }
    return o;
}

int cmd_sniff(Connect& connect, Args& args) {
    std::string name = need_name(args, "sniff");
    auto o = parse_decode(args, "sniff", nullptr);
    // A capture stream from tapd, not the tap fd: a tap another program holds can be sniffed.
    auto fd = connect().open_capture(name);
    return tapd::cli::print_frames_from_pcap_fd(fd.get(), o);
}

int cmd_capture(Connect& connect, Args& args) {
    std::string name = need_name(args, "capture");
    std::string file;
    auto o = parse_decode(args, "capture", &file);
    if (file.empty()) throw UsageError("capture: -w FILE is required");
    auto fd = connect().open_capture(name);
    return tapd::cli::capture_pcap_fd_to_file(fd.get(), file, o.count);
}
#endif

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> all(argv + 1, argv + argc);
    Args args(all);
    std::string bus_address;
    try {
        while (!args.done() && args.peek().rfind("-", 0) == 0) {
            std::string a = args.next();
            if (a == "-h" || a == "--help") {
                std::fputs(kUsage, stdout);
                return 0;
            } else if (a == "--version") {
                std::printf("tapctl %s\n", TAPD_VERSION);
                return 0;
            } else if (a == "--bus-address") {
                bus_address = args.value("--bus-address");
            } else {
                throw UsageError("unknown option '" + a + "'");
            }
        }
        if (args.done()) throw UsageError("missing COMMAND");
        std::string command = args.next();
        if (command == "help") {
            std::fputs(kUsage, stdout);
            return 0;
        }
#ifdef TAPCTL_HAVE_PACKETS
        if (command == "read") {
            if (args.done()) throw UsageError("read needs a FILE");
            std::string file = args.next();
            auto o = parse_decode(args, "read", nullptr);
            return tapd::cli::print_file(file, o);
        }
#endif
        using Handler = int (*)(Connect&, Args&);
        static const std::pair<const char*, Handler> kCommands[] = {
            {"create", cmd_create},   {"delete", cmd_delete},   {"list", cmd_list},
            {"show", cmd_show},       {"exec", cmd_exec},       {"policy", cmd_policy},
            {"cleanup", cmd_cleanup},
#ifdef TAPCTL_HAVE_PACKETS
            {"sniff", cmd_sniff},     {"capture", cmd_capture},
#endif
        };
        for (const auto& [name, handler] : kCommands) {
            if (command != name) continue;
            Connect connect{bus_address, nullptr};
            return handler(connect, args);
        }
        throw UsageError("unknown command '" + command + "'");
    } catch (const UsageError& e) {
        std::fprintf(stderr, "tapctl: %s (see tapctl --help)\n", e.what());
        return 2;
    } catch (const tapd::ClientError& e) {
        // The short form of the D-Bus error name tells the kind: PermissionDenied, Conflict, ...
        std::string kind = e.name().substr(e.name().rfind('.') + 1);
        std::fprintf(stderr, "tapctl: %s: %s\n", kind.c_str(), e.message().c_str());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tapctl: %s\n", e.what());
        return 1;
    }
}
