// Tests for daemon/options' OpenTap and OpenTapQueues options (queues, offloads) and the offload
// names of daemon/kernel/tap: what is accepted, and each refusal naming the value and the limit.
#include <gtest/gtest.h>
#include <linux/if_tun.h>

#include <cstdint>
#include <string>
#include <vector>

#include "expect.hpp"
#include "options.hpp"
#include "tap.hpp"

namespace tapd {
namespace {

using Strings = std::vector<std::string>;

OptionMap queues(uint32_t n) {
    return {{"queues", sdbus::Variant(n)}};
}

OptionMap offloads(const Strings& names) {
    return {{"offloads", sdbus::Variant(names)}};
}

TEST(OpenOptions, AcceptsAnEmptyMap) {
    auto o = parse_open_options({}, false);
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(o->queues, 1u);
    EXPECT_FALSE(o->offloads);
    EXPECT_TRUE(parse_open_options({}, true).ok());
}

TEST(OpenOptions, RefusesAnUnknownKeyNamingIt) {
    EXPECT_TRUE(RefusedNaming(parse_open_options({{"vnet_hdr", sdbus::Variant(true)}}, false),
                              "unknown option 'vnet_hdr'"));
    EXPECT_TRUE(RefusedNaming(parse_open_options({{"", sdbus::Variant(true)}}, true), "''"));
    OptionMap many{{"a", sdbus::Variant(true)}, {"b", sdbus::Variant(uint32_t{1})}};
    EXPECT_TRUE(RefusedNaming(parse_open_options(many, false), "unknown option"));
}

TEST(OpenOptions, ShortensAHugeKeyInTheMessage) {
    auto st = parse_open_options({{std::string(100000, 'k'), sdbus::Variant(true)}}, false);
    EXPECT_TRUE(RefusedNaming(st, std::string(61, 'k') + "..."));
    EXPECT_LT(st.error().message.size(), 200u);
}

TEST(OpenOptions, QueuesAreOpenTapQueuesOnly) {
    EXPECT_TRUE(RefusedNaming(parse_open_options(queues(1), false),
                              "option 'queues' is OpenTapQueues' (OpenTap returns one fd)"));
    auto o = parse_open_options(queues(4), true);
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(o->queues, 4u);
}

TEST(OpenOptions, QueuesRunFromOneToTheBusLimit) {
    EXPECT_EQ(kMaxQueuesPerCall, 16u);
    EXPECT_TRUE(RefusedNaming(parse_open_options(queues(0), true), "option 'queues': 0"));
    EXPECT_TRUE(parse_open_options(queues(1), true).ok());
    EXPECT_TRUE(parse_open_options(queues(16), true).ok());
    EXPECT_TRUE(RefusedNaming(parse_open_options(queues(17), true),
                              "option 'queues': 17 is more than 16, the most fds the system bus "
                              "passes in one message (dbus-daemon's max_message_unix_fds)"));
    EXPECT_TRUE(RefusedNaming(parse_open_options(queues(257), true), "the kernel allows 256"));
    EXPECT_TRUE(RefusedNaming(parse_open_options(queues(UINT32_MAX), true), "4294967295"));
    EXPECT_TRUE(RefusedNaming(parse_open_options({{"queues", sdbus::Variant(int32_t{4})}}, true),
                              "option 'queues' must have type 'u', not 'i'"));
}

TEST(OpenOptions, OffloadsBecomeTunFlags) {
    auto o =
        parse_open_options(offloads({"csum", "tso4", "tso6", "ecn", "ufo", "uso4", "uso6"}), false);
    ASSERT_TRUE(o.ok()) << o.error().message;
    ASSERT_TRUE(o->offloads);
    EXPECT_EQ(o->offloads->flags, unsigned{TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN |
                                           TUN_F_UFO | 0x20 | 0x40});
    EXPECT_EQ(o->offloads->text(), "csum,tso4,tso6,ecn,ufo,uso4,uso6");
    auto none = parse_open_options(offloads({}), true);
    ASSERT_TRUE(none.ok()) << none.error().message;
    ASSERT_TRUE(none->offloads);  // asked for: all off
    EXPECT_EQ(none->offloads->flags, 0u);
    EXPECT_EQ(none->offloads->text(), "none");
}

TEST(OpenOptions, RefusesAnUnknownOffloadNamingItAndTheKnownOnes) {
    EXPECT_TRUE(RefusedNaming(parse_open_options(offloads({"csum", "gso"}), false),
                              "option 'offloads': unknown offload 'gso' (known: csum, tso4, tso6, "
                              "ecn, ufo, uso4, uso6)"));
    EXPECT_TRUE(RefusedNaming(parse_open_options(offloads({"CSUM"}), false), "'CSUM'"));
    auto huge = parse_open_options(offloads({std::string(256, 'x')}), false);
    EXPECT_TRUE(RefusedNaming(huge, std::string(61, 'x') + "..."));
    EXPECT_TRUE(RefusedNaming(parse_open_options(offloads({std::string(257, 'x')}), false),
                              "257 bytes long (at most 256)"));
    EXPECT_TRUE(RefusedNaming(parse_open_options({{"offloads", sdbus::Variant("csum")}}, false),
                              "option 'offloads' must have type 'as', not 's'"));
}

}  // namespace
}  // namespace tapd
