// libtapd: a typed C++ client of tapd's D-Bus API (net.tapd1). Errors keep the D-Bus error name.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "unique_fd.hpp"

namespace sdbus {
class IConnection;
class ObjectPath;
}  // namespace sdbus

namespace tapd {

// A call that tapd (or the bus) refused. name() is the D-Bus error name, e.g.
// "net.tapd1.Error.PermissionDenied"; message() names the offending value.
class ClientError : public std::runtime_error {
  public:
    ClientError(std::string name, std::string message)
        : std::runtime_error(name + ": " + message),
          name_(std::move(name)),
          message_(std::move(message)) {}
    const std::string& name() const { return name_; }
    const std::string& message() const { return message_; }

  private:
    std::string name_, message_;
};

// What CreateTap is asked for; fields left empty are not sent.
struct TapSpec {
    std::string name;
    std::vector<std::string> addresses;  // "ADDR/PLEN"
    std::vector<std::string> routes;     // "PREFIX/PLEN"
    bool masquerade = false;
    bool persistent = false;
    bool owner_access = false;
    bool vnet_hdr = false;
    bool multi_queue = false;
    std::optional<uint32_t> mtu;
    std::optional<std::string> mac;
};

// What AttachNamespace is asked for; fields left empty are not sent.
struct NamespaceSpec {
    std::string name;                    // the host side (the policy's tap name rules)
    std::string peer_name;               // inside ("": tapd's default, eth0)
    std::vector<std::string> addresses;  // the peer's, "ADDR/PLEN"
    std::vector<std::string> gateways;   // the host side's, "ADDR/PLEN"
    bool masquerade = false;
    bool persistent = false;
    std::optional<uint32_t> mtu;
    // A NETLINK_ROUTE socket opened inside the namespace (-1: none): tapd configures the
    // namespace through it (required with addresses). Not closed by the call.
    int netlink = -1;
};

// What OpenTap and OpenTapQueues are asked for besides the tap; fields left empty are not sent.
struct OpenSpec {
    // For a vnet_hdr tap: the offloads (TUNSETOFFLOAD) the reader takes: "csum", "tso4",
    // "tso6", "ecn", "ufo", "uso4", "uso6"; an empty list turns them all off.
    std::optional<std::vector<std::string>> offloads;
};

// The most queues one open_tap_queues() call returns: the system bus passes at most 16 fds in
// one message (dbus-daemon's max_message_unix_fds).
inline constexpr uint32_t kMaxQueuesPerCall = 16;

// A tap as tapd reports it (properties of net.tapd1.Tap).
struct TapInfo {
    std::string path;
    std::string name;
    uint32_t index = 0;
    uint32_t owner_uid = 0;
    std::vector<std::string> addresses;
    std::vector<std::string> routes;
    bool masquerade = false;
    bool persistent = false;
    uint32_t mtu = 0;
    std::string mac;
    std::string kind;  // "tap", or "veth" for a namespace's link (AttachNamespace)
};

// A change tapd announces on the bus (ObjectManager InterfacesAdded/InterfacesRemoved, the Tap
// objects' PropertiesChanged). Every user sees every tap's events, as every user may read every
// tap's properties (README "Security model").
struct TapEvent {
    enum class Kind { Added, Changed, Removed };
    Kind kind = Kind::Added;
    std::string name;
    // Added: every property; Changed: the tap's properties as tapd has them now; Removed: none.
    std::optional<TapInfo> info;
};

// What GetPolicy reports for the caller, as text for display ("key" → "value").
using PolicyView = std::map<std::string, std::string>;

// One value of GetPolicy's a{sv} with its D-Bus type kept: u, b, s or as. A value of another
// type (a newer tapd) arrives as the text "(SIGNATURE)".
using PolicyValue = std::variant<uint32_t, bool, std::string, std::vector<std::string>>;
using Policy = std::map<std::string, PolicyValue>;

// A policy value as PolicyView shows it: numbers in decimal, true/false, lists joined by spaces.
std::string to_text(const PolicyValue& v);

// Something tapd sees on the host that keeps a masquerading tap's traffic from flowing
// (GetFindings): another table's forward chain that drops it, ip_forward turned off, strict
// rp_filter, a missing masquerade element.
struct Finding {
    std::string severity;  // "fail" or "warn"
    std::string kind;      // "forward_chain", "ip_forward", "rp_filter", "masquerade"
    std::string tap;       // the tap concerned, "" for the host
    std::string text;      // what is wrong, naming the table and chain or the sysctl
    std::string fix;       // a command for an administrator
};

class Client {
  public:
    // Connects to the system bus ($DBUS_SYSTEM_BUS_ADDRESS is honoured); ADDRESS overrides it.
    explicit Client(const std::string& address = "");
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Creates the tap and returns its object path. A tap that is not persistent lives as long as
    // this Client (its bus connection).
    std::string create_tap(const TapSpec& spec);
    // Gives the network namespace NETNS (an fd of /proc/PID/ns/net of a process inside it,
    // owned through user namespaces by the caller) a veth pair with the host and returns the
    // host side's object path. Unless persistent, it lives as long as this Client, and at most
    // as long as the namespace.
    std::string attach_namespace(int netns, const NamespaceSpec& spec);
    // An fd attached to the caller's tap: read() gets one frame, write() sends one.
    UniqueFd open_tap(const std::string& name);
    UniqueFd open_tap(const std::string& name, const OpenSpec& spec);
    // QUEUES fds (1..kMaxQueuesPerCall), each attached to the caller's tap as its own queue (more
    // than one: a tap created with multi_queue), in one call (OpenTapQueues).
    std::vector<UniqueFd> open_tap_queues(const std::string& name, uint32_t queues,
                                          const OpenSpec& spec = {});
    // A raw IP socket on the caller's tap (socket(FAMILY, SOCK_RAW, PROTOCOL); FAMILY AF_INET or
    // AF_INET6, PROTOCOL 1..255): receives only the tap's traffic, and what it sends leaves only
    // through the tap (tapd's nf_tables rule on its SO_MARK drops the rest).
    UniqueFd open_raw_socket(const std::string& name, int family, int protocol);
    // A pcap byte stream (Ethernet, microsecond timestamps) of the tap's frames, both directions,
    // keeping SNAPLEN bytes of each (0: tapd's default, 262144). EOF when the tap is deleted.
    UniqueFd open_capture(const std::string& name, uint32_t snaplen = 0);
    // The same with only the frames that FILTER, a tcpdump/pcap-filter(7) expression such as
    // "udp port 9", accepts ("": every frame); tapd refuses a bad expression with
    // net.tapd1.Error.InvalidArgument quoting libpcap's message.
    UniqueFd open_capture(const std::string& name, uint32_t snaplen, const std::string& filter);
    void delete_tap(const std::string& name);
    // The caller's own taps (one GetTaps call, whatever their number).
    std::vector<TapInfo> list();
    // Every tap tapd owns (root only; one GetTaps call).
    std::vector<TapInfo> list_all();
    // Deletes the caller's taps (ALL: every tap, root only); returns the names deleted.
    std::vector<std::string> cleanup(bool all = false);
    // Whether the caller has a tap NAME (one ListTaps call, no properties fetched).
    bool has_tap(const std::string& name);
    // The caller's tap NAME; ClientError net.tapd1.Error.NotFound when there is none.
    TapInfo show(const std::string& name);
    PolicyView policy();
    // The same with each value's type kept (for JSON output and programs).
    Policy policy_values();

