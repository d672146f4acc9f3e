// tapctl: command-line client of tapd (create, delete, list, show, exec, cleanup, policy, addr,
// route, masquerade, sniff, capture, read), built on libtapd; GNU option conventions (getopt_long).
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "client.hpp"
#include "names.hpp"
#ifdef TAPCTL_HAVE_PACKETS
#include "packet_cli.hpp"
#endif

namespace {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// getopt_long's value of each option: its short letter where it has one, else from 256 up.
enum OptionId : int {
    kHelp = 'h',
    kCount = 'c',
    kVerbose = 'v',
    kWrite = 'w',
    kBusAddress = 256,
    kJson,
    kVersion,
    kAll,
    kAddress,
    kRoute,
    kMasquerade,
    kEphemeral,
    kPersistent,
    kMtu,
    kMac,
    kOwnerAccess,
    kVnetHdr,
    kMultiQueue,
    kFd,
};

struct OptionSpec {
    const char* name;  // the long name
    int id;
    const char* value;  // the value's name in the help, or nullptr for a flag
    const char* help;
};

const OptionSpec kOptionSpecs[] = {
    {"help", kHelp, nullptr, "show this help and exit"},
    {"version", kVersion, nullptr, "print tapctl's version and exit"},
    {"bus-address", kBusAddress, "ADDR", "talk to tapd on this bus (default: the system bus)"},
    {"json", kJson, nullptr, "typed JSON output (sniff, read: JSON Lines)"},
    {"all", kAll, nullptr, "every user's taps, not only yours (root only)"},
    {"address", kAddress, "ADDR/PLEN", "an address on the tap, IPv4 or IPv6 (repeatable)"},
    {"route", kRoute, "PREFIX/PLEN", "a route through the tap (repeatable)"},
    {"masquerade", kMasquerade, nullptr, "NAT the tap's IPv4 subnet to the host's uplinks"},
    {"ephemeral", kEphemeral, nullptr, "keep the tap only while tapctl runs; Ctrl-C deletes it"},
    {"persistent", kPersistent, nullptr, "keep the tap until 'tapctl delete' (the default)"},
    {"mtu", kMtu, "N", "link MTU (68-65521)"},
    {"mac", kMac, "aa:bb:cc:dd:ee:ff", "link MAC address"},
    {"owner-access", kOwnerAccess, nullptr,
     "make you the tun owner (for programs that open the tap by name)"},
    {"vnet-hdr", kVnetHdr, nullptr, "tun flag IFF_VNET_HDR"},
    {"multi-queue", kMultiQueue, nullptr, "tun flag IFF_MULTI_QUEUE"},
    {"fd", kFd, "N", "the fd number PROGRAM gets the tap on (3-1023; default: any)"},
    {"count", kCount, "N", "stop after N frames"},
    {"verbose", kVerbose, nullptr, "every field of every layer"},
    {"write", kWrite, "FILE", "the capture file: *.pcap, *.pcapng, or - (pcap on stdout)"},
};

// Accepted by every command, before or after it.
const std::vector<int> kGlobalOptions = {kBusAddress, kJson, kHelp, kVersion};
const std::vector<int> kCreateOptions = {kAddress, kRoute, kMasquerade,  kEphemeral, kPersistent,
                                         kMtu,     kMac,   kOwnerAccess, kVnetHdr,   kMultiQueue};
const std::vector<int> kExecOptions = {kAddress,     kRoute,   kMasquerade, kMtu, kMac,
                                       kOwnerAccess, kVnetHdr, kMultiQueue, kFd};

const OptionSpec& spec_of(int id) {
    for (const auto& o : kOptionSpecs)
        if (o.id == id) return o;
    throw std::logic_error("no option " + std::to_string(id));
}

struct Command;

// One run of tapctl: the command, its options and operands, the bus connection once made.
struct Invocation {
    const Command* command = nullptr;
    std::string bus_address;
    bool json = false;
    bool help = false;
    tapd::TapSpec spec;
    bool create_options = false;  // any of kCreateOptions given (exec: only for a new tap)
    bool ephemeral = false;
    bool all = false;
    int fd = -1;
    long count = -1;  // sniff, capture, read: -c
    bool verbose = false;
    std::string write_to;
    std::vector<std::string> operands;
    bool program_given = false;  // exec: a "--" was there
    std::vector<std::string> program;

