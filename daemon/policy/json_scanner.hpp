// JSON with positions: a tree of nodes that remember where each key and value starts in the text,
// and errors that say "PATH:LINE:COLUMN: reason". What the policy file parser reads.
//
// Why a scanner of our own: nlohmann-json 3.11 keeps no source positions in its values and gives
// its SAX handler none either, so scan_json() runs in two passes. nlohmann parses the whole text
// first; a syntax error carries the byte offset where it stopped. Once the text is known to be
// valid JSON, a small scanner walks it again and builds the tree; each scalar token is decoded by
// nlohmann itself (json::parse of the token alone), so strings, escapes and numbers mean exactly
// what they mean to nlohmann. The tree keeps object members in file order with duplicates, which
// nlohmann's object (a std::map, last key wins) would silently drop.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "result.hpp"

namespace tapd {

// Deeper nesting is refused; the bound keeps the recursive scanner's stack small whatever the
// text holds.
inline constexpr size_t kMaxJsonDepth = 16;

struct JsonNode {
    enum class Kind { Scalar, Object, Array };
    Kind kind = Kind::Scalar;
    size_t offset = 0;               // first byte of the value
    nlohmann::json scalar;           // Kind::Scalar only
    std::string key;                 // as a member of an object
    size_t key_offset = 0;           // first byte of the key
    std::vector<JsonNode> children;  // members or items, in file order
};

// Where a byte lies in a text, both from 1.
struct TextPosition {
    size_t line = 1;
    size_t column = 1;
};

// Where byte OFFSET of TEXT lies; columns count UTF-8 characters, not bytes, so that they match
// what an editor shows on a line holding a non-ASCII user name.
TextPosition locate(std::string_view text, size_t offset);
// "LINE:COLUMN" of OFFSET.
std::string line_column(std::string_view text, size_t offset);

// A text and the path that names it: the error-reporting context of one parse.
class JsonSource {
  public:
    // TEXT and PATH must outlive the source.
    JsonSource(std::string_view text, const std::string& path) : text_(text), path_(path) {}
    std::string_view text() const { return text_; }
    // InvalidArgument "PATH:LINE:COLUMN: REASON" for byte OFFSET.
    Error fail(size_t offset, const std::string& reason) const;

  private:
    std::string_view text_;
    const std::string& path_;
};

// Parses SOURCE's text (a UTF-8 byte order mark is skipped, as nlohmann does). Returns the root
// node, or an error at the byte where nlohmann stopped (bad syntax), at the value it refuses (a
// number too large for a double), or at the container nested deeper than kMaxJsonDepth.
Result<JsonNode> scan_json(const JsonSource& source);

// The first member of OBJECT named KEY, or nullptr.
const JsonNode* member(const JsonNode& object, std::string_view key);

// A value as an error message shows it: scalars as JSON text (valid UTF-8, cut short), containers
// by kind ("an object", "an array").
std::string shown(const JsonNode& node);
// TEXT as a JSON string literal, made valid UTF-8 and cut short, for error messages.
std::string quoted(const std::string& text);

}  // namespace tapd