    // Methods of the Tap object of the caller's tap NAME (/net/tapd1/tap/<escaped NAME>). Each
    // throws ClientError as tapd refuses it; net.tapd1.Error.NotFound when there is no tap NAME.
    // ADDRESS is "ADDR/PLEN", ROUTE "PREFIX/PLEN".
    void add_address(const std::string& name, const std::string& address);
    void remove_address(const std::string& name, const std::string& address);
    void add_route(const std::string& name, const std::string& route);
    void remove_route(const std::string& name, const std::string& route);
    // NAT of the tap's IPv4 subnets to the host's uplinks, on or off.
    void set_masquerade(const std::string& name, bool enabled);
    std::string version();
    // GetFindings: the caller's taps' findings and the host's (root: every tap's).
    std::vector<Finding> findings();

    // Calls HANDLER for every TapEvent from now on, from process_events(). Only signals that
    // tapd's own connection sent count: anyone may send a client a unicast signal.
    void watch(std::function<void(const TapEvent&)> handler);
    // Handles what has arrived, waiting up to TIMEOUT_MS (-1: forever) for the first message if
    // none has; returns false if the wait ran out with nothing handled. For a poll loop of the
    // caller's own: event_fd() is readable when there is something to handle (call
    // process_events(0) then).
    bool process_events(int timeout_ms);
    int event_fd();

  private:
    std::vector<TapInfo> infos(const std::vector<sdbus::ObjectPath>& paths);
    std::vector<TapInfo> listing(bool all);
    // Calls METHOD of net.tapd1.Tap on tap NAME's object with one argument.
    template <class Arg>
    void call_tap(const std::string& name, const char* method, const Arg& arg);
    class ManagerProxy;  // generated from dbus/net.tapd1.Manager.xml
    std::unique_ptr<sdbus::IConnection> conn_;
    std::unique_ptr<ManagerProxy> manager_;
    std::function<void(const TapEvent&)> on_event_;
    std::string tapd_sender_;  // tapd's unique bus name, the only sender of events
};

}  // namespace tapd
