// tapctl's help: the list of commands, and one command's options and example.
#pragma once

#include "commands.hpp"

namespace tapd::tapctl {

// `tapctl --help`: every command and the global options.
void print_usage();

// `tapctl COMMAND --help`: its synopsis, details, options and example.
void print_command_usage(const Command& c);

}  // namespace tapd::tapctl
