// Policy file: reading, position-aware parsing and validation, user-database lookups, grants.
//
// Positions: nlohmann-json 3.11 keeps no source positions in its values and gives its SAX handler
// none either, so parsing runs in two passes. nlohmann parses the whole text first; a syntax error
// carries the byte offset where it stopped. Once the text is known to be valid JSON, a small
// scanner walks it again and builds a tree of Nodes that remember where each key and value starts;
// each scalar token is decoded by nlohmann itself (json::parse of the token alone), so strings,
// escapes and numbers mean exactly what they mean to nlohmann. The tree keeps object members in
// file order with duplicates, which nlohmann's object (a std::map, last key wins) would silently
// drop.
#include "policy_file.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "ifname.hpp"
#include "log.hpp"
#include "unique_fd.hpp"
#include "utf8.hpp"

namespace tapd {

using nlohmann::json;

namespace {

// Deeper nesting than the format's four levels is refused; the bound keeps the recursive scanner's
// stack small whatever the file holds.
constexpr size_t kMaxDepth = 16;
// uid_t and gid_t are 32 bits; (uid_t)-1 means "no id" to chown() and setreuid().
constexpr uint64_t kMaxId = std::numeric_limits<uint32_t>::max() - 1;
// The longest reason quoted from nlohmann in an error.
constexpr size_t kMaxReason = 256;

struct Node {
    enum class Kind { Scalar, Object, Array };
    Kind kind = Kind::Scalar;
    size_t offset = 0;  // first byte of the value
    json scalar;        // Kind::Scalar only
    std::string key;    // as a member of an object
    size_t key_offset = 0;
    std::vector<Node> children;  // members or items, in file order
};

struct Location {
    size_t line = 1;
    size_t column = 1;
};

// Where byte OFFSET lies, both from 1; columns count UTF-8 characters, not bytes, so that they
// match what an editor shows on a line holding a non-ASCII user name.
Location locate(std::string_view text, size_t offset) {
    offset = std::min(offset, text.size());
    Location at;
    for (size_t i = 0; i < offset; ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            ++at.line;
            at.column = 1;
        } else if ((c & 0xc0) != 0x80) {
            ++at.column;
        }
    }
    return at;
}

std::string line_column(std::string_view text, size_t offset) {
    auto at = locate(text, offset);
    return std::to_string(at.line) + ":" + std::to_string(at.column);
}

// A value as the error message shows it: scalars as JSON text (cut short), containers by kind.
std::string shown(const Node& n) {
    if (n.kind == Node::Kind::Object) return "an object";
    if (n.kind == Node::Kind::Array) return "an array";
    return printable_utf8(n.scalar.dump(-1, ' ', false, json::error_handler_t::replace),
                          kShownBytes);
}

std::string quoted(const std::string& s) {
    return printable_utf8(json(s).dump(-1, ' ', false, json::error_handler_t::replace),
                          kShownBytes);
}

// nlohmann's what() is "[json.exception.parse_error.101] parse error at line L, column C: REASON"
// or "[json.exception.out_of_range.406] REASON"; the position is given separately (and counted our
// way), so only REASON is kept.
// REASON quotes the bytes nlohmann last read, which may be any bytes of the file (0xff, half a
// character) and as long as a string literal: it is made valid UTF-8 and bounded here.
std::string nlohmann_reason(const std::string& what) {
    auto at = what.find("column ");
    auto colon = at == std::string::npos ? at : what.find(": ", at);
    auto bracket = what.find("] ");
    std::string_view reason = what;
    if (colon != std::string::npos)
        reason.remove_prefix(colon + 2);
    else if (bracket != std::string::npos)
        reason.remove_prefix(bracket + 2);
    return printable_utf8(reason, kMaxReason);
}

// The error-reporting context of one parse: every error names the file and a position in it.
class Source {
  public:
    Source(std::string_view text, const std::string& path) : text_(text), path_(path) {}
    std::string_view text() const { return text_; }
    Error fail(size_t offset, const std::string& reason) const {
        return make_error(ErrorKind::InvalidArgument,
                          path_ + ":" + line_column(text_, offset) + ": " + reason);
    }

