// tapctl: command-line client of tapd (create, delete, list, show, exec, cleanup, policy, addr,
// route, masquerade, sniff, capture, read), built on libtapd; GNU option conventions (getopt_long).
// This file: the dispatch from the command line to a command, and the exit status of its errors
// (0 done, 1 refused or failed, 2 usage error).
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "client.hpp"
#include "commands.hpp"
#include "help.hpp"
#include "names.hpp"
#include "options.hpp"
#include "policy.hpp"

using namespace tapd::tapctl;

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
        if (inv.command->run == cmd_exec || inv.command->run == cmd_netns) {
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
            for (const auto& c : commands())
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
