// Round-trip property of the builder: parse(decode(emit(x))) == x for random frames of every kind.
#include <gtest/gtest.h>

#include "random_frames.hpp"

namespace tapd::wire {
namespace {

using test::Gen;

TEST(FrameRepr, ParsesBackEveryRandomFrameItBuilds) {
    Gen g(20240501);
    std::vector<std::byte> payload, ext_body, buf;
    Decoded d;
    for (int i = 0; i < 5000; ++i) {
        FrameRepr f;
        g.frame(f, payload, ext_body);
        buf.assign(f.buffer_len(), std::byte{0xaa});
        ASSERT_EQ(f.emit(buf), buf.size()) << i;
        decode(buf, d);
        ASSERT_FALSE(d.has_error) << i << " " << to_string(d.error.layer) << " "
                                  << to_string(d.error.reason) << " at " << d.error.offset;
        auto back = FrameRepr::parse(d);
        ASSERT_TRUE(back.ok()) << i;
        f.complete();
        ASSERT_TRUE(*back == f) << "frame " << i;
        if (d.has(kHasIpv4)) {
            ASSERT_EQ(d.ip_checksum, ChecksumStatus::Good) << i;
        }
        if ((d.has(kHasTcp) || d.has(kHasUdp) || d.has(kHasIcmp) || d.has(kHasIcmpv6)) &&
            !d.fragment) {
            ASSERT_EQ(d.l4_checksum, ChecksumStatus::Good) << i;
        }
    }
}

TEST(FrameRepr, ComputesItsExactSizeAndRefusesASmallerBuffer) {
    FrameRepr f;
    f.net = FrameRepr::Net::Ipv4;
    f.l4 = FrameRepr::Transport::Udp;
    std::vector<std::byte> data(5);
    f.udp.payload = data;
    EXPECT_EQ(f.buffer_len(), 14u + 20 + 8 + 5);
    std::vector<std::byte> small(f.buffer_len() - 1, std::byte{0x55});
    EXPECT_EQ(f.emit(small), 0u);
    for (auto b : small) ASSERT_EQ(b, std::byte{0x55});
}

TEST(FrameRepr, DerivesEtherTypesProtocolNumbersAndLengths) {
    FrameRepr f;
    f.vlan_count = 1;
    f.vlans[0].vid = 42;
    f.net = FrameRepr::Net::Ipv6;
    f.ext_count = 1;
    f.ext[0].type = ipproto::kFragment;
    f.l4 = FrameRepr::Transport::Tcp;
    f.complete();
    EXPECT_EQ(f.eth.ethertype, ethertype::kVlan);
    EXPECT_EQ(f.vlans[0].ethertype, ethertype::kIpv6);
    EXPECT_EQ(f.ipv6.next_header, ipproto::kFragment);
    EXPECT_EQ(f.ext[0].next_header, ipproto::kTcp);
    EXPECT_EQ(f.ipv6.payload_len, 8 + 20);
}

}  // namespace
}  // namespace tapd::wire
