// tapctl's options: each one's long and short name, value and help line; which commands take
// which; and the GNU-style parse of a command line (getopt_long) into an Invocation.
#pragma once

#include <string>
#include <vector>

#include "invocation.hpp"

namespace tapd::tapctl {

// getopt_long's value of each option: its short letter where it has one, else from 256 up.
enum OptionId : int {
    kHelp = 'h',
    kCount = 'c',
    kVerbose = 'v',
    kWrite = 'w',
    kBusAddress = 256,
    kJson,
    kVersion,
    kAll,
    kAddress,
    kRoute,
    kMasquerade,
    kEphemeral,
    kPersistent,
    kMtu,
    kMac,
    kOwnerAccess,
    kVnetHdr,
    kMultiQueue,
    kFd,
    kQueues,
    kOffloads,
    kGateway,
    kName,
    kPeerName,
};

struct OptionSpec {
    const char* name;  // the long name
    int id;
    const char* value;  // the value's name in the help, or nullptr for a flag
    const char* help;
};

// Which options go with which commands; kGlobalOptions are accepted by every command, before or
// after it. Inline, so that they are made before the command table (commands.cpp) copies them.
inline const std::vector<int> kGlobalOptions = {kBusAddress, kJson, kHelp, kVersion};
inline const std::vector<int> kCreateOptions = {kAddress,    kRoute,     kMasquerade, kEphemeral,
                                                kPersistent, kMtu,       kMac,        kOwnerAccess,
                                                kVnetHdr,    kMultiQueue};
inline const std::vector<int> kExecOptions = {kAddress, kRoute,       kMasquerade, kMtu,
                                              kMac,     kOwnerAccess, kVnetHdr,    kMultiQueue,
                                              kFd,      kQueues,      kOffloads};

inline const std::vector<int> kNetnsOptions = {kName,       kPeerName, kAddress,   kGateway,
                                               kMasquerade, kMtu,      kEphemeral, kPersistent};

// The option ID (an OptionId).
const OptionSpec& spec_of(int id);

// Parses ARGS (the first is a program name for getopt) with the options IDS into INV, GNU
// style: options and operands in any order, --opt=VALUE or --opt VALUE, bundled short options,
// "--" ends the options. STOP_AT_OPERAND: stop at the first operand (the command word). Returns
// the index of the first operand left; the first usage error is thrown after the loop, so
// that --help anywhere still shows the help.
int parse_options(Invocation& inv, std::vector<char*>& args, const std::vector<int>& ids,
                  bool stop_at_operand, const std::string& context);

}  // namespace tapd::tapctl
