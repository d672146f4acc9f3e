// a{sv} option parsing for the Manager and Tap methods.
#include "options.hpp"

#include <sys/socket.h>

#include <algorithm>

#include <set>

#include "link.hpp"
#include "utf8.hpp"

namespace tapd {

namespace {

Error bad_type(const std::string& key, const sdbus::Variant& v, const char* want) {
    return make_error(ErrorKind::InvalidArgument, "option '" + key + "' must have type '" + want +
                                                      "', not '" + v.peekValueType() + "'");
}

// Shown bounded: a hostile caller's key does not make a huge error.
Error unknown_option(const std::string& key) {
    return make_error(ErrorKind::InvalidArgument,
                      "unknown option '" + printable_utf8(key, kShownBytes) + "'");
}

Status not_too_many(const OptionMap& options) {
    if (options.size() <= kMaxOptionCount) return {};
    return make_error(ErrorKind::InvalidArgument,
                      "too many options (" + std::to_string(options.size()) + ")");
}

Result<bool> get_bool(const std::string& key, const sdbus::Variant& v) {
    if (!v.containsValueOfType<bool>()) return bad_type(key, v, "b");
    return v.get<bool>();
}

Result<std::vector<std::string>> get_strings(const std::string& key, const sdbus::Variant& v) {
    if (!v.containsValueOfType<std::vector<std::string>>()) return bad_type(key, v, "as");
    auto list = v.get<std::vector<std::string>>();
    if (list.size() > kMaxListLength)
        return make_error(ErrorKind::InvalidArgument,
                          "option '" + key + "' has " + std::to_string(list.size()) +
                              " entries (at most " + std::to_string(kMaxListLength) + ")");
    for (const auto& s : list)
        if (auto st = check_length("option '" + key + "':", s, kMaxOptionString); !st)
            return st.error();
    return list;
}

// Refuses the same prefix twice in one list: the second netlink add would fail half-way. The
// kernel keys an IPv6 address by the address alone, so fdaa::1/64 and fdaa::1/80 are the same.
Status no_duplicates(const std::string& key, const std::vector<Prefix>& list) {
    for (size_t i = 0; i < list.size(); ++i)
        for (size_t j = i + 1; j < list.size(); ++j) {
            bool same =
                list[i] == list[j] || (key == "addresses" && list[i].address.family == AF_INET6 &&
                                       list[i].address == list[j].address);
            if (!same) continue;
            std::string what = list[i] == list[j]
                                   ? list[i].str()
                                   : list[i].address.str() + " (as " + list[i].str() + " and " +
                                         list[j].str() + ")";
            return make_error(ErrorKind::InvalidArgument,
                              "option '" + key + "' lists " + what + " twice");
        }
    return {};
}

// Reads the call's arguments again from the start, through a copy of the message (sdbus-c++'s
// copy shares sd-bus's message and so its read position, which no one needs any more: the
// adaptor has decoded every argument already).
class ArgumentReader : public sdbus::Message {
  public:
    explicit ArgumentReader(const sdbus::Message& call) : sdbus::Message(call) { rewind(true); }
};

}  // namespace

Status check_length(const std::string& what, std::string_view value, size_t max) {
    if (value.size() <= max) return {};
    return make_error(ErrorKind::InvalidArgument, what + " '" + printable_utf8(value, kShownBytes) +
                                                      "' is " + std::to_string(value.size()) +
                                                      " bytes long (at most " +
                                                      std::to_string(max) + ")");
}

Status check_unique_keys(const std::vector<std::string>& keys) {
    std::set<std::string_view> seen;
    for (const auto& key : keys)
        if (!seen.insert(key).second)
            return make_error(ErrorKind::InvalidArgument,
                              "option '" + printable_utf8(key, kShownBytes) + "' is given twice");
    return {};
}

Status check_unique_option_keys(const sdbus::Message& call) {
    // The method signatures with an a{sv} are "sa{sv}", "ha{sv}" and "a{sv}": strings or an fd,
    // then the options.
    ArgumentReader msg(call);
    std::string type, contents;
    for (msg.peekType(type, contents); type == "s" || type == "h"; msg.peekType(type, contents)) {
        if (type == "h") {
            sdbus::UnixFd ignored;
            msg >> ignored;
            continue;
        }
        std::string ignored;
        msg >> ignored;
    }
    if (type != "a" || contents != "{sv}") return {};
    std::vector<std::string> keys;
    msg.enterContainer("{sv}");
    while (msg.enterDictEntry("sv")) {
        std::string key;
        sdbus::Variant value;
        msg >> key >> value;
        keys.push_back(std::move(key));
        msg.exitDictEntry();
    }
    msg.clearFlags();
    msg.exitContainer();
    return check_unique_keys(keys);
}

Result<CreateOptions> parse_create_options(const OptionMap& options) {
    if (auto st = not_too_many(options); !st) return st.error();
    CreateOptions out;
    for (const auto& [key, value] : options) {
        if (key == "addresses" || key == "routes") {
            auto list = get_strings(key, value);
            if (!list) return list.error();
            for (const auto& text : list.value()) {
                auto p = key == "addresses" ? parse_interface_address(text) : parse_network(text);
                if (!p)
                    return make_error(ErrorKind::InvalidArgument,
                                      "option '" + key + "': " + p.error().message);
                (key == "addresses" ? out.addresses : out.routes).push_back(p.value());
            }
        } else if (key == "masquerade" || key == "persistent" || key == "owner_access" ||
                   key == "vnet_hdr" || key == "multi_queue") {
            auto b = get_bool(key, value);
            if (!b) return b.error();
            bool& field = key == "masquerade"     ? out.masquerade
                          : key == "persistent"   ? out.persistent
                          : key == "owner_access" ? out.owner_access
                          : key == "vnet_hdr"     ? out.vnet_hdr
                                                  : out.multi_queue;
            field = b.value();
        } else if (key == "mtu") {
            if (!value.containsValueOfType<uint32_t>()) return bad_type(key, value, "u");
            auto mtu = value.get<uint32_t>();
            // 68: the IPv4 minimum (RFC 791); 65521: the tun driver's maximum.
            if (mtu < 68 || mtu > 65521)
                return make_error(ErrorKind::InvalidArgument,
                                  "mtu " + std::to_string(mtu) + " is out of range (68-65521)");
            out.mtu = mtu;
        } else if (key == "mac") {
            if (!value.containsValueOfType<std::string>()) return bad_type(key, value, "s");
            auto mac = value.get<std::string>();
            if (auto st = check_length("option 'mac':", mac, kMaxOptionString); !st)
                return st.error();
            if (auto st = validate_mac(mac); !st) return st.error();
            out.mac = mac;
        } else {
            return unknown_option(key);
        }
    }
    if (auto st = no_duplicates("addresses", out.addresses); !st) return st.error();
    if (auto st = no_duplicates("routes", out.routes); !st) return st.error();
    if (out.masquerade &&
        out.addresses.end() ==
            std::find_if(out.addresses.begin(), out.addresses.end(),
                         [](const Prefix& p) { return p.address.family == AF_INET; }))
        return make_error(ErrorKind::InvalidArgument,
                          "masquerade needs an IPv4 address on the tap (option 'addresses')");
    return out;
}

Result<OpenOptions> parse_open_options(const OptionMap& options, bool queues) {
    if (auto st = not_too_many(options); !st) return st.error();
    OpenOptions out;
    for (const auto& [key, value] : options) {
        if (key == "queues") {
            if (!queues)
                return make_error(ErrorKind::InvalidArgument,
                                  "option 'queues' is OpenTapQueues' (OpenTap returns one fd)");
            if (!value.containsValueOfType<uint32_t>()) return bad_type(key, value, "u");
            uint32_t n = value.get<uint32_t>();
            if (n == 0)
                return make_error(ErrorKind::InvalidArgument, "option 'queues': 0 (at least 1)");
            if (n > kMaxQueuesPerCall)
                return make_error(
                    ErrorKind::InvalidArgument,
                    "option 'queues': " + std::to_string(n) + " is more than " +
                        std::to_string(kMaxQueuesPerCall) +
                        ", the most fds the system bus passes in one message "
                        "(dbus-daemon's max_message_unix_fds); call again for more queues (the "
                        "kernel allows " +
                        std::to_string(kMaxTapQueues) + " per tap)");
            out.queues = n;
        } else if (key == "offloads") {
            auto names = get_strings(key, value);
            if (!names) return names.error();
            auto o = parse_offloads(names.value());
            if (!o)
                return make_error(ErrorKind::InvalidArgument,
                                  "option 'offloads': " + o.error().message);
            out.offloads = std::move(o.value());
        } else {
            return unknown_option(key);
        }
    }
    return out;
}

Result<CaptureOptions> parse_capture_options(const OptionMap& options) {
    if (auto st = not_too_many(options); !st) return st.error();
    CaptureOptions out;
    for (const auto& [key, value] : options) {
        if (key == "filter") {
            if (!value.containsValueOfType<std::string>()) return bad_type(key, value, "s");
            auto filter = value.get<std::string>();
            if (auto st = check_length("option 'filter':", filter, kMaxFilterLength); !st)
                return st.error();
            out.filter = std::move(filter);
            continue;
        }
        if (key != "snaplen") return unknown_option(key);
        if (!value.containsValueOfType<uint32_t>()) return bad_type(key, value, "u");
        uint32_t v = value.get<uint32_t>();
        if (v < 1 || v > kMaxSnaplen)
            return make_error(ErrorKind::InvalidArgument, "option 'snaplen': " + std::to_string(v) +
                                                              " is not in 1.." +
                                                              std::to_string(kMaxSnaplen));
        out.snaplen = v;
    }
    return out;
}

Result<AttachOptions> parse_attach_options(const OptionMap& options) {
    if (auto st = not_too_many(options); !st) return st.error();
    AttachOptions out;
    bool named = false;
    for (const auto& [key, value] : options) {
        if (key == "name" || key == "peer_name") {
            if (!value.containsValueOfType<std::string>()) return bad_type(key, value, "s");
            auto text = value.get<std::string>();
            if (auto st = check_length("option '" + key + "':", text, kMaxOptionString); !st)
                return st.error();
            (key == "name" ? out.name : out.peer_name) = text;
            named = named || key == "name";
        } else if (key == "addresses" || key == "gateway") {
            auto list = get_strings(key, value);
            if (!list) return list.error();
            for (const auto& text : list.value()) {
                auto p = parse_interface_address(text);
                if (!p)
                    return make_error(ErrorKind::InvalidArgument,
                                      "option '" + key + "': " + p.error().message);
                (key == "addresses" ? out.addresses : out.gateways).push_back(p.value());
            }
        } else if (key == "masquerade" || key == "persistent") {
            auto b = get_bool(key, value);
            if (!b) return b.error();
            (key == "masquerade" ? out.masquerade : out.persistent) = b.value();
        } else if (key == "mtu") {
            if (!value.containsValueOfType<uint32_t>()) return bad_type(key, value, "u");
            auto mtu = value.get<uint32_t>();
            // 68: the IPv4 minimum (RFC 791); 65535: veth's maximum (ETH_MAX_MTU).
            if (mtu < 68 || mtu > 65535)
                return make_error(ErrorKind::InvalidArgument,
                                  "mtu " + std::to_string(mtu) + " is out of range (68-65535)");
            out.mtu = mtu;
        } else if (key == "netlink") {
            if (!value.containsValueOfType<sdbus::UnixFd>()) return bad_type(key, value, "h");
            out.netlink = value.get<sdbus::UnixFd>();
        } else {
            return unknown_option(key);
        }
    }
    if (!named) return make_error(ErrorKind::InvalidArgument, "option 'name' is required");
    if (auto st = no_duplicates("addresses", out.addresses); !st) return st.error();
    if (auto st = no_duplicates("gateway", out.gateways); !st) return st.error();
    for (const auto& a : out.addresses) {
        bool inside = false;
        for (const auto& g : out.gateways) {
            if (g.address == a.address)
                return make_error(ErrorKind::InvalidArgument,
                                  "address " + a.str() + " is also a gateway");
            inside =
                inside || (g.address.family == a.address.family && g.network().contains(a.address));
        }
        if (!inside)
            return make_error(
                ErrorKind::InvalidArgument,
                "address " + a.str() + " lies in no gateway's network (option 'gateway')");
    }
    if (!out.addresses.empty() && !out.netlink)
        return make_error(ErrorKind::InvalidArgument,
                          "option 'addresses' needs option 'netlink', a NETLINK_ROUTE socket "
                          "opened inside the namespace");
    if (out.masquerade && std::none_of(out.gateways.begin(), out.gateways.end(),
                                       [](const Prefix& p) { return p.address.family == AF_INET; }))
        return make_error(ErrorKind::InvalidArgument,
                          "masquerade needs an IPv4 gateway (option 'gateway')");
    return out;
}

}  // namespace tapd
