// Tests for daemon/policy/json_scanner: the tree keeps every member in file order with the offsets
// of its key and value, and errors name their line and column.
#include "json_scanner.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tapd {
namespace {

const std::string kPath = "x.json";

TEST(JsonScanner, KeepsMembersInFileOrderWithDuplicatesAndOffsets) {
    std::string text = "{\"b\": 1, \"a\": [true, \"s\"], \"b\": {}}";
    JsonSource src(text, kPath);
    auto root = scan_json(src);
    ASSERT_TRUE(root.ok()) << root.error().message;
    ASSERT_EQ(root->kind, JsonNode::Kind::Object);
    ASSERT_EQ(root->children.size(), 3u);
    const auto& m = root->children;
    EXPECT_EQ(m[0].key, "b");
    EXPECT_EQ(m[0].key_offset, 1u);
    EXPECT_EQ(m[0].offset, 6u);
    EXPECT_EQ(m[0].scalar, 1);
    EXPECT_EQ(m[1].key, "a");
    ASSERT_EQ(m[1].kind, JsonNode::Kind::Array);
    ASSERT_EQ(m[1].children.size(), 2u);
    EXPECT_EQ(m[1].children[1].scalar, "s");
    EXPECT_EQ(m[1].children[1].offset, text.find("\"s\""));
    EXPECT_EQ(m[2].kind, JsonNode::Kind::Object);
    EXPECT_EQ(member(root.value(), "b"), &m[0]);
    EXPECT_EQ(member(root.value(), "c"), nullptr);
}

TEST(JsonScanner, CountsLinesAndCharactersFromOne) {
    std::string_view text =
        "a\n\xc3\xbc"
        "bc";
    EXPECT_EQ(line_column(text, 0), "1:1");
    EXPECT_EQ(line_column(text, 2), "2:1");
    EXPECT_EQ(line_column(text, 4), "2:2");  // after the two bytes of one character
    EXPECT_EQ(line_column(text, 99), "2:4");
}

TEST(JsonScanner, ReportsBadSyntaxAtItsPosition) {
    std::string text = "{\n  \"a\": tru }";
    auto root = scan_json(JsonSource(text, kPath));
    ASSERT_FALSE(root.ok());
    EXPECT_EQ(root.error().kind, ErrorKind::InvalidArgument);
    EXPECT_EQ(root.error().message.rfind("x.json:2:", 0), 0u) << root.error().message;
}

TEST(JsonScanner, RefusesNestingDeeperThanItsBound) {
    std::string deep = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
    auto root = scan_json(JsonSource(deep, kPath));
    ASSERT_FALSE(root.ok());
    EXPECT_NE(root.error().message.find("nested deeper than 16 levels"), std::string::npos)
        << root.error().message;
    std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
    EXPECT_TRUE(scan_json(JsonSource(ok, kPath)).ok());
}

TEST(JsonScanner, ShowsValuesAsJsonAndContainersByKind) {
    std::string text = "[\"a\\\"b\", 2.5, {}, []]";
    auto root = scan_json(JsonSource(text, kPath));
    ASSERT_TRUE(root.ok()) << root.error().message;
    EXPECT_EQ(shown(root->children[0]), "\"a\\\"b\"");
    EXPECT_EQ(shown(root->children[1]), "2.5");
    EXPECT_EQ(shown(root->children[2]), "an object");
    EXPECT_EQ(shown(root->children[3]), "an array");
    EXPECT_EQ(quoted("x\xff"), "\"x\xef\xbf\xbd\"");  // a byte that is no character: U+FFFD
}

}  // namespace
}  // namespace tapd
