// JSON with positions: nlohmann checks the syntax, a scanner builds a tree that keeps offsets.
#include "json_scanner.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "utf8.hpp"

namespace tapd {

using nlohmann::json;

namespace {

// The longest reason quoted from nlohmann in an error.
constexpr size_t kMaxReason = 256;

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

// Walks text that nlohmann has already accepted as JSON, so the scanner only has to find where
// tokens start and end, never to diagnose bad syntax; its bounds checks are for safety alone.
class Scanner {
  public:
    explicit Scanner(const JsonSource& src) : src_(src), t_(src.text()) {
        if (t_.starts_with("\xef\xbb\xbf")) i_ = 3;  // nlohmann skips a UTF-8 BOM too
    }

    Result<JsonNode> document() { return value(0); }

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

    Result<JsonNode> value(size_t depth) {
        skip_space();
        JsonNode n;
        n.offset = i_;
        char open = peek();
        if (open != '{' && open != '[') {
            auto j = scalar();
            if (!j) return j.error();
            n.scalar = std::move(j.value());
            return n;
        }
        if (depth >= kMaxJsonDepth)
            return src_.fail(i_, "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        bool object = open == '{';
        n.kind = object ? JsonNode::Kind::Object : JsonNode::Kind::Array;
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

    const JsonSource& src_;
    std::string_view t_;
    size_t i_ = 0;
};

}  // namespace

TextPosition locate(std::string_view text, size_t offset) {
    offset = std::min(offset, text.size());
    TextPosition at;
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

Error JsonSource::fail(size_t offset, const std::string& reason) const {
    return make_error(ErrorKind::InvalidArgument,
                      path_ + ":" + line_column(text_, offset) + ": " + reason);
}

Result<JsonNode> scan_json(const JsonSource& source) {
    std::optional<std::string> refused;
    try {
        [[maybe_unused]] auto document = json::parse(source.text());
    } catch (const json::parse_error& e) {
        // e.byte is the 1-based index of the character the parser stopped at (size + 1 at the end).
        return source.fail(e.byte == 0 ? 0 : e.byte - 1, nlohmann_reason(e.what()));
    } catch (const json::exception& e) {
        // Valid syntax but a value nlohmann refuses: the scanner finds which one and where.
        refused = nlohmann_reason(e.what());
    }
    Scanner scanner(source);
    auto root = scanner.document();
    if (!root) return root.error();
    if (refused) return source.fail(0, refused.value());
    return root;
}

const JsonNode* member(const JsonNode& object, std::string_view key) {
    for (const auto& m : object.children)
        if (m.key == key) return &m;
    return nullptr;
}

std::string shown(const JsonNode& n) {
    if (n.kind == JsonNode::Kind::Object) return "an object";
    if (n.kind == JsonNode::Kind::Array) return "an array";
    return printable_utf8(n.scalar.dump(-1, ' ', false, json::error_handler_t::replace),
                          kShownBytes);
}

std::string quoted(const std::string& text) {
    return printable_utf8(json(text).dump(-1, ' ', false, json::error_handler_t::replace),
                          kShownBytes);
}

}  // namespace tapd
