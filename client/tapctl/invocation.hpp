// One run of tapctl as its commands see it: the parsed options and operands, the bus connection,
// and the usage error that a bad word raises (exit status 2).
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "client.hpp"

namespace tapd::tapctl {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Command;

// One run of tapctl: the command, its options and operands, the bus connection once made.
struct Invocation {
    const Command* command = nullptr;
    std::string bus_address;
    bool json = false;
    bool help = false;
    tapd::TapSpec spec;
    bool create_options = false;  // any of kCreateOptions given (exec: only for a new tap)
    bool ephemeral = false;
    bool lifetime_given = false;  // --ephemeral or --persistent (netns run refuses both)
    bool all = false;
    int fd = -1;
    long queues = -1;     // exec: --queues (OpenTapQueues), or -1 (OpenTap)
    tapd::OpenSpec open;  // exec: --offloads
    long count = -1;      // sniff, capture, read: -c
    bool verbose = false;
    std::string write_to;
    std::vector<std::string> gateways;  // netns: --gateway
    std::string link_name;              // netns: --name
    std::string peer_name;              // netns: --peer-name
    std::vector<std::string> operands;
    bool program_given = false;  // exec: a "--" was there
    std::vector<std::string> program;

    // Connected when a command has parsed its arguments: a usage error is reported as one
    // even where tapd cannot be reached.
    tapd::Client& bus() {
        if (!client) client = std::make_unique<tapd::Client>(bus_address);
        return *client;
    }
    std::unique_ptr<tapd::Client> client;
};

// The operand at INDEX, or a usage error saying MISSING.
const std::string& operand(const Invocation& inv, size_t index, const std::string& missing);

// A usage error naming the first operand past COUNT, if there is one.
void no_more_operands(const Invocation& inv, size_t count);

// The first operand, the tap NAME, or a usage error saying the command needs one.
std::string need_name(const Invocation& inv);

}  // namespace tapd::tapctl
