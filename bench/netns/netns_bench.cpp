// netns_bench: TCP throughput (iperf3) from a network namespace to an "internet" namespace through
// four links, in interleaved rounds of one run (as root): tapd's veth + NAT (`tapctl netns run`
// as uid 65534), a veth + NAT that root configures by hand (the kernel's own path, what tapd
// should match), slirp4netns --mtu=65520 (its fastest setting) and pasta (passt's namespace mode).
//
// Each link gets a world of its own: a "host" namespace with an uplink (203.0.113.2/24) to an
// "internet" namespace whose iperf3 server listens on 203.0.113.10, and the client namespace
// behind the link. Separate worlds, because tapd's forward guard rightly drops IPv4 forwarded
// from links that are not its own (the hand-made veth's). slirp4netns and pasta run as root:
// they open /dev/net/tun inside the namespace, and /dev/net/tun is 0600 on this machine (no
// udev); on a distribution with 0666 a user runs them, at the same speed. The clients run as
// uid 65534 in every world.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"

namespace tapd::bench {
namespace {

using test::CommandResult;
using test::Env;

struct Options {
    int rounds = 5;
    int seconds = 4;
};

void must(const CommandResult& r, const std::string& what) {
    if (r.status != 0) throw std::runtime_error(what + ": " + r.describe());
}

std::string file_text(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// HOST's uplink to INET, and INET's iperf3 server on 203.0.113.10 (a daemon; its pid in
// PIDFILE).
void add_internet(const std::string& host, const std::string& inet, const std::string& pidfile) {
    for (const auto& argv : std::vector<std::vector<std::string>>{
             {"ip", "-n", host, "link", "add", "uplink", "type", "veth", "peer", "name", "wan",
              "netns", inet},
             {"ip", "-n", host, "addr", "add", "203.0.113.2/24", "dev", "uplink"},
             {"ip", "-n", host, "link", "set", "uplink", "up"},
             {"ip", "-n", host, "link", "set", "lo", "up"},
             {"ip", "-n", host, "route", "add", "default", "via", "203.0.113.1"},
             {"ip", "-n", inet, "addr", "add", "203.0.113.1/24", "dev", "wan"},
             {"ip", "-n", inet, "addr", "add", "203.0.113.10/24", "dev", "wan"},
             {"ip", "-n", inet, "link", "set", "wan", "up"},
             {"ip", "-n", inet, "link", "set", "lo", "up"},
             {"ip", "netns", "exec", inet, "iperf3", "-s", "-D", "-B", "203.0.113.10", "-I",
              pidfile}})
        must(test::run(argv), argv[3] + " " + argv[4]);
}

// One link under test: its name and the command prefix that runs a program in its client
// namespace as uid 65534.
struct Link {
    std::string name;
    std::vector<std::string> enter;
    std::vector<double> gbits;
};

const std::vector<std::string> kAsUser = {"setpriv", "--reuid=65534", "--regid=65534",
                                          "--clear-groups"};

std::vector<std::string> in_named(const std::string& ns) {
    std::vector<std::string> v = {"ip", "netns", "exec", ns};
    v.insert(v.end(), kAsUser.begin(), kAsUser.end());
    return v;
}

// The receiver's rate of one iperf3 run through LINK, in Gbit/s.
double measure(const Link& link, int seconds) {
    std::vector<std::string> argv = link.enter;
    argv.insert(argv.end(),
                {"iperf3", "-c", "203.0.113.10", "-t", std::to_string(seconds), "-O", "1", "-J"});
    auto r = test::run(argv, seconds + 30);
    must(r, "iperf3 through " + link.name);
    auto j = nlohmann::json::parse(r.out);
    return j.at("end").at("sum_received").at("bits_per_second").get<double>() / 1e9;
}

// Waits until iperf3 in LINK's namespace reaches the server (the link is configured).
void wait_reachable(const Link& link) {
    std::vector<std::string> argv = link.enter;
    argv.insert(argv.end(), {"iperf3", "-c", "203.0.113.10", "-t", "1"});
    if (!test::eventually([&] { return test::run(argv, 20).status == 0; }, 30))
        throw std::runtime_error(link.name + ": the server is unreachable");
}

// ARGV as root in the background, in a process group of its own, output to LOG; its pid.
pid_t spawn(const std::vector<std::string>& argv, const std::string& log) {
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork");
    if (pid == 0) {
        ::setpgid(0, 0);
        int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || null < 0) _exit(127);
        ::dup2(null, 0);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        _exit(127);
    }
    ::setpgid(pid, pid);
    return pid;
}

// The pid of the process that writes its pid to FILE, once it has.
pid_t pid_in(const std::string& file) {
    pid_t pid = 0;
    if (!test::eventually([&] { return (pid = std::atoi(file_text(file).c_str())) > 0; }, 10))
        throw std::runtime_error("no pid in " + file);
    return pid;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if ((a == "--rounds" || a == "--seconds") && i + 1 < argc)
            (a == "--rounds" ? o.rounds : o.seconds) = std::atoi(argv[++i]);
        else
            throw std::runtime_error("usage: netns_bench [--rounds N] [--seconds S]");
    }
    if (o.rounds < 1 || o.seconds < 1) throw std::runtime_error("--rounds and --seconds: >= 1");
    return o;
}

int run(int argc, char** argv) {
    Options o = parse(argc, argv);
    if (::geteuid() != 0) throw std::runtime_error("run as root");
    for (const char* tool : {"/usr/bin/iperf3", "/usr/bin/slirp4netns", "/usr/bin/pasta"})
        if (::access(tool, X_OK) != 0)
            throw std::runtime_error(std::string(tool) +
                                     " is missing (scripts/install-deps.sh installs it)");
    Env env;
    std::vector<pid_t> groups;
    std::vector<std::string> pidfiles;
    struct Cleanup {
        std::vector<pid_t>& groups;
        std::vector<std::string>& pidfiles;
        ~Cleanup() {
            for (pid_t g : groups) test::kill_group(g);
            for (const auto& f : pidfiles)
                if (pid_t p = std::atoi(file_text(f).c_str()); p > 0) ::kill(p, SIGTERM);
        }
    } cleanup{groups, pidfiles};
    auto world = [&](const std::string& tag, const std::string& host) {
        std::string inet = env.add_ns(tag + "-inet");
        pidfiles.push_back(env.dir() + "/iperf3-" + tag + ".pid");
        add_internet(host, inet, pidfiles.back());
    };
    std::vector<Link> links;

    // tapd: its own world is the harness's namespace; uid 65534's `tapctl netns run`.
    world("tapd", env.ns());
    env.start_tapd();
    // uid 65534 writes its namespace's pid where it may.
    std::string shared = env.dir() + "/shared";
    ::mkdir(shared.c_str(), 0777);
    ::chmod(shared.c_str(), 0777);
    std::string tapd_pid = shared + "/tapd-ns.pid";
    groups.push_back(
        env.spawn_as_user(65534,
                          {test::tapctl_bin(), "netns", "run", "--name", "tapn0", "--gateway",
                           "192.168.69.1/24", "--address", "192.168.69.2/24", "--masquerade", "--",
                           "sh", "-c", "echo $$ > " + tapd_pid + "; exec sleep 100000"},
                          env.dir() + "/netns-run.log"));
    std::vector<std::string> enter = {"nsenter", "-t", std::to_string(pid_in(tapd_pid)), "-n"};
    enter.insert(enter.end(), kAsUser.begin(), kAsUser.end());
    links.push_back({"tapd veth + NAT (tapctl netns run)", enter, {}});

    // By hand: root's veth pair, addresses, routes, forwarding and one masquerade rule.
    std::string hand = env.add_ns("hand"), hand_client = env.add_ns("hand-client");
    world("hand", hand);
    for (const auto& argv : std::vector<std::vector<std::string>>{
             {"ip", "-n", hand, "link", "add", "vh0", "type", "veth", "peer", "name", "eth0",
              "netns", hand_client},
             {"ip", "-n", hand, "addr", "add", "192.168.69.1/24", "dev", "vh0"},
             {"ip", "-n", hand, "link", "set", "vh0", "up"},
             {"ip", "-n", hand_client, "addr", "add", "192.168.69.2/24", "dev", "eth0"},
             {"ip", "-n", hand_client, "link", "set", "eth0", "up"},
             {"ip", "-n", hand_client, "link", "set", "lo", "up"},
             {"ip", "-n", hand_client, "route", "add", "default", "via", "192.168.69.1"},
             {"ip", "netns", "exec", hand, "sysctl", "-qw", "net.ipv4.ip_forward=1"},
             {"ip", "netns", "exec", hand, "nft",
              "add table ip nat; add chain ip nat post { type nat hook postrouting priority "
              "srcnat; }; add rule ip nat post ip saddr 192.168.69.0/24 oifname uplink "
              "masquerade"}})
        must(test::run(argv), argv[3] + " " + argv[4]);
    links.push_back({"veth + NAT by hand (root)", in_named(hand_client), {}});

    // slirp4netns at its fastest MTU, as root, from its host namespace into the client's.
    std::string slirp = env.add_ns("slirp"), slirp_client = env.add_ns("slirp-client");
    world("slirp", slirp);
    groups.push_back(spawn({"ip", "netns", "exec", slirp, "slirp4netns", "--configure",
                            "--mtu=65520", "--cidr=192.168.69.0/24", "--disable-host-loopback",
                            "--netns-type=path", "/run/netns/" + slirp_client, "tap0"},
                           env.dir() + "/slirp4netns.log"));
    links.push_back({"slirp4netns --mtu=65520 (root)", in_named(slirp_client), {}});

    // pasta: the host namespace's addresses and routes copied inside (203.0.113.2/24, default
    // via 203.0.113.1); no port forwarding; the gateway not remapped to the host. --runas 0:
    // pasta started as root otherwise becomes nobody first, who cannot join a namespace of
    // the initial user namespace ("Couldn't switch to pasta namespaces").
    std::string pasta = env.add_ns("pasta"), pasta_client = env.add_ns("pasta-client");
    world("pasta", pasta);
    pidfiles.push_back(env.dir() + "/pasta.pid");
    must(test::run({"ip",           "netns",
                    "exec",         pasta,
                    "pasta",        "--quiet",
                    "--runas",      "0",
                    "--config-net", "--no-map-gw",
                    "-t",           "none",
                    "-u",           "none",
                    "-T",           "none",
                    "-U",           "none",
                    "-P",           pidfiles.back(),
                    "--netns",      "/run/netns/" + pasta_client}),
         "pasta");
    links.push_back({"pasta (root)", in_named(pasta_client), {}});

    for (const auto& l : links) wait_reachable(l);
    std::printf("netns_bench: %d rounds of iperf3 -t %d (-O 1), links in rotating order\n",
                o.rounds, o.seconds);
    for (int round = 0; round < o.rounds; ++round)
        for (size_t k = 0; k < links.size(); ++k) {
            Link& l = links[(k + round) % links.size()];
            l.gbits.push_back(measure(l, o.seconds));
            std::printf("  round %d %-36s %6.2f Gbit/s\n", round + 1, l.name.c_str(),
                        l.gbits.back());
            std::fflush(stdout);
        }

    std::printf("\n| link | median Gbit/s | min–max Gbit/s |\n|---|---:|---:|\n");
    for (const auto& l : links)
        std::printf("| %s | %.2f | %.2f–%.2f |\n", l.name.c_str(), median(l.gbits),
                    *std::min_element(l.gbits.begin(), l.gbits.end()),
                    *std::max_element(l.gbits.begin(), l.gbits.end()));
    double tapd = median(links[0].gbits);
    std::printf(
        "\ntapd / hand veth = %.3f (target >= 0.95); tapd / slirp4netns = %.1fx (target "
        ">= 3); tapd / pasta = %.1fx (target >= 2)\n",
        tapd / median(links[1].gbits), tapd / median(links[2].gbits),
        tapd / median(links[3].gbits));
    return 0;
}

}  // namespace
}  // namespace tapd::bench

int main(int argc, char** argv) {
    try {
        return tapd::bench::run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "netns_bench: %s\n", e.what());
        return 1;
    }
}
