// tapctl's commands: each one's name, synopsis, help texts and options, and the function that runs
// it (the files named after their group: taps, tap_changes, policy, packets, help).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "invocation.hpp"

namespace tapd::tapctl {

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

// Every command, in the order of tapctl's help.
std::span<const Command> commands();

// The command called NAME, or nullptr.
const Command* find_command(const std::string& name);

// taps.cpp
int cmd_create(Invocation& inv);
int cmd_delete(Invocation& inv);
int cmd_list(Invocation& inv);
int cmd_show(Invocation& inv);
int cmd_exec(Invocation& inv);
int cmd_cleanup(Invocation& inv);
// tap_changes.cpp
int cmd_addr(Invocation& inv);
int cmd_route(Invocation& inv);
int cmd_masquerade(Invocation& inv);
// netns.cpp
int cmd_netns(Invocation& inv);
// policy.cpp
int cmd_policy(Invocation& inv);
// doctor.cpp
int cmd_doctor(Invocation& inv);
#ifdef TAPCTL_HAVE_PACKETS
// packets.cpp
int cmd_sniff(Invocation& inv);
int cmd_capture(Invocation& inv);
int cmd_read(Invocation& inv);
#endif
// help.cpp
int cmd_help(Invocation& inv);

}  // namespace tapd::tapctl
