// The command table: what tapctl's help says of each command, its options, and what runs it.
#include "commands.hpp"

#include "options.hpp"

namespace tapd::tapctl {

namespace {

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
    {"exec", "exec NAME [OPTIONS] [--fd N] [--queues N] -- PROGRAM [ARGS...]",
     "run PROGRAM with an fd attached to the tap", kExecOptions, false,
     "PROGRAM gets the fd's number in $TAPD_FD and the tap's name in $TAPD_IFNAME; tapctl\n"
     "forwards signals to it and exits with its status. If NAME does not exist it is created\n"
     "for the run only, with OPTIONS, and deleted after. Everything after -- belongs to\n"
     "PROGRAM, its options too.\n\n"
     "With --queues N, PROGRAM gets N fds, each its own queue of a multi-queue tap, at fds\n"
     "3, 4, ... (or from --fd), listed in $TAPD_FDS as QEMU's fds= takes them (\"3:4:5:6\";\n"
     "$TAPD_FD is the first). --offloads sets a vnet_hdr tap's offloads (TUNSETOFFLOAD) for\n"
     "programs that do not set them on their fds themselves (QEMU does). A tap that exec\n"
     "creates gets --multi-queue with --queues 2 or more, and --vnet-hdr with --offloads.",
     "tapctl exec vm0 --vnet-hdr --queues 4 -- sh -c 'qemu-system-x86_64 ... \\\n"
     "      -netdev tap,id=n0,fds=$TAPD_FDS,vnet_hdr=on \\\n"
     "      -device virtio-net-pci,netdev=n0,mq=on,vectors=10'",
     cmd_exec},
    {"netns", "netns run [OPTIONS] -- PROGRAM [ARGS...] | netns attach PID|PATH [OPTIONS]",
     "a network namespace of yours, linked to the host by tapd (veth + NAT)", kNetnsOptions, false,
     "run: PROGRAM runs as you in a new user and network namespace that tapd links to the\n"
     "host with a veth pair: NAME (--name) on the host with the --gateway addresses, eth0\n"
     "inside with the --address addresses, lo up, and default routes via the gateways.\n"
     "tapctl exits with PROGRAM's status; the link goes with the namespace, or with tapctl.\n\n"
     "run takes no --ephemeral or --persistent.\n\n"
     "attach: the same for the namespace of process PID (or a /proc/PID/ns/net PATH) that\n"
     "you own; the link is persistent: it stays until the namespace dies or 'tapctl delete\n"
     "NAME'. With --ephemeral, tapctl keeps running and the link lives as long as it does\n"
     "(Ctrl-C deletes it). Each address must lie in a gateway's network; --masquerade NATs\n"
     "the IPv4 ones. --peer-name names the link inside (default eth0).",
     "tapctl netns run --gateway 192.168.69.1/24 --address 192.168.69.2/24 \\\n"
     "      --gateway fdaa::1/64 --address fdaa::2/64 --masquerade -- curl http://example.org",
     cmd_netns},
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
    {"doctor",
     "doctor [NAME]",
     "why a tap's traffic does not flow: a line per check",
     {},
     true,
     "Checks tapd (reachable, its version), what your policy allows, and for tap NAME its\n"
     "link and carrier, addresses, routes, masquerade, forwarding, rp_filter and every other\n"
     "table's forward chain that drops its traffic (Docker, ufw, firewalld, libvirt, nft),\n"
     "with the command that lets it through; then the host's uplink, ownerless tun/tap\n"
     "devices and /dev/net/tun. Each line: ok, warn or fail, what was found, and a fix.\n"
     "Exit status 1 when a check fails, else 0 (warnings: what may be wrong).",
     "tapctl doctor tap0",
     cmd_doctor},
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
     "sniff NAME [-c COUNT] [-v] [EXPRESSION...]",
     "decode the tap's frames live (one line each)",
     {kCount, kVerbose},
     true,
     "Reads tapd's capture stream of the tap, so a tap that a program holds can be watched.\n"
     "EXPRESSION is a tcpdump filter (pcap-filter(7)), its words joined by spaces as tcpdump\n"
     "joins them; tapd's streamer attaches it in the kernel, so other frames never reach\n"
     "tapctl. A bad expression is refused with libpcap's message. Ctrl-C ends it cleanly.",
     "tapctl sniff tap0 -c 10 udp port 53",
     cmd_sniff},
    {"capture",
     "capture NAME -w FILE [-c COUNT] [EXPRESSION...]",
     "write the tap's frames to FILE (.pcap or .pcapng)",
     {kWrite, kCount},
     false,
     "EXPRESSION is a tcpdump filter, as for sniff. '-w -' writes pcap to stdout, e.g.\n"
     "'tapctl capture tap0 -w - | wireshark -k -i -'.",
     "tapctl capture tap0 -w tap0.pcapng -c 100 not arp",
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

}  // namespace

std::span<const Command> commands() {
    return kCommands;
}

const Command* find_command(const std::string& name) {
    for (const auto& c : kCommands)
        if (name == c.name) return &c;
    return nullptr;
}

}  // namespace tapd::tapctl
