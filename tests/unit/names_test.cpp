// Tests for common/names: D-Bus error names per ErrorKind and tap object-path escaping.
#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "names.hpp"

namespace tapd::names {
namespace {

using namespace std::string_literals;

bool is_object_path_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '/';
}

TEST(ErrorName, MapsEveryKindToItsOwnName) {
    EXPECT_STREQ(error_name(ErrorKind::InvalidArgument), "net.tapd1.Error.InvalidArgument");
    EXPECT_STREQ(error_name(ErrorKind::PermissionDenied), "net.tapd1.Error.PermissionDenied");
    EXPECT_STREQ(error_name(ErrorKind::Conflict), "net.tapd1.Error.Conflict");
    EXPECT_STREQ(error_name(ErrorKind::NotFound), "net.tapd1.Error.NotFound");
    EXPECT_STREQ(error_name(ErrorKind::QuotaExceeded), "net.tapd1.Error.QuotaExceeded");
    EXPECT_STREQ(error_name(ErrorKind::Failed), "net.tapd1.Error.Failed");
}

TEST(ErrorName, FallsBackToFailedForAnUnknownKind) {
    EXPECT_STREQ(error_name(static_cast<ErrorKind>(99)), kErrFailed);
}

TEST(ErrnoText, AppendsTheErrnoDescription) {
    EXPECT_EQ(errno_text("open /run/tapd/state.json", ENOENT),
              "open /run/tapd/state.json: No such file or directory");
    EXPECT_EQ(errno_text("TUNSETIFF failed", EBUSY), "TUNSETIFF failed: Device or resource busy");
}

TEST(TapObjectPath, KeepsLettersAndDigits) {
    EXPECT_EQ(tap_object_path("tap0"), "/net/tapd1/tap/tap0");
    EXPECT_EQ(tap_object_path("TAP9z"), "/net/tapd1/tap/TAP9z");
}

TEST(TapObjectPath, EscapesEveryOtherByteAsLowercaseHex) {
    EXPECT_EQ(tap_object_path("tap-0.x_y"), "/net/tapd1/tap/tap_2d0_2ex_5fy");
    EXPECT_EQ(tap_object_path("a\xff"), "/net/tapd1/tap/a_ff");
    EXPECT_EQ(tap_object_path("a\0b"s), "/net/tapd1/tap/a_00b");
}

TEST(TapObjectPath, ProducesOnlyObjectPathCharacters) {
    for (int c = 0; c < 256; ++c) {
        auto path = tap_object_path("t"s + static_cast<char>(c));
        for (char p : path) EXPECT_TRUE(is_object_path_char(p)) << "byte " << c << ": " << path;
        EXPECT_EQ(path.find("//"), std::string::npos);
        EXPECT_NE(path.back(), '/');
    }
}

TEST(TapObjectPath, RoundTripsEveryValidNameCharacter) {
    std::string charset = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";
    for (char c : charset) {
        std::string name = "t"s + c + "0";
        EXPECT_EQ(tap_name_from_path(tap_object_path(name)), name) << name;
    }
    for (const char* name :
         {"tap0", "tap-0.x_y", "a", "0", "___", "a.b.c", "x-_-.y", "abcdefghijklmno"})
        EXPECT_EQ(tap_name_from_path(tap_object_path(name)), name) << name;
}

TEST(TapObjectPath, RoundTripsEveryByte) {
    for (int c = 0; c < 256; ++c) {
        std::string name = "t"s + static_cast<char>(c);
        EXPECT_EQ(tap_name_from_path(tap_object_path(name)), name) << "byte " << c;
    }
}

TEST(TapNameFromPath, RefusesPathsOutsideTheTapPrefix) {
    EXPECT_EQ(tap_name_from_path(""), "");
    EXPECT_EQ(tap_name_from_path("/"), "");
    EXPECT_EQ(tap_name_from_path("/net/tapd1"), "");
    EXPECT_EQ(tap_name_from_path("/net/tapd1/tap"), "");
    EXPECT_EQ(tap_name_from_path("/net/tapd1/taps/tap0"), "");
    EXPECT_EQ(tap_name_from_path("/net/tapd2/tap/tap0"), "");
    EXPECT_EQ(tap_name_from_path("/net/tapd1/Tap/tap0"), "");
    EXPECT_EQ(tap_name_from_path("net/tapd1/tap/tap0"), "");
    EXPECT_EQ(tap_name_from_path("/org/example/tap/tap0"), "");
}

TEST(TapNameFromPath, RefusesTruncatedEscapes) {
    EXPECT_EQ(tap_name_from_path("/net/tapd1/tap/_"), "");
    EXPECT_EQ(tap_name_from_path("/net/tapd1/tap/_2"), "");
    EXPECT_EQ(tap_name_from_path("/net/tapd1/tap/tap_"), "");
    EXPECT_EQ(tap_name_from_path("/net/tapd1/tap/tap_2"), "");
}

TEST(TapNameFromPath, RefusesNonHexAndUppercaseEscapes) {
    EXPECT_EQ(tap_name_from_path("/net/tapd1/tap/_zz"), "");
    EXPECT_EQ(tap_name_from_path("/net/tapd1/tap/tap_2g"), "");
    EXPECT_EQ(tap_name_from_path("/net/tapd1/tap/tap_g2"), "");
    EXPECT_EQ(tap_name_from_path("/net/tapd1/tap/tap_2D0"), "");
    EXPECT_EQ(tap_name_from_path("/net/tapd1/tap/tap__2d"), "");
}

TEST(TapNameFromPath, RefusesRawBytesThatTheEncoderWouldHaveEscaped) {
    EXPECT_EQ(tap_name_from_path("/net/tapd1/tap/tap-0"), "");
    EXPECT_EQ(tap_name_from_path("/net/tapd1/tap/tap.0"), "");
    EXPECT_EQ(tap_name_from_path("/net/tapd1/tap/tap/0"), "");
    EXPECT_EQ(tap_name_from_path("/net/tapd1/tap/tap0/"), "");
    EXPECT_EQ(tap_name_from_path("/net/tapd1/tap/t\xc3\xa4p"), "");
}

TEST(TapNameFromPath, DecodesAWellFormedPath) {
    EXPECT_EQ(tap_name_from_path("/net/tapd1/tap/tap_2d0_2ex_5fy"), "tap-0.x_y");
    EXPECT_EQ(tap_name_from_path("/net/tapd1/tap/tap0"), "tap0");
}

}  // namespace
}  // namespace tapd::names
