// tapctl's help texts, laid out from the command and option tables.
#include "help.hpp"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <string>

#include "options.hpp"

namespace tapd::tapctl {

namespace {

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

}  // namespace

void print_usage() {
    std::printf(
        "Usage: tapctl [GLOBAL OPTIONS] COMMAND [ARGS]\n\n"
        "Asks tapd (the net.tapd1 service) to create and hand out tap interfaces, so that an\n"
        "unprivileged user can run a user-space network stack, a VM or a sniffer.\n\n"
        "Commands:\n");
    for (const auto& c : commands()) {
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

}  // namespace tapd::tapctl
