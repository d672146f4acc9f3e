// Tests for the option walker IPv4 and TCP share (tlv_option.hpp): options in order with their
// offsets, End of Option List, and where an impossible length stops the walk.
#include <gtest/gtest.h>

#include "samples.hpp"
#include "wire/tlv_option.hpp"

namespace tapd::wire {
namespace {

using test::hex;

TEST(TlvOptionWalker, YieldsEachOptionWithItsOffsetAndStopsAtEndOfList) {
    // NOP, MSS 1460, NOP, window scale 7, End, then padding that is not read.
    auto b = hex("01 020405b4 01 030307 00 ffff");
    TlvOptionWalker walk(b);
    TlvOption o;
    ASSERT_TRUE(walk.next(o));
    EXPECT_EQ(o.kind, tlv::kNop);
    EXPECT_EQ(o.offset, 0u);
    EXPECT_EQ(o.data.size(), 1u);
    ASSERT_TRUE(walk.next(o));
    EXPECT_EQ(o.kind, 2);
    EXPECT_EQ(o.offset, 1u);
    EXPECT_EQ(o.data.size(), 4u);
    ASSERT_TRUE(walk.next(o));
    ASSERT_TRUE(walk.next(o));
    EXPECT_EQ(o.kind, 3);
    EXPECT_EQ(o.offset, 6u);
    EXPECT_FALSE(walk.next(o));
    EXPECT_FALSE(walk.bad());
    EXPECT_EQ(walk.offset(), 9u);  // the End byte
}

TEST(TlvOptionWalker, EndsAtTheEndOfTheBytesWithoutEndOfList) {
    auto b = hex("0101 0402");
    TlvOptionWalker walk(b);
    TlvOption o;
    int n = 0;
    while (walk.next(o)) ++n;
    EXPECT_EQ(n, 3);
    EXPECT_FALSE(walk.bad());
    EXPECT_EQ(walk.offset(), b.size());
}

TEST(TlvOptionWalker, StopsAtAMissingOrImpossibleLengthAndNamesIt) {
    struct Case {
        const char* list;
        size_t stop;     // offset of the bad option's kind byte
        uint32_t at;     // the error's offset (base 20)
        uint32_t value;  // the length byte, 0 when missing
        uint32_t limit;  // bytes left for the option, 1 when the length byte is missing
    } cases[] = {
        {"010194", 2, 22, 0, 1},    // a kind with no room for its length
        {"94000000", 0, 21, 0, 4},  // length 0
        {"94010000", 0, 21, 1, 4},  // length 1 covers not even kind and length
        {"01940500", 1, 22, 5, 3},  // length past the end
    };
    for (const auto& c : cases) {
        auto b = hex(c.list);
        TlvOptionWalker walk(b);
        TlvOption o;
        while (walk.next(o)) {
        }
        ASSERT_TRUE(walk.bad()) << c.list;
        EXPECT_EQ(walk.offset(), c.stop) << c.list;
        WireError e = walk.bad_length(Layer::Tcp, 20);
        EXPECT_EQ(e, (WireError{Layer::Tcp, Reason::BadOptionLength, c.at, c.value, c.limit}))
            << c.list;
    }
}

}  // namespace
}  // namespace tapd::wire
