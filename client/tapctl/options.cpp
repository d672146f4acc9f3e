// The option table and the command-line parse: getopt_long with tapctl's own refusal messages.
#include "options.hpp"

#include <getopt.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "output.hpp"

namespace tapd::tapctl {

const OptionSpec kOptionSpecs[] = {
    {"help", kHelp, nullptr, "show this help and exit"},
    {"version", kVersion, nullptr, "print tapctl's version and exit"},
    {"bus-address", kBusAddress, "ADDR", "talk to tapd on this bus (default: the system bus)"},
    {"json", kJson, nullptr, "typed JSON output (sniff, read: JSON Lines)"},
    {"all", kAll, nullptr, "every user's taps, not only yours (root only)"},
    {"address", kAddress, "ADDR/PLEN", "an address on the tap, IPv4 or IPv6 (repeatable)"},
    {"route", kRoute, "PREFIX/PLEN", "a route through the tap (repeatable)"},
    {"masquerade", kMasquerade, nullptr, "NAT the tap's IPv4 subnet to the host's uplinks"},
    {"ephemeral", kEphemeral, nullptr,
     "keep the tap (netns attach: the link) only while tapctl runs; Ctrl-C deletes it"},
    {"persistent", kPersistent, nullptr,
     "keep the tap (netns attach: the link) until 'tapctl delete' (the default)"},
    {"mtu", kMtu, "N", "link MTU (68-65521)"},
    {"mac", kMac, "aa:bb:cc:dd:ee:ff", "link MAC address"},
    {"owner-access", kOwnerAccess, nullptr,
     "make you the tun owner (for programs that open the tap by name)"},
    {"vnet-hdr", kVnetHdr, nullptr, "tun flag IFF_VNET_HDR"},
    {"multi-queue", kMultiQueue, nullptr, "tun flag IFF_MULTI_QUEUE"},
    {"fd", kFd, "N", "the fd number PROGRAM gets (the first with --queues; 3-1023)"},
    {"queues", kQueues, "N", "N fds, one queue each, at consecutive numbers (1-16)"},
    {"offloads", kOffloads, "LIST", "vnet_hdr offloads, e.g. csum,tso4,tso6 ('' for none)"},
    {"gateway", kGateway, "ADDR/PLEN",
     "netns: an address of the host side, the namespace's default route (repeatable)"},
    {"name", kName, "NAME", "netns: the host side's name (default: tapns and tapctl's pid)"},
    {"peer-name", kPeerName, "NAME", "netns: the link's name inside the namespace (default: eth0)"},
    {"count", kCount, "N", "stop after N frames"},
    {"verbose", kVerbose, nullptr, "every field of every layer"},
    {"write", kWrite, "FILE", "the capture file: *.pcap, *.pcapng, or - (pcap on stdout)"},
};

const OptionSpec& spec_of(int id) {
    for (const auto& o : kOptionSpecs)
        if (o.id == id) return o;
    throw std::logic_error("no option " + std::to_string(id));
}

namespace {

unsigned long parse_number(const std::string& opt, const std::string& text, unsigned long max) {
    char* end = nullptr;
    errno = 0;
    unsigned long n = std::strtoul(text.c_str(), &end, 10);
    if (text.empty() || *end || errno || n > max || text[0] == '-')
        throw UsageError(opt + ": '" + text + "' is not a number from 0 to " + std::to_string(max));
    return n;
}

// "a,b,c" into its items; "" is the empty list.
std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    if (text.empty()) return out;
    for (size_t at = 0;;) {
        size_t comma = text.find(',', at);
        out.push_back(text.substr(at, comma - at));
        if (comma == std::string::npos) return out;
        at = comma + 1;
    }
}

// An option without a value: the flag it sets, and to what.
struct FlagOption {
    int id;
    bool* flag;
    bool value;
};

// Applies option ID with VALUE (nullptr for a flag) to INV; a usage error for a bad value.
void apply_option(Invocation& inv, int id, const char* value) {
    const std::string opt = std::string("--") + spec_of(id).name;
    // What exec accepts only for a tap it creates: the options of the tap itself.
    for (int create_option :
         {kAddress, kRoute, kMasquerade, kMtu, kMac, kOwnerAccess, kVnetHdr, kMultiQueue})
        if (id == create_option) inv.create_options = true;
    if (id == kEphemeral || id == kPersistent) inv.lifetime_given = true;
    const FlagOption flags[] = {
        {kHelp, &inv.help, true},
        {kJson, &inv.json, true},
        {kAll, &inv.all, true},
        {kEphemeral, &inv.ephemeral, true},
        {kPersistent, &inv.ephemeral, false},
        {kVerbose, &inv.verbose, true},
        {kMasquerade, &inv.spec.masquerade, true},
        {kOwnerAccess, &inv.spec.owner_access, true},
        {kVnetHdr, &inv.spec.vnet_hdr, true},
        {kMultiQueue, &inv.spec.multi_queue, true},
    };
    for (const FlagOption& f : flags)
        if (f.id == id) {
            *f.flag = f.value;
            return;
        }
    if (id == kVersion) {
        std::printf("tapctl %s\n", TAPD_VERSION);
        std::exit(0);
    }
    if (id == kBusAddress || id == kWrite)
        (id == kBusAddress ? inv.bus_address : inv.write_to) = value;
    else if (id == kAddress || id == kRoute)
        (id == kAddress ? inv.spec.addresses : inv.spec.routes).push_back(value);
    else if (id == kMac)
        inv.spec.mac = value;
    else if (id == kGateway)
        inv.gateways.push_back(value);
    else if (id == kName)
        inv.link_name = value;
    else if (id == kPeerName)
        inv.peer_name = value;
    else if (id == kFd)
        inv.fd = static_cast<int>(parse_number("--fd", value, 1023));
    else if (id == kQueues)
        inv.queues = static_cast<long>(parse_number("--queues", value, 1023));
    else if (id == kOffloads)
        inv.open.offloads = split_list(value);
    else if (id == kCount)
        inv.count = static_cast<long>(parse_number("-c", value, 1UL << 40));
    else if (id == kMtu)
        inv.spec.mtu = static_cast<uint32_t>(parse_number(opt, value, 65535));
    else
        throw std::logic_error("unhandled option " + opt);
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

}  // namespace

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

}  // namespace tapd::tapctl
