// Tests for daemon/log: quoting of values in key=value log lines, and the line format on stderr.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "log.hpp"

namespace tapd::log {
namespace {

using namespace std::string_literals;

TEST(LogValue, LeavesPlainValuesAlone) {
    EXPECT_EQ(value("tap0"), "tap0");
    EXPECT_EQ(value("192.168.69.100/24"), "192.168.69.100/24");
    EXPECT_EQ(value(":1.42"), ":1.42");
    EXPECT_EQ(value("a'b"), "a'b");
}

TEST(LogValue, QuotesTheEmptyValue) {
    EXPECT_EQ(value(""), "\"\"");
}

TEST(LogValue, QuotesValuesWithSpaces) {
    EXPECT_EQ(value("a b"), "\"a b\"");
    EXPECT_EQ(value(" "), "\" \"");
}

TEST(LogValue, EscapesQuotesAndBackslashes) {
    EXPECT_EQ(value("say \"hi\""), "\"say \\\"hi\\\"\"");
    EXPECT_EQ(value("\""), "\"\\\"\"");
    EXPECT_EQ(value("a\\b"), "\"a\\\\b\"");
}

TEST(LogValue, EscapesControlBytesAsHex) {
    EXPECT_EQ(value("a\nb"), "\"a\\x0ab\"");
    EXPECT_EQ(value("\r"), "\"\\x0d\"");
    EXPECT_EQ(value("\t"), "\"\\x09\"");
    EXPECT_EQ(value("\x1b[2J"), "\"\\x1b[2J\"");
    EXPECT_EQ(value("\x7f"), "\"\\x7f\"");
    EXPECT_EQ(value("a\0b"s), "\"a\\x00b\"");
}

TEST(LogValue, EscapesNonAsciiBytesAsHex) {
    EXPECT_EQ(value("t\xc3\xa4p"), "\"t\\xc3\\xa4p\"");
    EXPECT_EQ(value("\xff"), "\"\\xff\"");
}

TEST(LogValue, BoundsAHugeValueAndSaysItWasCut) {
    std::string out = value(std::string(100000, 'a'));
    EXPECT_LT(out.size(), 300u);
    EXPECT_EQ(out, "\"" + std::string(253, 'a') + "...\"");
    // Escapes count: a value of control bytes is bounded as well.
    EXPECT_LT(value(std::string(100000, '\n')).size(), 300u);
}

TEST(LogValue, NeverLetsAByteForgeALineOrAField) {
    for (int c = 0; c < 256; ++c) {
        std::string v = "x"s + static_cast<char>(c) + "y";
        std::string out = value(v);
        for (unsigned char o : out) EXPECT_TRUE(o >= 0x20 && o < 0x7f) << "byte " << c;
        bool plain = out == v;
        if (!plain) {
            ASSERT_GE(out.size(), 2u);
            EXPECT_EQ(out.front(), '"');
            EXPECT_EQ(out.back(), '"');
            // Inside the quotes every '"' is escaped, so the value cannot end early.
            std::string inner = out.substr(1, out.size() - 2);
            for (size_t i = 0; i < inner.size(); ++i) {
                if (inner[i] == '\\') {
                    ++i;
                    continue;
                }
                EXPECT_NE(inner[i], '"') << "byte " << c << ": " << out;
            }
        } else {
            EXPECT_EQ(out.find(' '), std::string::npos) << "byte " << c;
        }
    }
}

TEST(LogLine, WritesValidBoundedUtf8WhateverTheLineHolds) {
    if (std::getenv("JOURNAL_STREAM")) GTEST_SKIP() << "stderr is the journal here";
    ::testing::internal::CaptureStderr();
    info("policy: /etc/\xff.json\nforged line");
    info(std::string(100000, 'x'));
    std::string out = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(out.substr(0, out.find('\n') + 1), "tapd: policy: /etc/\\xff.json\\x0aforged line\n");
    EXPECT_LT(out.size(), 10000u);
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2);
}

TEST(LogLine, WritesOneTaggedLineToStderrOutsideTheJournal) {
    if (std::getenv("JOURNAL_STREAM")) GTEST_SKIP() << "stderr is the journal here";
    ::testing::internal::CaptureStderr();
    info("started");
    warn("careful");
    error("broken");
    EXPECT_EQ(::testing::internal::GetCapturedStderr(),
              "tapd: started\ntapd: warning: careful\ntapd: error: broken\n");
}

}  // namespace
}  // namespace tapd::log
