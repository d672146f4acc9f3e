// The commands that change a tap of the caller's: addr, route, masquerade.
#include <cstdio>
#include <string>

#include "commands.hpp"
#include "doctor.hpp"

namespace tapd::tapctl {

namespace {

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

// What addr and route differ in: the value's name in a usage error, the two calls, and the
// two messages (printf formats of the value and the tap's name).
struct ChangeKind {
    const char* value;
    void (tapd::Client::*add)(const std::string& name, const std::string& value);
    void (tapd::Client::*remove)(const std::string& name, const std::string& value);
    const char* added;
    const char* removed;
};

int run_change(Invocation& inv, const ChangeKind& kind) {
    Change c = parse_change(inv, kind.value);
    (inv.bus().*(c.add ? kind.add : kind.remove))(c.name, c.value);
    std::printf(c.add ? kind.added : kind.removed, c.value.c_str(), c.name.c_str());
    return 0;
}

}  // namespace

int cmd_addr(Invocation& inv) {
    return run_change(inv,
                      {"an ADDR/PLEN", &tapd::Client::add_address, &tapd::Client::remove_address,
                       "added address %s to %s\n", "removed address %s from %s\n"});
}

int cmd_route(Invocation& inv) {
    return run_change(inv, {"a PREFIX/PLEN", &tapd::Client::add_route, &tapd::Client::remove_route,
                            "added route %s via %s\n", "removed route %s via %s\n"});
}

int cmd_masquerade(Invocation& inv) {
    std::string name = need_name(inv);
    const std::string& state = operand(inv, 1, "masquerade " + name + " needs on or off");
    if (state != "on" && state != "off")
        throw UsageError("masquerade: '" + state + "' is neither on nor off");
    no_more_operands(inv, 2);
    inv.bus().set_masquerade(name, state == "on");
    std::printf("masquerade %s for %s\n", state.c_str(), name.c_str());
    std::fflush(stdout);
    if (state == "on") warn_findings(inv.bus(), name);
    return 0;
}

}  // namespace tapd::tapctl
