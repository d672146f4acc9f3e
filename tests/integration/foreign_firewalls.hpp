// Other firewall managers' rulesets for integrations_test, each reproduced in a test's own
// namespace with the commands the manager itself runs, and the NAT world the end-to-end check
// runs in (the pattern of nat_e2e_test).
#pragma once

#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"

namespace tapd::test {

// What Docker 20.10 (Debian 12's docker.io, libnetwork with iptables-nft) runs at start for its
// default bridge docker0 (172.17.0.0/16), in its order: the nat chains, its filter chains,
// FORWARD's policy drop (setupIPForwarding), the bridge's rules, isolation, DOCKER-USER.
inline const std::vector<std::vector<std::string>> kDockerCommands = {
    {"iptables", "-t", "nat", "-N", "DOCKER"},
    {"iptables", "-t", "nat", "-A", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j",
     "DOCKER"},
    {"iptables", "-t", "nat", "-A", "OUTPUT", "!", "-d", "127.0.0.0/8", "-m", "addrtype",
     "--dst-type", "LOCAL", "-j", "DOCKER"},
    {"iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "172.17.0.0/16", "!", "-o", "docker0",
     "-j", "MASQUERADE"},
    {"iptables", "-t", "nat", "-A", "DOCKER", "-i", "docker0", "-j", "RETURN"},
    {"iptables", "-t", "filter", "-N", "DOCKER"},
    {"iptables", "-t", "filter", "-N", "DOCKER-ISOLATION-STAGE-1"},
    {"iptables", "-t", "filter", "-N", "DOCKER-ISOLATION-STAGE-2"},
    {"iptables", "-t", "filter", "-N", "DOCKER-USER"},
    {"iptables", "-P", "FORWARD", "DROP"},
    {"iptables", "-A", "FORWARD", "-o", "docker0", "-m", "conntrack", "--ctstate",
     "RELATED,ESTABLISHED", "-j", "ACCEPT"},
    {"iptables", "-A", "FORWARD", "-o", "docker0", "-j", "DOCKER"},
    {"iptables", "-A", "FORWARD", "-i", "docker0", "!", "-o", "docker0", "-j", "ACCEPT"},
    {"iptables", "-A", "FORWARD", "-i", "docker0", "-o", "docker0", "-j", "ACCEPT"},
    {"iptables", "-I", "FORWARD", "-j", "DOCKER-ISOLATION-STAGE-1"},
    {"iptables", "-A", "DOCKER-ISOLATION-STAGE-1", "-i", "docker0", "!", "-o", "docker0", "-j",
     "DOCKER-ISOLATION-STAGE-2"},
    {"iptables", "-A", "DOCKER-ISOLATION-STAGE-1", "-j", "RETURN"},
    {"iptables", "-A", "DOCKER-ISOLATION-STAGE-2", "-o", "docker0", "-j", "DROP"},
    {"iptables", "-A", "DOCKER-ISOLATION-STAGE-2", "-j", "RETURN"},
    {"iptables", "-A", "DOCKER-USER", "-j", "RETURN"},
    {"iptables", "-I", "FORWARD", "-j", "DOCKER-USER"},
};

// ufw 0.36's filter table for forwarded traffic after `ufw enable` with its defaults
// (DEFAULT_FORWARD_POLICY="DROP", /etc/ufw/before.rules and after.rules), as iptables-restore
// input: what `iptables-save` shows of FORWARD on such a host (INPUT left open here: only
// forwarding is tested).
inline const char* const kUfwRules = R"(*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:ufw-after-forward - [0:0]
:ufw-after-logging-forward - [0:0]
:ufw-before-forward - [0:0]
:ufw-before-logging-forward - [0:0]
:ufw-reject-forward - [0:0]
:ufw-track-forward - [0:0]
:ufw-user-forward - [0:0]
:ufw-user-logging-forward - [0:0]
-A FORWARD -j ufw-before-logging-forward
-A FORWARD -j ufw-before-forward
-A FORWARD -j ufw-after-forward
-A FORWARD -j ufw-after-logging-forward
-A FORWARD -j ufw-reject-forward
-A FORWARD -j ufw-track-forward
-A ufw-after-logging-forward -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[UFW BLOCK] "
-A ufw-before-forward -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A ufw-before-forward -p icmp -m icmp --icmp-type 3 -j ACCEPT
-A ufw-before-forward -p icmp -m icmp --icmp-type 11 -j ACCEPT
-A ufw-before-forward -p icmp -m icmp --icmp-type 12 -j ACCEPT
-A ufw-before-forward -p icmp -m icmp --icmp-type 8 -j ACCEPT
-A ufw-before-forward -j ufw-user-forward
COMMIT
)";

