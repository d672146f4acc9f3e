// Tests for daemon/options: OpenCapture's a{sv} (snaplen, filter) into CaptureOptions, and
// refusals. The filter's expression is compiled by the streamer, not here.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "expect.hpp"
#include "options.hpp"

namespace tapd {
namespace {

TEST(CaptureOptions, EmptyMapGivesEveryFrameWhole) {
    auto o = parse_capture_options({});
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(o->snaplen, kMaxSnaplen);
    EXPECT_EQ(o->filter, "");
}

TEST(CaptureOptions, TakesTheFilterAsGiven) {
    auto o = parse_capture_options({{"filter", sdbus::Variant(std::string("udp port 9"))},
                                    {"snaplen", sdbus::Variant(uint32_t{96})}});
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(o->filter, "udp port 9");
    EXPECT_EQ(o->snaplen, 96u);
}

TEST(CaptureOptions, AcceptsAFilterOf4096Bytes) {
    std::string f(kMaxFilterLength, 'x');
    auto o = parse_capture_options({{"filter", sdbus::Variant(f)}});
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(o->filter.size(), 4096u);
}

TEST(CaptureOptions, RefusesAFilterOf4097BytesWithoutEchoingIt) {
    auto o = parse_capture_options({{"filter", sdbus::Variant(std::string(4097, 'x'))}});
    EXPECT_TRUE(RefusedNaming(o, "option 'filter': 'xxxx"));
    EXPECT_TRUE(RefusedNaming(o, "is 4097 bytes long (at most 4096)"));
    EXPECT_LT(o.error().message.size(), 200u);
}

TEST(CaptureOptions, RefusesAFilterThatIsNotAString) {
    EXPECT_TRUE(RefusedNaming(parse_capture_options({{"filter", sdbus::Variant(uint32_t{9})}}),
                              "option 'filter' must have type 's', not 'u'"));
}

TEST(CaptureOptions, RefusesSnaplenOutOfRangeAndUnknownKeys) {
    EXPECT_TRUE(RefusedNaming(parse_capture_options({{"snaplen", sdbus::Variant(uint32_t{0})}}),
                              "option 'snaplen': 0 is not in 1..262144"));
    EXPECT_TRUE(RefusedNaming(parse_capture_options({{"filters", sdbus::Variant(std::string())}}),
                              "unknown option 'filters'"));
}

}  // namespace
}  // namespace tapd
