// The commands on whole taps: create, delete, list, show, cleanup (exec: exec.cpp).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "doctor.hpp"
#include "hold.hpp"
#include "output.hpp"

namespace tapd::tapctl {

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
        std::fflush(stdout);
        if (spec.masquerade) warn_findings(c, spec.name);
        return 0;
    }
    // An ephemeral tap is a lease on this process's bus connection: stay until a signal.
    HoldSignals hold;
    c.create_tap(spec);
    std::printf("created %s; it lives until this command stops (Ctrl-C)\n", spec.name.c_str());
    std::fflush(stdout);
    if (spec.masquerade) warn_findings(c, spec.name);
    hold.wait();
    c.delete_tap(spec.name);
    return 0;
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
    print_table(taps);
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

}  // namespace tapd::tapctl
