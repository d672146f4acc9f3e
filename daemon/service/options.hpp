// Parsing of the a{sv} option maps of CreateTap/OpenTap/OpenTapQueues/OpenCapture into strong
// types; every error names the key and the bad value.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sdbus-c++/Message.h>
#include <sdbus-c++/Types.h>

#include "ip.hpp"
#include "result.hpp"
#include "tap.hpp"

namespace tapd {

inline constexpr size_t kMaxListLength = 64;   // addresses, routes
inline constexpr size_t kMaxOptionCount = 32;  // keys in one a{sv}
// Any string inside options, and every string argument but names (those are IFNAMSIZ-bounded).
inline constexpr size_t kMaxOptionString = 256;

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
// A capture filter's expression: room for any hand-written one and for generated lists of
// hosts or ports (the streamer bounds the time libpcap takes to compile it).
inline constexpr size_t kMaxFilterLength = 4096;

struct CaptureOptions {
    uint32_t snaplen = kMaxSnaplen;  // bytes kept of each frame
    std::string filter;              // pcap-filter(7); "" = every frame
};

// The most fds the system bus carries in one message: dbus-daemon's max_message_unix_fds, 16
// unless the bus's configuration sets it (/usr/share/dbus-1/system.conf does not, nor does
// net.tapd1.conf). dbus-daemon disconnects the sender of a message with more: that would be
// tapd, so no reply may carry more.
inline constexpr uint32_t kMaxMessageFds = 16;
// OpenTapQueues' most queues in one call: the bus's limit, under the kernel's per tap.
inline constexpr uint32_t kMaxQueuesPerCall = std::min(kMaxMessageFds, kMaxTapQueues);

struct OpenOptions {
    uint32_t queues = 1;               // OpenTapQueues' fds, each its own queue
    std::optional<Offloads> offloads;  // TUNSETOFFLOAD, only when asked for
};

using OptionMap = std::map<std::string, sdbus::Variant>;

// Refuses VALUE when it is longer than MAX bytes, naming WHAT, the start of the value and the
// limit ("address '1111...' is 102400 bytes long (at most 256)"). Every string argument passes
// here at the adaptor, before it is parsed, logged or echoed.
Status check_length(const std::string& what, std::string_view value, size_t max);

// Refuses a key given twice in one a{sv}, naming it. sdbus-c++ decodes an a{sv} into a std::map
// where the first of two equal keys silently wins, so the duplicates are looked for in the call
// itself: check_unique_option_keys() reads the a{sv} of CALL ("sa{sv}" or "a{sv}") again.
Status check_unique_keys(const std::vector<std::string>& keys);
Status check_unique_option_keys(const sdbus::Message& call);

Result<CreateOptions> parse_create_options(const OptionMap& options);

// AttachNamespace's options (dbus/net.tapd1.Manager.xml): the host side NAME and the PEER_NAME
// inside, the peer's ADDRESSES, the host side's GATEWAY addresses (the namespace's default
// routes go via them), masquerade, persistent, mtu, and NETLINK, a NETLINK_ROUTE socket opened
// inside the namespace, through which tapd configures it (needed for addresses).
struct AttachOptions {
    std::string name;
    std::string peer_name = "eth0";
    std::vector<Prefix> addresses;  // the peer's
    std::vector<Prefix> gateways;   // the host side's
    bool masquerade = false;
    bool persistent = false;
    std::optional<uint32_t> mtu;
    std::optional<sdbus::UnixFd> netlink;
};
// Every key is checked here but for the names' rules (the adaptor parses both as IfName) and
// what needs the policy or the host. Each address must lie in the network of a gateway of its
// family and be none of them; masquerade needs an IPv4 gateway; addresses need NETLINK.
Result<AttachOptions> parse_attach_options(const OptionMap& options);
// OpenTap's and OpenTapQueues' options: offloads (as, parse_offloads' names) and, where QUEUES
// (OpenTapQueues), queues (u, 1..kMaxQueuesPerCall). Any other key is refused by name so that a
// typo is not ignored; so is queues on OpenTap, which returns one fd.
Result<OpenOptions> parse_open_options(const OptionMap& options, bool queues);
// OpenCapture's options: snaplen (u, 1..262144), filter (s, at most kMaxFilterLength bytes;
// compiled by the streamer, not here).
Result<CaptureOptions> parse_capture_options(const OptionMap& options);

}  // namespace tapd
