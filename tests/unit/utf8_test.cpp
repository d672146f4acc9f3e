// Tests for common/utf8: printable_utf8 on byte arrays (cuts inside characters, overlong
// encodings, surrogates, bytes that never occur in UTF-8), and the bound.
#include <gtest/gtest.h>

#include <string>

#include "utf8.hpp"

namespace tapd {
namespace {

using namespace std::string_literals;

// Whether S is well-formed UTF-8, decoded independently of the code under test (by the rules of
// RFC 3629 written out as code points: no overlong forms, no surrogates, nothing above U+10FFFF).
bool valid_utf8(const std::string& s) {
    for (size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        uint32_t cp = n == 1 ? c : c & (0x7f >> n);
        for (size_t k = 1; k < n; ++k) {
            auto t = static_cast<unsigned char>(s[i + k]);
            if ((t & 0xc0) != 0x80) return false;
            cp = cp << 6 | (t & 0x3f);
        }
        static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += n;
    }
    return true;
}

std::string p(const std::string& s, size_t max = 1000) {
    return printable_utf8(s, max);
}

TEST(PrintableUtf8, LeavesValidTextAlone) {
    EXPECT_EQ(p("tap0"), "tap0");
    EXPECT_EQ(p(""), "");
    EXPECT_EQ(p("caf\xc3\xa9"), "caf\xc3\xa9");                            // é, 2 bytes
    EXPECT_EQ(p("\xe2\x82\xac"), "\xe2\x82\xac");                          // €, 3 bytes
    EXPECT_EQ(p("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");                  // U+1F600, 4 bytes
    EXPECT_EQ(p("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf");                  // U+10FFFF, the last
    EXPECT_EQ(p("\xed\x9f\xbf\xee\x80\x80"), "\xed\x9f\xbf\xee\x80\x80");  // around surrogates
    EXPECT_EQ(p("\xc2\x80"), "\xc2\x80");  // U+0080, the first 2-byte
    EXPECT_EQ(p("a\\xffb"), "a\\xffb");    // already printable: unchanged
}

TEST(PrintableUtf8, EscapesBytesThatNeverOccurInUtf8) {
    EXPECT_EQ(p("\xff"), "\\xff");
    EXPECT_EQ(p("a\xfe"
                "b"),
              "a\\xfeb");
    EXPECT_EQ(p("\xf5\x80\x80\x80"), "\\xf5\\x80\\x80\\x80");  // above U+10FFFF
    EXPECT_EQ(p("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // U+110000
}

TEST(PrintableUtf8, EscapesStrayContinuationBytes) {
    EXPECT_EQ(p("\x80"), "\\x80");
    EXPECT_EQ(p("a\xbf\xbf"), "a\\xbf\\xbf");
}

TEST(PrintableUtf8, EscapesCharactersCutShort) {
    EXPECT_EQ(p("caf\xc3"), "caf\\xc3");     // 2-byte character, 1 byte left
    EXPECT_EQ(p("\xe2\x82"), "\\xe2\\x82");  // 3-byte character, 2 bytes left
    EXPECT_EQ(p("\xe2"), "\\xe2");
    EXPECT_EQ(p("\xf0\x9f\x98"), "\\xf0\\x9f\\x98");  // 4-byte character, 3 bytes left
    EXPECT_EQ(p("\xc3"
                "a"),
              "\\xc3a");  // followed by ASCII, not a tail
    EXPECT_EQ(p("\xe2\x82"
                "\xc3\xa9"),
              "\\xe2\\x82\xc3\xa9");  // the next character survives
}

TEST(PrintableUtf8, EscapesOverlongEncodings) {
    EXPECT_EQ(p("\xc0\xaf"), "\\xc0\\xaf");  // '/' in 2 bytes
    EXPECT_EQ(p("\xc1\xbf"), "\\xc1\\xbf");
    EXPECT_EQ(p("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");           // '/' in 3 bytes
    EXPECT_EQ(p("\xe0\x9f\xbf"), "\\xe0\\x9f\\xbf");           // U+07FF in 3 bytes
    EXPECT_EQ(p("\xf0\x80\x80\xaf"), "\\xf0\\x80\\x80\\xaf");  // '/' in 4 bytes
    EXPECT_EQ(p("\xf0\x8f\xbf\xbf"), "\\xf0\\x8f\\xbf\\xbf");  // U+FFFF in 4 bytes
    EXPECT_EQ(p("\xc0\x80"), "\\xc0\\x80");                    // "modified UTF-8" NUL
}

TEST(PrintableUtf8, EscapesSurrogates) {
    EXPECT_EQ(p("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // U+D800
    EXPECT_EQ(p("\xed\xbf\xbf"), "\\xed\\xbf\\xbf");  // U+DFFF
    // A CESU-8 pair for U+1F600.
    EXPECT_EQ(p("\xed\xa0\xbd\xed\xb8\x80"), "\\xed\\xa0\\xbd\\xed\\xb8\\x80");
}

TEST(PrintableUtf8, EscapesControlBytes) {
    EXPECT_EQ(p("a\nb"), "a\\x0ab");
    EXPECT_EQ(p("a\0b"s), "a\\x00b");
    EXPECT_EQ(p("\t\r\x1b\x7f"), "\\x09\\x0d\\x1b\\x7f");
}

TEST(PrintableUtf8, KeepsTextThatFitsExactly) {
    EXPECT_EQ(p("abcdef", 6), "abcdef");
    EXPECT_EQ(p("ab\xc3\xa9", 4), "ab\xc3\xa9");
}

TEST(PrintableUtf8, CutsLongTextAndSaysSo) {
    EXPECT_EQ(p("abcdefg", 6), "abc...");
    std::string huge(1 << 20, 'x');
    auto out = p(huge, 256);
    EXPECT_EQ(out.size(), 256u);
    EXPECT_EQ(out, std::string(253, 'x') + "...");
}

TEST(PrintableUtf8, NeverCutsInsideACharacter) {
    // The cut falls on each byte of a 2-, 3- and 4-byte character in turn.
    for (const std::string& ch : {"\xc3\xa9"s, "\xe2\x82\xac"s, "\xf0\x9f\x98\x80"s})
        for (size_t before = 0; before < 8; ++before) {
            std::string text = std::string(before, 'a') + ch + std::string(20, 'b');
            for (size_t max = 3; max < 16; ++max) {
                auto out = p(text, max);
                EXPECT_LE(out.size(), max) << before << " " << max;
                EXPECT_TRUE(valid_utf8(out)) << before << " " << max << ": " << out;
                // Either the whole character is kept or none of it.
                auto head = out.substr(0, out.size() - 3);
                bool whole = head.find(ch) != std::string::npos;
                bool part = head.find(ch[0]) != std::string::npos;
                EXPECT_EQ(whole, part) << before << " " << max << ": " << out;
            }
        }
}

TEST(PrintableUtf8, NeverCutsInsideAnEscape) {
    // 63 ASCII bytes and byte 0xff at a bound of 66: "\xff" does not fit whole before "...".
    auto out = p(std::string(63, 'k') + "\xff" + "tail", 66);
    EXPECT_EQ(out, std::string(63, 'k') + "...");
}

TEST(PrintableUtf8, TheUnknownOptionKeyOfTheIssueStaysValid) {
    // 63 ASCII bytes + "é": a cut at 64 bytes fell inside the "é".
    auto out = p(std::string(63, 'k') + "\xc3\xa9", 64);
    EXPECT_TRUE(valid_utf8(out)) << out;
    EXPECT_EQ(out, std::string(61, 'k') + "...");
}

TEST(PrintableUtf8, OutputIsValidForEveryByteAndEveryPair) {
    for (int a = 0; a < 256; ++a) {
        std::string one(1, static_cast<char>(a));
        EXPECT_TRUE(valid_utf8(p(one))) << a;
        for (int b = 0; b < 256; ++b) {
            std::string two = one + static_cast<char>(b);
            auto out = p(two);
            ASSERT_TRUE(valid_utf8(out)) << a << " " << b;
            EXPECT_EQ(out.find('\0'), std::string::npos);
            EXPECT_EQ(out.find('\n'), std::string::npos);
        }
    }
}

}  // namespace
}  // namespace tapd