    // Connected when a command has parsed its arguments: a usage error is reported as one
    // even where tapd cannot be reached.
    tapd::Client& bus() {
        if (!client) client = std::make_unique<tapd::Client>(bus_address);
        return *client;
    }
    std::unique_ptr<tapd::Client> client;
};

struct Command {
    const char* name;
    const char* synopsis;  // after "tapctl "
    const char* summary;
    std::vector<int> options;  // besides kGlobalOptions
    bool json;                 // --json changes the output
    const char* details;       // a paragraph for its --help, or nullptr
    const char* example;
    int (*run)(Invocation&);
};

unsigned long parse_number(const std::string& opt, const std::string& text, unsigned long max) {
    char* end = nullptr;
    errno = 0;
    unsigned long n = std::strtoul(text.c_str(), &end, 10);
    if (text.empty() || *end || errno || n > max || text[0] == '-')
        throw UsageError(opt + ": '" + text + "' is not a number from 0 to " + std::to_string(max));
    return n;
}

// The operand at INDEX, or a usage error saying MISSING.
const std::string& operand(const Invocation& inv, size_t index, const std::string& missing) {
    if (index >= inv.operands.size()) throw UsageError(missing);
    return inv.operands[index];
}

// A usage error naming the first operand past COUNT, if there is one.
void no_more_operands(const Invocation& inv, size_t count) {
    if (inv.operands.size() > count)
        throw UsageError(std::string(inv.command->name) + ": unexpected argument '" +
                         inv.operands[count] + "'");
}

std::string need_name(const Invocation& inv) {
    return operand(inv, 0, std::string(inv.command->name) + " needs a tap NAME");
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

nlohmann::json to_json(const tapd::PolicyValue& v) {
    return std::visit([](const auto& x) { return nlohmann::json(x); }, v);
}

std::string join(const std::vector<std::string>& v, const char* sep = ",") {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
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
    if (taps.empty()) {
        std::printf("no taps\n");
        return 0;
    }
    std::printf("%-15s %6s %6s %-10s %-11s %s\n", "NAME", "INDEX", "OWNER", "LIFETIME",
                "MASQUERADE", "ADDRESSES / ROUTES");
    auto or_dash = [](const std::vector<std::string>& v) { return v.empty() ? "-" : join(v); };
    for (const auto& t : taps)
        std::printf("%-15s %6u %6u %-10s %-11s %s / %s\n", t.name.c_str(), t.index, t.owner_uid,
                    t.persistent ? "persistent" : "ephemeral", t.masquerade ? "yes" : "no",
                    or_dash(t.addresses).c_str(), or_dash(t.routes).c_str());
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

int cmd_policy(Invocation& inv) {
    no_more_operands(inv, 0);
    auto p = inv.bus().policy_values();
    if (inv.json) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [k, v] : p) out[k] = to_json(v);
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    for (const auto& [k, v] : p) std::printf("%-18s %s\n", k.c_str(), tapd::to_text(v).c_str());
    return 0;
}

// `addr add|del NAME ADDR/PLEN` and `route add|del NAME PREFIX/PLEN`: the verb, NAME, the value.
struct Change {
    bool add;
    std::string name, value;
};

Change parse_change(const Invocation& inv, const char* what) {
    std::string cmd = inv.command->name;
    const std::string& verb = operand(inv, 0, cmd + " needs add or del");
    if (verb != "add" && verb != "del")
        throw UsageError(cmd + ": '" + verb + "' is neither add nor del");
    Change c{verb == "add", operand(inv, 1, cmd + " " + verb + " needs a tap NAME"),
             operand(inv, 2, cmd + " " + verb + " needs " + what)};
    no_more_operands(inv, 3);
    return c;
}

int cmd_addr(Invocation& inv) {
    Change c = parse_change(inv, "an ADDR/PLEN");
    if (c.add) {
        inv.bus().add_address(c.name, c.value);
        std::printf("added address %s to %s\n", c.value.c_str(), c.name.c_str());
    } else {
        inv.bus().remove_address(c.name, c.value);
        std::printf("removed address %s from %s\n", c.value.c_str(), c.name.c_str());
    }
    return 0;
}

int cmd_route(Invocation& inv) {
    Change c = parse_change(inv, "a PREFIX/PLEN");
    if (c.add) {
        inv.bus().add_route(c.name, c.value);
        std::printf("added route %s via %s\n", c.value.c_str(), c.name.c_str());
    } else {
        inv.bus().remove_route(c.name, c.value);
        std::printf("removed route %s via %s\n", c.value.c_str(), c.name.c_str());
    }
    return 0;
}

int cmd_masquerade(Invocation& inv) {
    std::string name = need_name(inv);
    const std::string& state = operand(inv, 1, "masquerade " + name + " needs on or off");
    if (state != "on" && state != "off")
        throw UsageError("masquerade: '" + state + "' is neither on nor off");
    no_more_operands(inv, 2);
    inv.bus().set_masquerade(name, state == "on");
    std::printf("masquerade %s for %s\n", state.c_str(), name.c_str());
    return 0;
}

#ifdef TAPCTL_HAVE_PACKETS
tapd::cli::DecodeOptions decode_options(const Invocation& inv) {
    tapd::cli::DecodeOptions o;
    o.verbose = inv.verbose;
    o.json = inv.json;
    o.count = inv.count;
    return o;
}

int cmd_sniff(Invocation& inv) {
    std::string name = need_name(inv);
    no_more_operands(inv, 1);
    // A capture stream from tapd, not the tap fd: a tap another program holds can be sniffed.
    auto fd = inv.bus().open_capture(name);
    return tapd::cli::print_frames_from_pcap_fd(fd.get(), decode_options(inv));
}

int cmd_capture(Invocation& inv) {
    std::string name = need_name(inv);
    no_more_operands(inv, 1);
    if (inv.write_to.empty()) throw UsageError("capture: -w FILE is required");
    auto fd = inv.bus().open_capture(name);
    return tapd::cli::capture_pcap_fd_to_file(fd.get(), inv.write_to, inv.count);
}

int cmd_read(Invocation& inv) {
    std::string file = operand(inv, 0, "read needs a FILE");
    no_more_operands(inv, 1);
    return tapd::cli::print_file(file, decode_options(inv));
}
#endif

int cmd_help(Invocation& inv);

const Command kCommands[] = {
    {"create", "create NAME [OPTIONS]", "create a tap; persistent unless --ephemeral",
     kCreateOptions, false,
     "A persistent tap stays until 'tapctl delete NAME'. With --ephemeral, tapctl keeps running\n"
     "and the tap lives as long as it does (Ctrl-C deletes it).",
     "tapctl create tap0 --address 192.168.69.100/24 --address fdaa::100/64 \\\n"
     "      --route fdaa::/64 --masquerade",
     cmd_create},
    {"delete",
     "delete NAME",
     "delete a tap of yours and everything created with it",
     {},
     false,
     nullptr,
     "tapctl delete tap0",
     cmd_delete},
    {"list",
     "list [--all]",
     "your taps (--all: every user's, root only)",
     {kAll},
     true,
     nullptr,
     "tapctl list --json",
     cmd_list},
    {"show",
     "show NAME",
     "one tap's addresses, routes and flags",
     {},
     true,
     nullptr,
     "tapctl show tap0 --json",
     cmd_show},
    {"exec", "exec NAME [OPTIONS] [--fd N] -- PROGRAM [ARGS...]",
     "run PROGRAM with an fd attached to the tap", kExecOptions, false,
     "PROGRAM gets the fd's number in $TAPD_FD and the tap's name in $TAPD_IFNAME; tapctl\n"
     "forwards signals to it and exits with its status. If NAME does not exist it is created\n"
     "for the run only, with OPTIONS, and deleted after. Everything after -- belongs to\n"
     "PROGRAM, its options too.",
     "tapctl exec tap1 --address 192.168.69.100/24 -- sh -c 'echo fd $TAPD_FD on $TAPD_IFNAME'",
     cmd_exec},
    {"cleanup",
     "cleanup [--all]",
     "delete all your taps (--all: every tap tapd owns, root only)",
     {kAll},
     false,
     nullptr,
     "tapctl cleanup",
     cmd_cleanup},
    {"policy",
     "policy",
     "what tapd allows you",
     {},
     true,
     "The policy rules that match you, merged: how many taps, which names and prefixes, which\n"
     "permissions, and what you use now.",
     "tapctl policy --json",
     cmd_policy},
    {"addr",
     "addr add|del NAME ADDR/PLEN",
     "add an address to a tap of yours, or remove one",
     {},
     false,
     nullptr,
     "tapctl addr add tap0 fdaa::100/64",
     cmd_addr},
    {"route",
     "route add|del NAME PREFIX/PLEN",
     "add a route through a tap of yours, or remove one",
     {},
     false,
     nullptr,
     "tapctl route add tap0 fdaa::/64",
     cmd_route},
    {"masquerade",
     "masquerade NAME on|off",
     "NAT a tap's IPv4 subnets to the host's uplinks, or stop",
     {},
     false,
     nullptr,
     "tapctl masquerade tap0 on",
     cmd_masquerade},
#ifdef TAPCTL_HAVE_PACKETS
    {"sniff",
     "sniff NAME [-c COUNT] [-v]",
     "decode the tap's frames live (one line each)",
     {kCount, kVerbose},
     true,
     "Reads tapd's capture stream of the tap, so a tap that a program holds can be watched.\n"
     "Ctrl-C ends it cleanly.",
     "tapctl sniff tap0 -c 10",
     cmd_sniff},
    {"capture",
     "capture NAME -w FILE [-c COUNT]",
     "write the tap's frames to FILE (.pcap or .pcapng)",
     {kWrite, kCount},
     false,
     "'-w -' writes pcap to stdout, e.g. 'tapctl capture tap0 -w - | wireshark -k -i -'.",
     "tapctl capture tap0 -w tap0.pcapng -c 100",
     cmd_capture},
    {"read",
     "read FILE [-c COUNT] [-v]",
     "decode a pcap/pcapng file (- = stdin), as sniff does",
     {kCount, kVerbose},
     true,
     nullptr,
     "tapctl read tap0.pcapng --json",
     cmd_read},
#endif
    {"help",
     "help [COMMAND]",
     "this list, or a command's options and an example",
     {},
     false,
     nullptr,
     "tapctl help create",
     cmd_help},
};

const Command* find_command(const std::string& name) {
    for (const auto& c : kCommands)
        if (name == c.name) return &c;
    return nullptr;
}

// "  -c, --count=N" or "      --json", padded to the help text's column.
void print_option(const OptionSpec& o) {
    std::string left = o.id < 256 ? std::string("  -") + static_cast<char>(o.id) + ", " : "      ";
    left += std::string("--") + o.name;
    if (o.value) left += std::string("=") + o.value;
    if (left.size() > 29) {
        std::printf("%s\n%31s%s\n", left.c_str(), "", o.help);
    } else {
        std::printf("%-31s%s\n", left.c_str(), o.help);
    }
}

void print_usage() {
    std::printf(
        "Usage: tapctl [GLOBAL OPTIONS] COMMAND [ARGS]\n\n"
        "Asks tapd (the net.tapd1 service) to create and hand out tap interfaces, so that an\n"
        "unprivileged user can run a user-space network stack, a VM or a sniffer.\n\n"
        "Commands:\n");
    for (const auto& c : kCommands) {
        if (std::strlen(c.synopsis) > 29)
            std::printf("  %s\n%31s%s\n", c.synopsis, "", c.summary);
        else
            std::printf("  %-29s%s\n", c.synopsis, c.summary);
    }
    std::printf("\nGlobal options (before or after the command):\n");
    for (int id : kGlobalOptions) print_option(spec_of(id));
    std::printf(
        "\nOptions take their value as --opt=VALUE or --opt VALUE, -cN or -c N. 'tapctl COMMAND\n"
        "--help' or 'tapctl help COMMAND' shows a command's options and an example.\n"
        "Exit status: 0 done, 1 refused or failed (the message names why), 2 usage error.\n\n"
        "Example (the classic tap + NAT setup in one call, then a program on it):\n"
        "  tapctl create tap0 --address 192.168.69.100/24 --address fe80::100/64 \\\n"
        "      --address fdaa::100/64 --route fe80::/64 --route fdaa::/64 --masquerade\n"
        "  tapctl exec tap0 -- ./my-stack\n");
}

void print_command_usage(const Command& c) {
    std::printf("Usage: tapctl %s\n\n%c%s.\n", c.synopsis,
                static_cast<char>(std::toupper(static_cast<unsigned char>(c.summary[0]))),
                c.summary + 1);
    if (c.details) std::printf("\n%s\n", c.details);
    if (!c.options.empty()) {
        std::printf("\nOptions:\n");
        for (int id : c.options) print_option(spec_of(id));
    }
    std::printf("\nGlobal options:\n");
    for (int id : kGlobalOptions)
        if (id != kJson || c.json) print_option(spec_of(id));
    std::printf("\nExample:\n  %s\n", c.example);
}

int cmd_help(Invocation& inv) {
    no_more_operands(inv, 1);
    if (inv.operands.empty()) {
        print_usage();
        return 0;
    }
    const Command* c = find_command(inv.operands[0]);
    if (!c) throw UsageError("help: unknown command '" + inv.operands[0] + "'");
    print_command_usage(*c);
    return 0;
}

// Applies option ID with VALUE (nullptr for a flag) to INV; a usage error for a bad value.
void apply_option(Invocation& inv, int id, const char* value) {
    const std::string opt = std::string("--") + spec_of(id).name;
    switch (id) {
        case kHelp:
            inv.help = true;
            break;
        case kVersion:
            std::printf("tapctl %s\n", TAPD_VERSION);
            std::exit(0);
        case kBusAddress:
            inv.bus_address = value;
            break;
        case kJson:
            inv.json = true;
            break;
        case kAll:
            inv.all = true;
            break;
        case kEphemeral:
            inv.ephemeral = true;
            break;
        case kPersistent:
            inv.ephemeral = false;
            break;
        case kFd:
            inv.fd = static_cast<int>(parse_number("--fd", value, 1023));
            break;
        case kCount:
            inv.count = static_cast<long>(parse_number("-c", value, 1UL << 40));
            break;
        case kVerbose:
            inv.verbose = true;
            break;
        case kWrite:
            inv.write_to = value;
            break;
        default:
            inv.create_options = true;
            switch (id) {
                case kAddress:
                    inv.spec.addresses.push_back(value);
                    break;
                case kRoute:
                    inv.spec.routes.push_back(value);
                    break;
                case kMasquerade:
                    inv.spec.masquerade = true;
                    break;
                case kMtu:
                    inv.spec.mtu = static_cast<uint32_t>(parse_number(opt, value, 65535));
                    break;
                case kMac:
                    inv.spec.mac = value;
                    break;
                case kOwnerAccess:
                    inv.spec.owner_access = true;
                    break;
                case kVnetHdr:
                    inv.spec.vnet_hdr = true;
                    break;
                case kMultiQueue:
                    inv.spec.multi_queue = true;
                    break;
                default:
                    throw std::logic_error("unhandled option " + opt);
            }
    }
}

// Why getopt_long refused ARG (it returned '?' or ':' with optopt OPTOPT), for a usage error.
std::string refusal(int result, int optopt_value, const std::string& arg,
                    const std::vector<int>& ids) {
    if (result == ':') {
        const OptionSpec& o = spec_of(optopt_value);
        std::string name = arg.rfind("--", 0) == 0 ? std::string("--") + o.name
                                                   : std::string("-") + static_cast<char>(o.id);
        return name + " needs a value";
    }
    if (arg.rfind("--", 0) == 0) {
        std::string name = arg.substr(0, arg.find('='));
        if (optopt_value != 0) return "option '" + name + "' takes no value";
        std::vector<std::string> matches;
        for (int id : ids)
            if (std::string("--") + spec_of(id).name != name &&
                std::string("--").append(spec_of(id).name).rfind(name, 0) == 0)
                matches.push_back(std::string("--") + spec_of(id).name);
        if (matches.size() > 1) return "option '" + name + "' is ambiguous: " + join(matches, ", ");
        return "unknown option '" + name + "'";
    }
    return std::string("unknown option '-") + static_cast<char>(optopt_value) + "'";
}

// Parses ARGS (the first is a program name for getopt) with the options IDS into INV, GNU
// style: options and operands in any order, --opt=VALUE or --opt VALUE, bundled short options,
// "--" ends the options. STOP_AT_OPERAND: stop at the first operand (the command word). Returns
// the index of the first operand left; the first usage error is thrown after the loop, so
// that --help anywhere still shows the help.
int parse_options(Invocation& inv, std::vector<char*>& args, const std::vector<int>& ids,
                  bool stop_at_operand, const std::string& context) {
    std::vector<struct option> longopts;
    std::string shortopts = stop_at_operand ? "+:" : ":";
    for (int id : ids) {
        const OptionSpec& o = spec_of(id);
        longopts.push_back({o.name, o.value ? required_argument : no_argument, nullptr, o.id});
        if (o.id < 256) shortopts += std::string(1, static_cast<char>(o.id)) + (o.value ? ":" : "");
    }
    longopts.push_back({nullptr, 0, nullptr, 0});
    args.push_back(nullptr);
    int argc = static_cast<int>(args.size()) - 1;
    std::string error;
    optind = 0;  // glibc: a full restart of getopt (it keeps state between calls)
    opterr = 0;
    for (;;) {
        int r = getopt_long(argc, args.data(), shortopts.c_str(), longopts.data(), nullptr);
        if (r == -1) break;
        try {
            if (r == '?' || r == ':') {
                // A refused long option is the word before optind; a short one is named by
                // optopt (it may sit inside a bundle such as -vx).
                std::string arg = optind > 0 && args[optind - 1] ? args[optind - 1] : "";
                throw UsageError(refusal(r, optopt, arg, ids));
            }
            apply_option(inv, r, optarg);
        } catch (const UsageError& e) {
            if (error.empty()) error = context + e.what();
        }
    }
    args.pop_back();
    if (!error.empty() && !inv.help) throw UsageError(error);
    return optind;
}

// "... is outside the prefixes you may use" names no prefix: ask GetPolicy which ones the
// caller may use, and by which rules ("rule 0 (line 4): comment" → "rule 0, line 4: comment").
void explain_prefixes(Invocation& inv) {
    try {
        auto p = inv.bus().policy_values();
        auto strings = [&](const char* key) {
            auto it = p.find(key);
            const auto* v =
                it == p.end() ? nullptr : std::get_if<std::vector<std::string>>(&it->second);
            return v ? *v : std::vector<std::string>{};
        };
        auto prefixes = strings("prefixes");
        std::vector<std::string> rules;
        for (std::string r : strings("matched_rules")) {
            if (auto open = r.find(" (line "); open != std::string::npos) {
                auto close = r.find(')', open);
                if (close != std::string::npos)
                    r = r.substr(0, open) + ", line " + r.substr(open + 7, close - open - 7) +
                        r.substr(close + 1);
            }
            rules.push_back(r);
        }
        std::fprintf(stderr, "tapctl: you may use: %s%s\n",
                     prefixes.empty() ? "no prefixes" : join(prefixes, ", ").c_str(),
                     rules.empty() ? " (no policy rule matches you)"
                                   : (" (" + join(rules, "; ") + ")").c_str());
    } catch (const std::exception&) {
        // The refusal is reported already; the hint is a courtesy.
    }
}

}  // namespace

int main(int argc, char** argv) {
    Invocation inv;
    try {
        // The words before the command: global options only, up to the first operand.
        std::vector<char*> head(argv, argv + argc);
        int at = parse_options(inv, head, kGlobalOptions, true, "");
        if (at >= argc) {
            if (inv.help) {
                print_usage();
                return 0;
            }
            throw UsageError("missing COMMAND");
        }
        std::string word = argv[at];
        inv.command = find_command(word);
        if (!inv.command) throw UsageError("unknown command '" + word + "'");
        if (inv.help) {  // tapctl --help COMMAND
            print_command_usage(*inv.command);
            return 0;
        }
        // The command's own words: for exec, what follows the first "--" is PROGRAM's alone.
        int end = argc;
        if (inv.command->run == cmd_exec) {
            for (int i = at + 1; i < argc; ++i)
                if (std::strcmp(argv[i], "--") == 0) {
                    end = i;
                    inv.program_given = true;
                    inv.program.assign(argv + i + 1, argv + argc);
                    break;
                }
        }
        std::vector<char*> rest = {argv[0]};
        rest.insert(rest.end(), argv + at + 1, argv + end);
        std::vector<int> ids = kGlobalOptions;
        ids.insert(ids.end(), inv.command->options.begin(), inv.command->options.end());
        int first = parse_options(inv, rest, ids, false, word + ": ");
        inv.operands.assign(rest.begin() + first, rest.end());
        if (inv.help) {
            print_command_usage(*inv.command);
            return 0;
        }
        if (inv.json && !inv.command->json) {
            std::string with;
            for (const auto& c : kCommands)
                if (c.json) with += (with.empty() ? "" : ", ") + std::string(c.name);
            throw UsageError(word + " has no JSON output (--json is for " + with + ")");
        }
        return inv.command->run(inv);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "tapctl: %s (see tapctl %s--help)\n", e.what(),
                     inv.command ? (std::string(inv.command->name) + " ").c_str() : "");
        return 2;
    } catch (const tapd::ClientError& e) {
        // Not there at all: the bus knows no owner of net.tapd1 (nor could activate one).
        if (e.name() == "org.freedesktop.DBus.Error.ServiceUnknown" ||
            e.name() == "org.freedesktop.DBus.Error.NameHasNoOwner") {
            std::fprintf(stderr, "tapctl: tapd is not running (try: systemctl start tapd)\n");
            return 1;
        }
        // The short form of the D-Bus error name tells the kind: PermissionDenied, Conflict, ...
        std::string kind = e.name().substr(e.name().rfind('.') + 1);
        std::fprintf(stderr, "tapctl: %s: %s\n", kind.c_str(), e.message().c_str());
        if (e.name() == tapd::names::kErrPermissionDenied &&
            e.message().find("is outside the prefixes you may use") != std::string::npos)
            explain_prefixes(inv);
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tapctl: %s\n", e.what());
        return 1;
    }
}
