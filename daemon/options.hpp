// Parsing of the a{sv} option maps of CreateTap/OpenTap/OpenCapture into strong types; every error
// names the key and the bad value.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sdbus-c++/Types.h>

#include "ip.hpp"
#include "result.hpp"

namespace tapd {

inline constexpr size_t kMaxListLength = 64;     // addresses, routes
inline constexpr size_t kMaxOptionCount = 32;    // keys in one a{sv}
inline constexpr size_t kMaxOptionString = 256;  // any string inside options

struct CreateOptions {
    std::vector<Prefix> addresses;
    std::vector<Prefix> routes;
    bool masquerade = false;
    bool persistent = false;
    std::optional<uint32_t> mtu;
    std::optional<std::string> mac;
    bool owner_access = false;
    bool vnet_hdr = false;
    bool multi_queue = false;
};

inline constexpr uint32_t kMaxSnaplen = 262144;  // tcpdump's default and maximum

struct CaptureOptions {
    uint32_t snaplen = kMaxSnaplen;  // bytes kept of each frame
};

using OptionMap = std::map<std::string, sdbus::Variant>;

Result<CreateOptions> parse_create_options(const OptionMap& options);
// OpenTap takes no options yet; any key is refused by name so that a typo is not ignored.
Status parse_open_options(const OptionMap& options);
// OpenCapture's options: snaplen (u, 1..262144).
Result<CaptureOptions> parse_capture_options(const OptionMap& options);

}  // namespace tapd