// A host namespace with an uplink to an "internet" namespace (203.0.113.1 runs a UDP echo),
// as in nat_e2e_test, and a client namespace.
struct NatWorld {
    explicit NatWorld(Env& env) : env(env) {
        inet = env.add_ns("inet");
        user = env.add_ns("user");
        for (const auto& argv : std::vector<std::vector<std::string>>{
                 {"ip", "-n", env.ns(), "link", "add", "uplink", "type", "veth", "peer", "name",
                  "wan", "netns", inet},
                 {"ip", "-n", env.ns(), "addr", "add", "203.0.113.2/24", "dev", "uplink"},
                 {"ip", "-n", env.ns(), "link", "set", "uplink", "up"},
                 {"ip", "-n", env.ns(), "route", "add", "default", "via", "203.0.113.1"},
                 {"ip", "-n", inet, "addr", "add", "203.0.113.1/24", "dev", "wan"},
                 {"ip", "-n", inet, "link", "set", "wan", "up"}}) {
            auto r = run(argv);
            EXPECT_EQ(r.status, 0) << r.describe();
        }
    }

    // Creates masquerading TAP as uid 65534; echo() needs ADDRESS 192.168.69.100 (the client's
    // gateway) and the client's 192.168.69.1 in its network.
    void create(const std::string& tap, const std::string& address = "192.168.69.100/25") {
        auto r = env.tapctl({"create", tap, "--address", address, "--masquerade"});
        EXPECT_EQ(r.status, 0) << r.describe();
    }

    // Whether a client holding only TAP's fd gets its UDP echo back through NAT; PORT differs
    // per call (no conntrack entry of an earlier try is reused). CLIENT gets the client's output.
    bool echo(const std::string& tap, int port, CommandResult* client_out = nullptr) {
        std::string p = std::to_string(port);
        CommandResult server;
        std::thread echo([&] {
            server = env.in_ns({example_bin("udp_echo"), "203.0.113.1", p, "1"}, inet);
        });
        EXPECT_TRUE(eventually([&] {
            return !env.in_ns({"ss", "-Hlun", "sport = :" + p}, inet).out.empty();
        })) << "udp_echo never bound 203.0.113.1:"
            << p;
        auto client = env.as_user(65534,
                                  {tapctl_bin(), "exec", tap, "--", example_bin("tap_udp_client"),
                                   "192.168.69.1", "192.168.69.100", "203.0.113.1", p, "ping"},
                                  user);
        bool got = client.status == 0 &&
                   client.out.find("received UDP echo from 203.0.113.1:" + p) != std::string::npos;
        // A dropped datagram never reached the server: one from the uplink's side ends its wait.
        if (!got) env.in_ns({"bash", "-c", "echo done > /dev/udp/203.0.113.1/" + p});
        echo.join();
        if (client_out) *client_out = client;
        return got;
    }

    Env& env;
    std::string inet, user;
};

// The test policy with INTEGRATIONS (a JSON object) as its "integrations".
inline std::string policy_with(const std::string& integrations) {
    std::string p = kTestPolicy;
    auto at = p.find("\"rules\"");
    return p.insert(at, "\"integrations\": " + integrations + ",\n  ");
}

// `tapctl doctor TAP` as uid 65534, and its line about CHECK ("" if there is none).
inline CommandResult doctor(Env& env, const std::string& tap = "tap0") {
    return env.tapctl({"doctor", tap});
}
inline std::string doctor_line(const CommandResult& r, const std::string& check) {
    std::istringstream in(r.out);
    std::string l;
    while (std::getline(in, l))
        if (l.find("  " + check + ": ") != std::string::npos) return l;
    return "";
}

// Runs each of COMMANDS in NS ("" = tapd's namespace), expecting success.
inline void run_all(Env& env, const std::vector<std::vector<std::string>>& commands,
                    const std::string& ns = "") {
    for (const auto& argv : commands) {
        auto r = env.in_ns(argv, ns);
        EXPECT_EQ(r.status, 0) << r.describe();
    }
}

// `nft -s list table FAMILY NAME` in tapd's namespace: the table without its counters' values
// (Docker's rules count the packets that pass, which is state, not ruleset).
inline std::string listing(Env& env, const std::string& family, const std::string& name) {
    auto r = env.in_ns({"nft", "-s", "list", "table", family, name});
    EXPECT_EQ(r.status, 0) << r.describe();
    return r.out;
}

}  // namespace tapd::test
