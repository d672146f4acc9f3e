// The policy file's parser: rules and limits from a scanned JSON tree, every error at its key or
// value ("PATH:LINE:COLUMN: reason").
#include "policy_file.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <utility>

#include "ifname.hpp"
#include "json_scanner.hpp"
#include "users.hpp"

namespace tapd {

namespace {

using Node = JsonNode;
using Source = JsonSource;

// uid_t and gid_t are 32 bits; (uid_t)-1 means "no id" to chown() and setreuid().
constexpr uint64_t kMaxId = std::numeric_limits<uint32_t>::max() - 1;

// Checks an object's keys against KNOWN, in file order: a duplicate or an unknown key is an error
// at the key itself. WHERE is the object's JSON path, "" for the top level.
Status check_keys(const Source& src, const Node& object, const std::vector<std::string>& known,
                  const std::string& where) {
    std::map<std::string, size_t> seen;
    for (const auto& m : object.children) {
        if (std::find(known.begin(), known.end(), m.key) == known.end()) {
            std::string list;
            for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
            return src.fail(m.key_offset, "unknown key " + quoted(m.key) +
                                              (where.empty() ? "" : " in " + where) +
                                              " (known keys: " + list + ")");
        }
        auto [it, fresh] = seen.emplace(m.key, m.key_offset);
        if (!fresh)
            return src.fail(m.key_offset, "duplicate key " + quoted(m.key) + " (first at " +
                                              line_column(src.text(), it->second) + ")");
    }
    return {};
}

Error wrong(const Source& src, const Node& n, const std::string& where,
            const std::string& expected) {
    return src.fail(n.offset, where + ": expected " + expected + ", got " + shown(n));
}

Result<uint64_t> whole_number(const Source& src, const Node& n, const std::string& where,
                              uint64_t max) {
    std::string expected = "a whole number from 0 to " + std::to_string(max);
    if (n.kind != Node::Kind::Scalar || !n.scalar.is_number_integer())
        return wrong(src, n, where, expected);
    // nlohmann stores non-negative integers as unsigned, except "-0", which is a signed 0.
    if (n.scalar.is_number_unsigned() ? n.scalar.get<uint64_t>() <= max
                                      : n.scalar.get<int64_t>() == 0)
        return n.scalar.get<uint64_t>();
    return wrong(src, n, where, expected);  // negative, or too large
}

Result<bool> boolean(const Source& src, const Node& n, const std::string& where) {
    if (n.kind != Node::Kind::Scalar || !n.scalar.is_boolean())
        return wrong(src, n, where, "true or false");
    return n.scalar.get<bool>();
}

Result<std::string> string(const Source& src, const Node& n, const std::string& where) {
    if (n.kind != Node::Kind::Scalar || !n.scalar.is_string())
        return wrong(src, n, where, "a string");
    auto s = n.scalar.get<std::string>();
    // C library calls (getpwnam, inet_pton) would stop at a NUL and see a different string.
    if (s.find('\0') != std::string::npos)
        return src.fail(n.offset, where + ": " + shown(n) + " holds a NUL character");
    return s;
}

Result<const std::vector<Node>*> array(const Source& src, const Node& n, const std::string& where,
                                       const std::string& of) {
    if (n.kind != Node::Kind::Array) return wrong(src, n, where, "an array of " + of);
    return &n.children;
}

// NAME resolved by LOOKUP (look_up_user or look_up_group); KIND ("user") words the errors, which
// are a bare reason (the caller adds the position).
template <class Id>
Result<Id> resolve(const std::string& name, const char* kind,
                   NameLookup<Id> (*lookup)(const std::string&)) {
    auto found = lookup(name);
    if (found.err != 0)
        return errno_error(ErrorKind::Failed,
                           std::string("cannot look up ") + kind + " " + quoted(name), found.err);
    if (!found.id) {
        bool digits = !name.empty() && name.find_first_not_of("0123456789") == std::string::npos;
        return make_error(ErrorKind::InvalidArgument,
                          std::string("unknown ") + kind + " " + quoted(name) +
                              (digits ? " (write a numeric id without quotes: " + name + ")" : ""));
    }
    return found.id.value();
}

// "users" or "groups": a list of names and numeric ids, resolved to ids by LOOKUP; KIND ("user")
// words the errors.
template <class Id>
Status ids(const Source& src, const Node& n, const std::string& where, const char* kind,
           NameLookup<Id> (*lookup)(const std::string&), std::vector<Id>& out) {
    auto items = array(src, n, where, std::string(kind) + " names and ids");
    if (!items) return items.error();
    for (size_t i = 0; i < items.value()->size(); ++i) {
        const Node& item = (*items.value())[i];
        auto at = where + "[" + std::to_string(i) + "]";
        if (item.kind == Node::Kind::Scalar && item.scalar.is_string()) {
            auto name = string(src, item, at);
            if (!name) return name.error();
            auto id = resolve(name.value(), kind, lookup);
            if (!id) return src.fail(item.offset, at + ": " + id.error().message);
            out.push_back(id.value());
        } else if (item.kind == Node::Kind::Scalar && item.scalar.is_number()) {
            auto id = whole_number(src, item, at, kMaxId);
            if (!id) return id.error();
            out.push_back(static_cast<Id>(id.value()));
        } else {
            return wrong(src, item, at, std::string("a ") + kind + " name or a numeric id");
        }
    }
    return {};
}

// The shortest prefix length a rule may grant without "default_route".
int broad_limit(const Prefix& p) {
    return p.address.family == AF_INET ? kBroadPrefix4 : kBroadPrefix6;
}

Result<Rule> parse_rule(const Source& src, const Node& n, const std::string& where) {
    if (n.kind != Node::Kind::Object) return wrong(src, n, where, "an object (a rule)");
    static const std::vector<std::string> known = {
        "users",      "groups",       "max_taps",        "name_prefix",  "prefixes",
        "masquerade", "persistent",   "owner_access",    "raw_sockets",  "capture",
        "comment",    "max_captures", "max_raw_sockets", "default_route"};
    if (auto st = check_keys(src, n, known, where); !st) return st.error();
    Rule rule;
    rule.line = locate(src.text(), n.offset).line;
    const Node* broad = nullptr;  // the first prefix in "prefixes" shorter than kBroadPrefix*
    std::string broad_at;
    Prefix broad_prefix;
    for (const auto& m : n.children) {
        auto at = where + "." + m.key;
        Status st;
        auto flag = [&](bool& field) {
            auto b = boolean(src, m, at);
            if (!b) return Status(b.error());
            field = b.value();
            return Status();
        };
        if (m.key == "users") {
            st = ids(src, m, at, "user", look_up_user, rule.uids);
        } else if (m.key == "groups") {
            st = ids(src, m, at, "group", look_up_group, rule.gids);
        } else if (m.key == "max_taps") {
            auto v = whole_number(src, m, at, kMaxTapsPerRule);
            if (!v) return v.error();
            rule.max_taps = v.value();
        } else if (m.key == "max_captures") {
            auto v = whole_number(src, m, at, kMaxCapturesPerRule);
            if (!v) return v.error();
            rule.max_captures = v.value();
        } else if (m.key == "max_raw_sockets") {
            auto v = whole_number(src, m, at, kMaxRawSocketsPerRule);
            if (!v) return v.error();
            rule.max_raw_sockets = v.value();
        } else if (m.key == "name_prefix") {
            auto s = string(src, m, at);
            if (!s) return s.error();
            // The prefix must leave room for at least one more character of a valid name.
            auto valid = validate_ifname(s.value());
            if (!valid) return src.fail(m.offset, at + ": " + valid.error().message);
            if (s->size() > kMaxIfNameLength - 1)
                return src.fail(m.offset, at + ": " + shown(m) + " is " +
                                              std::to_string(s->size()) + " bytes long (at most " +
                                              std::to_string(kMaxIfNameLength - 1) +
                                              ", so that a name can follow)");
            rule.name_prefix = s.value();
        } else if (m.key == "prefixes") {
            auto items = array(src, m, at, "networks such as \"192.168.69.0/24\"");
            if (!items) return items.error();
            for (size_t i = 0; i < items.value()->size(); ++i) {
                const Node& item = (*items.value())[i];
                auto item_at = at + "[" + std::to_string(i) + "]";
                auto s = string(src, item, item_at);
                if (!s) return s.error();
                // parse_network() reads a bare address as a host (/32); in a policy that is more
                // likely a forgotten length, so the length is required.
                if (s->find('/') == std::string::npos)
                    return src.fail(item.offset, item_at + ": " + shown(item) +
                                                     " has no prefix length (write ADDR/PLEN)");
                auto p = parse_network(s.value());
                if (!p) return src.fail(item.offset, item_at + ": " + p.error().message);
                rule.prefixes.push_back(p.value());
                if (!broad && p->length < broad_limit(p.value())) {
                    broad = &item;
                    broad_at = item_at;
                    broad_prefix = p.value();
                }
            }
        } else if (m.key == "masquerade") {
            st = flag(rule.masquerade);
        } else if (m.key == "persistent") {
            st = flag(rule.persistent);
        } else if (m.key == "owner_access") {
            st = flag(rule.owner_access);
        } else if (m.key == "raw_sockets") {
            st = flag(rule.raw_sockets);
        } else if (m.key == "capture") {
            st = flag(rule.capture);
        } else if (m.key == "default_route") {
            st = flag(rule.default_route);
        } else if (m.key == "comment") {
            auto s = string(src, m, at);
            if (!s) return s.error();
            rule.comment = s.value();
        }
        if (!st) return st.error();
    }
    // Any address or route inside 0.0.0.0/0 is a route of the host's traffic through a user's
    // tap; that is never granted by accident.
    if (broad && !rule.default_route)
        return src.fail(
            broad->offset,
            broad_at + ": " + shown(*broad) +
                (broad_prefix.length == 0
                     ? " covers every address"
                     : " is broader than /" + std::to_string(broad_limit(broad_prefix))) +
                ": routes inside it divert the host's traffic to a user's tap; add "
                "\"default_route\": true to this rule if that is meant");
    // An empty rule would match nobody; it is almost certainly a mistake, so say so.
    if (rule.uids.empty() && rule.gids.empty())
        return src.fail(n.offset, where + ": a rule needs at least one user or group");
    return rule;
}

// "limits": tapd's own bounds for all callers together.
Result<Limits> parse_limits(const Source& src, const Node& n) {
    if (n.kind != Node::Kind::Object) return wrong(src, n, "limits", "an object");
    if (auto st = check_keys(src, n, {"captures", "raw_sockets"}, "limits"); !st) return st.error();
    Limits limits;
    for (const auto& m : n.children) {
        bool captures = m.key == "captures";
        auto v = whole_number(src, m, "limits." + m.key,
                              captures ? kMaxCaptureLimit : kMaxRawSocketLimit);
        if (!v) return v.error();
        (captures ? limits.captures : limits.raw_sockets) = v.value();
    }
    return limits;
}

// "integrations": what tapd does about Docker's and firewalld's rules.
Result<Integrations> parse_integrations(const Source& src, const Node& n) {
    if (n.kind != Node::Kind::Object) return wrong(src, n, "integrations", "an object");
    if (auto st = check_keys(src, n, {"docker", "firewalld_zone"}, "integrations"); !st)
        return st.error();
    Integrations out;
    for (const auto& m : n.children) {
        auto at = "integrations." + m.key;
        if (m.key == "docker") {
            auto b = boolean(src, m, at);
            if (!b) return b.error();
            out.docker = b.value();
            continue;
        }
        auto zone = string(src, m, at);
        if (!zone) return zone.error();
        bool valid = !zone->empty() && zone->size() <= kMaxFirewalldZoneLength &&
                     zone->find_first_not_of(
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                         "0123456789_-") == std::string::npos;
        if (!valid)
            return src.fail(m.offset, at + ": " + shown(m) +
                                          " is not a firewalld zone name (1 to " +
                                          std::to_string(kMaxFirewalldZoneLength) +
                                          " of A-Z a-z 0-9 _ -, such as \"trusted\")");
        out.firewalld_zone = zone.value();
    }
    return out;
}

Result<PolicyFileContents> parse_document(const Source& src, const Node& root) {
    if (root.kind != Node::Kind::Object)
        return src.fail(root.offset, "the policy must be a JSON object, not " + shown(root));
    // The version is checked first so that a newer file is refused for its version, not for the
    // first key this tapd does not know.
    const Node* version = member(root, "version");
    if (!version)
        return src.fail(root.offset, "missing key \"version\" (this tapd reads version 1)");
    if (version->kind != Node::Kind::Scalar || !version->scalar.is_number())
        return wrong(src, *version, "version", "the number 1");
    if (!version->scalar.is_number_integer() || version->scalar != 1)
        return src.fail(version->offset, "version: unsupported version " + shown(*version) +
                                             " (this tapd reads version 1)");
    if (auto st =
            check_keys(src, root, {"version", "rules", "comment", "limits", "integrations"}, "");
        !st)
        return st.error();
    PolicyFileContents policy;
    if (const Node* comment = member(root, "comment"))
        if (auto text = string(src, *comment, "comment"); !text) return text.error();
    if (const Node* limits = member(root, "limits")) {
        auto parsed = parse_limits(src, *limits);
        if (!parsed) return parsed.error();
        policy.limits = parsed.value();
    }
    if (const Node* integrations = member(root, "integrations")) {
        auto parsed = parse_integrations(src, *integrations);
        if (!parsed) return parsed.error();
        policy.integrations = parsed.value();
    }
    const Node* rules = member(root, "rules");
    if (!rules) return src.fail(root.offset, "missing key \"rules\" (an array, may be empty)");
    auto items = array(src, *rules, "rules", "rules");
    if (!items) return items.error();
    for (size_t i = 0; i < items.value()->size(); ++i) {
        auto rule = parse_rule(src, (*items.value())[i], "rules[" + std::to_string(i) + "]");
        if (!rule) return rule.error();
        policy.rules.push_back(std::move(rule.value()));
    }
    return policy;
}

}  // namespace

Result<PolicyFileContents> parse_policy_file(std::string_view text, const std::string& path) {
    Source src(text, path);
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return src.fail(0,
                        "the file is empty (a policy that allows only root is "
                        "{\"version\": 1, \"rules\": []})");
    auto root = scan_json(src);
    if (!root) return root.error();
    return parse_document(src, root.value());
}

}  // namespace tapd
