// Tests for common/ifname: which tap names tapd accepts, and how refused names are quoted.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "ifname.hpp"

namespace tapd {
namespace {

using namespace std::string_literals;

::testing::AssertionResult RefusedNaming(std::string_view name, std::string_view text) {
    auto st = validate_ifname(name);
    if (st.ok()) return ::testing::AssertionFailure() << "was accepted";
    if (st.error().kind != ErrorKind::InvalidArgument)
        return ::testing::AssertionFailure() << "wrong error kind: " << st.error().message;
    if (st.error().message.find(text) == std::string::npos)
        return ::testing::AssertionFailure()
               << "message \"" << st.error().message << "\" does not hold \"" << text << "\"";
    return ::testing::AssertionSuccess();
}

bool is_allowed_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

TEST(Ifname, AcceptsOrdinaryTapNames) {
    for (const char* name : {"tap0", "t", "0", "Tap_0", "tap-0.x_y", "0tap", "vm.1-nic_2", "tap."})
        EXPECT_TRUE(validate_ifname(name).ok()) << name;
}

TEST(Ifname, AcceptsNameOfFifteenBytes) {
    std::string name = "abcdefghijklmno";
    ASSERT_EQ(name.size(), kMaxIfNameLength);
    EXPECT_TRUE(validate_ifname(name).ok());
}

TEST(Ifname, RefusesNameLongerThanFifteenBytes) {
    EXPECT_TRUE(RefusedNaming("abcdefghijklmnop", "'abcdefghijklmnop'"));
    EXPECT_TRUE(RefusedNaming("abcdefghijklmnop", "16 bytes"));
    EXPECT_TRUE(RefusedNaming(std::string(4096, 'a'), "4096 bytes"));
}

TEST(Ifname, RefusesEmptyName) {
    EXPECT_TRUE(RefusedNaming("", "empty"));
}

TEST(Ifname, RefusesDotAndDotDot) {
    EXPECT_TRUE(RefusedNaming(".", "'.'"));
    EXPECT_TRUE(RefusedNaming("..", "'..'"));
}

TEST(Ifname, RefusesNamesStartingWithPunctuation) {
    for (const char* name : {".x", "-x", "_x", "../x", ".tap0"})
        EXPECT_TRUE(RefusedNaming(name, "must start with a letter or digit")) << name;
}

TEST(Ifname, RefusesPathSeparators) {
    EXPECT_TRUE(RefusedNaming("x/y", "'x/y'"));
    EXPECT_TRUE(RefusedNaming("../x", "'../x'"));
}

TEST(Ifname, RefusesKernelNameTemplates) {
    EXPECT_TRUE(RefusedNaming("tap%d", "'tap%d'"));
}

TEST(Ifname, RefusesSpacesColonsAndQuotes) {
    EXPECT_TRUE(RefusedNaming("a b", "'a b'"));
    EXPECT_TRUE(RefusedNaming("tap:0", "'tap:0'"));
    // The quote itself is shown escaped so the message stays unambiguous.
    EXPECT_TRUE(RefusedNaming("tap'0", "'tap\\x270'"));
    EXPECT_TRUE(RefusedNaming("tap\\0", "'tap\\x5c0'"));
    EXPECT_TRUE(RefusedNaming("tap\"0", "'tap\"0'"));
}

TEST(Ifname, RefusesNonAsciiAndQuotesItsBytes) {
    EXPECT_TRUE(RefusedNaming("t\xc3\xa4p", "'t\\xc3\\xa4p'"));
    EXPECT_TRUE(RefusedNaming("\xc3\xa4p", "'\\xc3\\xa4p'"));
}

TEST(Ifname, RefusesControlBytesAndQuotesThemAsHex) {
    EXPECT_TRUE(RefusedNaming("tap\n", "'tap\\x0a'"));
    EXPECT_TRUE(RefusedNaming("tap\t0", "'tap\\x090'"));
    EXPECT_TRUE(RefusedNaming("tap\x7f", "'tap\\x7f'"));
    EXPECT_TRUE(RefusedNaming("tap\x1b[31m", "'tap\\x1b[31m'"));
    EXPECT_TRUE(RefusedNaming("\x01tap", "'\\x01tap'"));
}

TEST(Ifname, RefusesEmbeddedNulInsteadOfTruncating) {
    EXPECT_TRUE(RefusedNaming("tap\0x"s, "'tap\\x00x'"));
    EXPECT_TRUE(RefusedNaming("tap0\0"s, "'tap0\\x00'"));
    EXPECT_TRUE(RefusedNaming("\0"s, "'\\x00'"));
}

TEST(Ifname, MessagesNeverHoldRawControlOrNonAsciiBytes) {
    for (int c = 0; c < 256; ++c) {
        std::string name = "a"s + static_cast<char>(c);
        auto st = validate_ifname(name);
        if (st.ok()) continue;
        for (unsigned char m : st.error().message)
            EXPECT_TRUE(m >= 0x20 && m < 0x7f) << "byte " << c << " leaks into the message";
    }
}

TEST(Ifname, AcceptsExactlyLettersDigitsUnderscoreDashAndDotAfterTheFirstByte) {
    for (int c = 0; c < 256; ++c) {
        std::string name = "a"s + static_cast<char>(c) + "b";
        EXPECT_EQ(validate_ifname(name).ok(), is_allowed_char(static_cast<unsigned char>(c)))
            << "byte " << c;
    }
}

TEST(Ifname, AcceptsExactlyLettersAndDigitsAsTheFirstByte) {
    for (int c = 0; c < 256; ++c) {
        std::string name = static_cast<char>(c) + "ap"s;
        bool alnum =
            is_allowed_char(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.';
        EXPECT_EQ(validate_ifname(name).ok(), alnum) << "byte " << c;
    }
}

TEST(Ifname, TruncatesTheQuotedNameOfAHugeInput) {
    std::string name(100000, '\x01');
    auto st = validate_ifname(name);
    ASSERT_FALSE(st.ok());
    EXPECT_LT(st.error().message.size(), 400u);
    EXPECT_NE(st.error().message.find("..."), std::string::npos) << st.error().message;
}

}  // namespace
}  // namespace tapd