  private:
    std::string_view text_;
    const std::string& path_;
};

// Walks text that nlohmann has already accepted as JSON, so the scanner only has to find where
// tokens start and end, never to diagnose bad syntax; its bounds checks are for safety alone.
class Scanner {
  public:
    explicit Scanner(const Source& src) : src_(src), t_(src.text()) {
        if (t_.starts_with("\xef\xbb\xbf")) i_ = 3;  // nlohmann skips a UTF-8 BOM too
    }

    Result<Node> document() { return value(0); }

  private:
    char peek() const { return i_ < t_.size() ? t_[i_] : '\0'; }
    void skip_space() {
        while (i_ < t_.size() &&
               (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r'))
            ++i_;
    }
    // One past the end of the scalar token at i_.
    size_t token_end() const {
        size_t j = i_;
        if (peek() == '"') {
            for (++j; j < t_.size(); ++j) {
                if (t_[j] == '\\')
                    ++j;
                else if (t_[j] == '"')
                    return j + 1;
            }
            return t_.size();
        }
        while (j < t_.size() &&
               std::string_view(" \t\r\n,:]}").find(t_[j]) == std::string_view::npos)
            ++j;
        return j;
    }
    Result<json> scalar() {
        size_t end = token_end();
        json j;
        try {
            j = json::parse(t_.substr(i_, end - i_));
        } catch (const json::exception& e) {
            // Syntax was checked already; what is left is nlohmann refusing a value, such as a
            // number too large for a double, which it reports without a position.
            return src_.fail(i_, nlohmann_reason(e.what()));
        }
        if (j.is_structured()) return src_.fail(i_, "unexpected token");
        i_ = end;
        return j;
    }

    Result<Node> value(size_t depth) {
        skip_space();
        Node n;
        n.offset = i_;
        char open = peek();
        if (open != '{' && open != '[') {
            auto j = scalar();
            if (!j) return j.error();
            n.scalar = std::move(j.value());
            return n;
        }
        if (depth >= kMaxDepth)
            return src_.fail(i_, "nested deeper than " + std::to_string(kMaxDepth) + " levels");
        bool object = open == '{';
        n.kind = object ? Node::Kind::Object : Node::Kind::Array;
        char close = object ? '}' : ']';
        ++i_;
        skip_space();
        if (peek() == close) {
            ++i_;
            return n;
        }
        while (true) {
            std::string key;
            size_t key_offset = 0;
            if (object) {
                skip_space();
                key_offset = i_;
                auto k = scalar();
                if (!k) return k.error();
                if (!k->is_string()) return src_.fail(key_offset, "expected a key");
                key = k->get<std::string>();
                skip_space();
                if (peek() != ':') return src_.fail(i_, "expected ':'");
                ++i_;
            }
            auto child = value(depth + 1);
            if (!child) return child.error();
            child->key = std::move(key);
            child->key_offset = key_offset;
            n.children.push_back(std::move(child.value()));
            skip_space();
            if (peek() == ',') {
                ++i_;
                continue;
            }
            if (peek() != close) return src_.fail(i_, std::string("expected '") + close + "'");
            ++i_;
            return n;
        }
    }

    const Source& src_;
    std::string_view t_;
    size_t i_ = 0;
};

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

const Node* member(const Node& object, std::string_view key) {
    for (const auto& m : object.children)
        if (m.key == key) return &m;
    return nullptr;
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

// Looks NAME up with getpwnam_r or getgrnam_r, growing the buffer on ERANGE. Returns the id, or an
// Error whose message is a bare reason (the caller adds the position).
template <class Entry, class Id>
Result<Id> lookup(const std::string& name, const char* kind,
                  int (*get)(const char*, Entry*, char*, size_t, Entry**), Id Entry::*id) {
    std::vector<char> buf(1024);
    while (true) {
        Entry entry{};
        Entry* found = nullptr;
        int err = get(name.c_str(), &entry, buf.data(), buf.size(), &found);
        if (err == ERANGE && buf.size() < (1u << 20)) {
            buf.resize(buf.size() * 2);
            continue;
        }
        if (err != 0)
            return make_error(
                ErrorKind::Failed,
                errno_text(std::string("cannot look up ") + kind + " " + quoted(name), err));
        if (!found) {
            bool digits =
                !name.empty() && name.find_first_not_of("0123456789") == std::string::npos;
            return make_error(
                ErrorKind::InvalidArgument,
                std::string("unknown ") + kind + " " + quoted(name) +
                    (digits ? " (write a numeric id without quotes: " + name + ")" : ""));
        }
        return found->*id;
    }
}

// "users" or "groups": a list of names and numeric ids, resolved to ids.
template <class Id>
Status ids(const Source& src, const Node& n, const std::string& where, bool users,
           std::vector<Id>& out) {
    const char* kind = users ? "user" : "group";
    auto items = array(src, n, where, std::string(kind) + " names and ids");
    if (!items) return items.error();
    for (size_t i = 0; i < items.value()->size(); ++i) {
        const Node& item = (*items.value())[i];
        auto at = where + "[" + std::to_string(i) + "]";
        if (item.kind == Node::Kind::Scalar && item.scalar.is_string()) {
            auto name = string(src, item, at);
            if (!name) return name.error();
            Result<Id> id =
                users ? lookup<passwd, uid_t>(name.value(), kind, getpwnam_r, &passwd::pw_uid)
                      : lookup<group, gid_t>(name.value(), kind, getgrnam_r, &group::gr_gid);
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
            st = ids(src, m, at, true, rule.uids);
        } else if (m.key == "groups") {
            st = ids(src, m, at, false, rule.gids);
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

Result<Policy> parse_document(const Source& src, const Node& root, const std::string& path) {
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
    if (auto st = check_keys(src, root, {"version", "rules", "comment", "limits"}, ""); !st)
        return st.error();
    Policy policy;
    policy.source = path;
    policy.from_file = true;
    if (const Node* comment = member(root, "comment"))
        if (auto text = string(src, *comment, "comment"); !text) return text.error();
    if (const Node* limits = member(root, "limits")) {
        auto parsed = parse_limits(src, *limits);
        if (!parsed) return parsed.error();
        policy.limits = parsed.value();
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

template <class T>
void add_unique(std::vector<T>& to, const std::vector<T>& from) {
    for (const auto& x : from)
        if (std::find(to.begin(), to.end(), x) == to.end()) to.push_back(x);
}

// "PATH: not a regular file (a FIFO)": what is at PATH, by name.
std::string not_a_regular_file(const std::string& path, mode_t mode) {
    const char* kind = S_ISDIR(mode)    ? "a directory"
                       : S_ISFIFO(mode) ? "a FIFO"
                       : S_ISSOCK(mode) ? "a socket"
                       : S_ISCHR(mode)  ? "a character device"
                       : S_ISBLK(mode)  ? "a block device"
                                        : "not a file";
    return path + ": not a regular file (" + kind + ")";
}

// " (a symlink to TARGET, which does not exist)" when PATH is a dangling symlink, else "": a
// missing file and a broken link look alike to open(), not to whoever has to fix it.
std::string dangling_symlink(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return "";
    char target[4096];
    ssize_t n = ::readlink(path.c_str(), target, sizeof target);
    if (n < 0) return " (a symlink)";
    return " (a symlink to " + std::string(target, static_cast<size_t>(n)) +
           ", which does not exist)";
}

}  // namespace

Policy default_policy() {
    Policy p;
    p.source = "built-in default (root only)";
    return p;
}

Result<Policy> parse_policy(std::string_view text, const std::string& path) {
    Source src(text, path);
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return src.fail(0,
                        "the file is empty (a policy that allows only root is "
                        "{\"version\": 1, \"rules\": []})");
    std::optional<std::string> refused;
    try {
        [[maybe_unused]] auto document = json::parse(text);
    } catch (const json::parse_error& e) {
        // e.byte is the 1-based index of the character the parser stopped at (size + 1 at the end).
        return src.fail(e.byte == 0 ? 0 : e.byte - 1, nlohmann_reason(e.what()));
    } catch (const json::exception& e) {
        // Valid syntax but a value nlohmann refuses: the scanner finds which one and where.
        refused = nlohmann_reason(e.what());
    }
    Scanner scanner(src);
    auto root = scanner.document();
    if (!root) return root.error();
    if (refused) return src.fail(0, refused.value());
    return parse_document(src, root.value(), path);
}

Result<Policy> load_policy(const std::string& path, LoadTime when) {
    // The type first, without opening: opening a FIFO for reading blocks until a writer comes, and
    // opening a device can have effects of its own. O_NONBLOCK covers a swap after this check.
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
        return make_error(ErrorKind::Failed, not_a_regular_file(path, st.st_mode));
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd) {
        int err = errno;
        if (err != ENOENT) return make_error(ErrorKind::Failed, errno_text(path, err));
        if (when == LoadTime::Check)
            return make_error(ErrorKind::Failed, errno_text(path, err) + dangling_symlink(path));
        if (when == LoadTime::Reload)
            return make_error(ErrorKind::Failed,
                              errno_text(path, err) + dangling_symlink(path) +
                                  "; only at start does a missing policy file mean root only");
        log::info("policy: no file at " + log::value(path, log::kMaxLine) + dangling_symlink(path) +
                  "; only root may use tapd until one is written");
        return default_policy();
    }
    // Checked again on the open fd, not the path, so that what is checked is what is read.
    if (::fstat(fd.get(), &st) != 0) return make_error(ErrorKind::Failed, errno_text(path, errno));
    if (!S_ISREG(st.st_mode))
        return make_error(ErrorKind::Failed, not_a_regular_file(path, st.st_mode));
    if (st.st_uid != 0 && st.st_uid != ::geteuid())
        return make_error(ErrorKind::PermissionDenied, path + ": owned by uid " +
                                                           std::to_string(st.st_uid) +
                                                           "; the policy must belong to root");
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return make_error(ErrorKind::PermissionDenied,
                          path + ": writable by group or others (mode " + mode +
                              "); whoever may write the policy may grant themselves anything");
    }
    if (static_cast<uint64_t>(st.st_size) > kMaxPolicyFileSize)
        return make_error(ErrorKind::Failed, path + ": " + std::to_string(st.st_size) +
                                                 " bytes (at most " +
                                                 std::to_string(kMaxPolicyFileSize) + ")");
    std::string text;
    char buf[16384];
    while (true) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return make_error(ErrorKind::Failed, errno_text("read " + path, errno));
        if (n == 0) break;
        text.append(buf, static_cast<size_t>(n));
        // The size can change between fstat() and read(); the bound holds for what is read.
        if (text.size() > kMaxPolicyFileSize)
            return make_error(ErrorKind::Failed, path + ": more than " +
                                                     std::to_string(kMaxPolicyFileSize) + " bytes");
    }
    return parse_policy(text, path);
}

PolicyGrant grant_for(const Policy& policy, uid_t uid, const std::vector<gid_t>& groups) {
    PolicyGrant g;
    if (uid == 0) {
        g.unlimited = true;
        g.max_taps = g.max_captures = g.max_raw_sockets = std::numeric_limits<size_t>::max();
        g.prefixes = {parse_network("0.0.0.0/0").value(), parse_network("::/0").value()};
        g.masquerade = g.persistent = g.owner_access = g.raw_sockets = g.capture = true;
        g.default_route = true;
        return g;
    }
    for (size_t i = 0; i < policy.rules.size(); ++i) {
        const Rule& r = policy.rules[i];
        bool by_uid = std::find(r.uids.begin(), r.uids.end(), uid) != r.uids.end();
        bool by_group = std::any_of(r.gids.begin(), r.gids.end(), [&](gid_t gid) {
            return std::find(groups.begin(), groups.end(), gid) != groups.end();
        });
        if (!by_uid && !by_group) continue;
        // The union: each matching rule can only add to what the others allow.
        g.matched_rules.push_back(i);
        g.max_taps = std::max(g.max_taps, r.max_taps);
        add_unique(g.name_prefixes, {r.name_prefix});
        add_unique(g.prefixes, r.prefixes);
        g.masquerade |= r.masquerade;
        g.persistent |= r.persistent;
        g.owner_access |= r.owner_access;
        g.raw_sockets |= r.raw_sockets;
        g.capture |= r.capture;
        g.default_route |= r.default_route;
        // A count comes with its permission: a rule that does not grant capture cannot raise
        // the limit another rule set for it.
        if (r.capture) g.max_captures = std::max(g.max_captures, r.max_captures);
        if (r.raw_sockets) g.max_raw_sockets = std::max(g.max_raw_sockets, r.max_raw_sockets);
    }
    return g;
}

std::vector<gid_t> groups_of(uid_t uid) {
    std::vector<char> buf(1024);
    passwd entry{};
    passwd* found = nullptr;
    while (true) {
        int err = ::getpwuid_r(uid, &entry, buf.data(), buf.size(), &found);
        if (err == ERANGE && buf.size() < (1u << 20)) {
            buf.resize(buf.size() * 2);
            continue;
        }
        if (err != 0 || !found) return {};
        break;
    }
    std::vector<gid_t> groups(32);
    while (true) {
        int n = static_cast<int>(groups.size());
        if (::getgrouplist(found->pw_name, found->pw_gid, groups.data(), &n) >= 0) {
            groups.resize(static_cast<size_t>(n));
            break;
        }
        // Too small: n now holds the number needed (glibc); grow at least twofold regardless.
        if (groups.size() >= 65536) break;
        groups.resize(std::max(static_cast<size_t>(n), groups.size() * 2));
    }
    // getgrouplist() puts the primary group in the list; make sure it is first and only once.
    auto primary = found->pw_gid;
    groups.erase(std::remove(groups.begin(), groups.end(), primary), groups.end());
    groups.insert(groups.begin(), primary);
    return groups;
}

Status check_name(const PolicyGrant& grant, const std::string& name) {
    if (auto st = validate_ifname(name); !st) return st;
    if (grant.unlimited) return {};
    for (const auto& p : grant.name_prefixes)
        if (name.starts_with(p)) return {};
    if (grant.name_prefixes.empty())
        return make_error(ErrorKind::PermissionDenied,
                          "tap name '" + name + "': no policy rule lets you create taps");
    std::string list;
    for (const auto& p : grant.name_prefixes) list += (list.empty() ? "'" : ", '") + p + "'";
    return make_error(ErrorKind::PermissionDenied,
                      "tap name '" + name + "' must start with " +
                          (grant.name_prefixes.size() > 1 ? "one of " : "") + list);
}

Status check_prefix(const PolicyGrant& grant, const Prefix& prefix, const char* what) {
    if (grant.unlimited) return {};
    // contains() compares networks: the candidate's length must be at least the allowed one's, and
    // its address cut to the allowed length must equal the allowed network. So an interface
    // address with host bits fits its network, and a larger network never fits a smaller one.
    for (const auto& allowed : grant.prefixes) {
        if (!allowed.contains(prefix)) continue;
        // A rule grants a /0 only with default_route (parse_rule); the grant is checked here
        // too, so that the permission is named where it is missing.
        if (prefix.length == 0 && !grant.default_route)
            return make_error(ErrorKind::PermissionDenied,
                              std::string(what) + " " + prefix.str() +
                                  " would take all of the host's traffic through your tap; the "
                                  "policy does not allow you default routes (\"default_route\")");
        return {};
    }
    return make_error(ErrorKind::PermissionDenied, std::string(what) + " " + prefix.str() +
                                                       " is outside the prefixes you may use");
}

}  // namespace tapd
