// The strong types of a request's arguments, parsed by the bus adaptor before the service sees
// them: a tap's address (host bits allowed, "192.168.69.1/24") is not a network ("192.168.69.0/24",
// none allowed), and neither is a bare string.
#pragma once

#include <string_view>

#include "ip.hpp"
#include "result.hpp"

namespace tapd {

// An address of a tap, as the caller gives it.
struct TapAddress {
    Prefix value;
    static Result<TapAddress> parse(std::string_view text) {
        auto p = parse_interface_address(text);
        if (!p) return p.error();
        return TapAddress{p.value()};
    }
};

struct Network {
    Prefix value;
    static Result<Network> parse(std::string_view text) {
        auto p = parse_network(text);
        if (!p) return p.error();
        return Network{p.value()};
    }
};

}  // namespace tapd
