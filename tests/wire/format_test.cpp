// Tests for the one-line summaries (against lines tcpdump 4.99 -nS printed for the same bytes),
// the verbose dump and JSON Lines.
#include <gtest/gtest.h>

#include <string>

#include "print/json.hpp"
#include "print/summary.hpp"
#include "print/verbose.hpp"
#include "samples.hpp"
#include "wire/decode.hpp"

namespace tapd::wire {
namespace {

using namespace tapd::print;
using test::hex;

std::string summary_of(std::string_view frame_hex, size_t cut = SIZE_MAX) {
    auto b = hex(frame_hex);
    if (cut < b.size()) b.resize(cut);
    Decoded d;
    decode(b, d);
    std::string s;
    {
        TextBuffer out(&s);
        write_summary(out, d);
    }
    return s;
}

std::string json_of(std::string_view frame_hex, size_t cut = SIZE_MAX) {
    auto b = hex(frame_hex);
    if (cut < b.size()) b.resize(cut);
    Decoded d;
    decode(b, d);
    std::string s;
    {
        TextBuffer out(&s);
        FrameMeta m;
        m.number = 7;
        m.ts_sec = 1700000000;
        m.ts_nsec = 123456789;
        write_json(out, d, m);
    }
    return s;
}

TEST(Summary, PrintsUdpLikeTcpdump) {
    EXPECT_EQ(summary_of(test::kUdp4), "IP 192.168.69.1.40000 > 203.0.113.1.7777: UDP, length 5");
}

TEST(Summary, PrintsATcpSynWithItsOptionsInWireOrder) {
    EXPECT_EQ(summary_of(test::kTcpSyn),
              "IP 10.0.0.1.43210 > 10.0.0.2.80: Flags [S], seq 1000, win 64240, options [mss "
              "1460,sackOK,TS val 12345 ecr 0,nop,wscale 7], length 0");
}

TEST(Summary, PrintsAnArpRequest) {
    EXPECT_EQ(summary_of(test::kArpRequest),
              "ARP, Request who-has 192.168.69.100 tell 192.168.69.1, length 28");
}

TEST(Summary, PrintsAnIcmpEchoRequest) {
    EXPECT_EQ(summary_of(test::kIcmpEcho),
              "IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 66, seq 1, length 16");
}

TEST(Summary, PrintsANeighborSolicitation) {
    EXPECT_EQ(summary_of(test::kIcmp6Ns),
              "IP6 fe80::1 > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has fe80::2, "
              "length 32");
}

TEST(Summary, PrintsIpv6ExtensionHeadersBeforeThePorts) {
    EXPECT_EQ(summary_of(test::kUdp6FragHbh),
              "IP6 2001:db8::1 > 2001:db8::2: HBH frag (0|9) 5353 > 53: UDP, length 1");
}

TEST(Summary, PrintsTcpOverIpv6WithSackBlocksAndSequenceRange) {
    EXPECT_EQ(summary_of(test::kTcp6Sack),
              "IP6 2001:db8::1.443 > 2001:db8::2.50000: Flags [.], seq 5:8, ack 9, win 8192, "
              "options [nop,nop,sack 2 {100:200}{300:400}], length 3");
}

TEST(Summary, NamesTheLayerAndReasonOfATruncatedFrame) {
    EXPECT_EQ(summary_of(test::kTcpSyn, 40),
              "IP 10.0.0.1 > 10.0.0.2: tcp [|tcp: truncated, need 20 bytes, have 6 (offset 34)]");
    EXPECT_EQ(summary_of(test::kUdp4, 20),
              "IP [|ip: truncated, need 20 bytes, have 6 (offset 14)]");
    EXPECT_EQ(summary_of(test::kUdp4, 5),
              "[|eth] [|eth: truncated, need 14 bytes, have 5 (offset 0)]");
}

TEST(Verbose, ListsEveryIpv4AndTcpField) {
    auto b = hex(test::kTcpSyn);
    Decoded d;
    decode(b, d);
    std::string s;
    {
        TextBuffer out(&s);
        TimeFormatter tf;
        FrameMeta m{1, 0, 0, 74, false};
        write_verbose(out, tf, d, m);
    }
    for (const char* want :
         {"Frame 1: 74 bytes captured, 74 on wire", "Ethernet Header",
          "|-Destination Address : 02:00:00:00:00:02", "|-Protocol            : 0x0800 (IPv4)",
          "|-IP Total Length     : 60 Bytes", "|-Identification      : 1 (0x0001)",
          "|-TTL                 : 64", "|-Checksum            : 0x66b9 (good)",
          "|-Source IP           : 10.0.0.1", "|-Source Port         : 43210",
          "|-Flags               : 0x002 SYN", "|-MSS                 : 1460",
          "|-Window Scale        : 7", "|-Timestamps          : val 12345 ecr 0",
          "Data Payload: 0 bytes"}) {
        EXPECT_NE(s.find(want), std::string::npos) << want << "\n" << s;
    }
}

TEST(Json, KeysAUdpFrameByWiresharkFieldNames) {
    EXPECT_EQ(json_of(test::kUdp4),
              R"({"frame.number":7,"frame.time_epoch":1700000000.123456789,"frame.len":47,)"
              R"("frame.cap_len":47,"eth.dst":"02:00:00:00:00:02","eth.src":"02:00:00:00:00:01",)"
              R"("eth.type":2048,"ip.version":4,"ip.hdr_len":20,"ip.len":33,"ip.id":4660,)"
              R"("ip.flags.df":1,"ip.flags.mf":0,"ip.frag_offset":0,"ip.ttl":64,"ip.proto":17,)"
              R"("ip.checksum.status":1,"ip.src":"192.168.69.1","ip.dst":"203.0.113.1",)"
              R"("udp.srcport":40000,"udp.dstport":7777,"udp.length":13,"udp.checksum.status":1})"
              "\n");
}

TEST(Json, ListsStackedVlanIdsUnderTheirDissectorsNames) {
    auto s = json_of(test::kQinQ);
    EXPECT_NE(s.find(R"("eth.type":34984,"ieee8021ad.id":[100],"vlan.id":[200])"),
              std::string::npos)
        << s;
}

TEST(Json, AddsAnErrorObjectForAMalformedFrame) {
    auto s = json_of(test::kTcpSyn, 40);
    EXPECT_NE(s.find(R"("ip.src":"10.0.0.1")"), std::string::npos) << s;
    EXPECT_EQ(s.find("tcp.srcport"), std::string::npos) << s;
    EXPECT_NE(s.find(R"("error":{"layer":"tcp","reason":"truncated","offset":34,"value":20,)"
                     R"j("limit":6,"text":"tcp: truncated, need 20 bytes, have 6 (offset 34)"}})j"),
              std::string::npos)
        << s;
}

TEST(Json, EscapesQuotesBackslashesAndControlCharacters) {
    std::string s;
    {
        TextBuffer out(&s);
        write_json_string(out, std::string_view("a\"b\\c\nd\x01", 8));
    }
    EXPECT_EQ(s, R"("a\"b\\c\u000ad\u0001")");
}

TEST(TextBuffer, WritesMoreThanItsCapacityInOrder) {
    std::string s;
    {
        TextBuffer out(&s);
        for (int i = 0; i < 100000; ++i) out.dec(static_cast<uint64_t>(i % 10));
    }
    ASSERT_EQ(s.size(), 100000u);
    for (size_t i = 0; i < s.size(); ++i) ASSERT_EQ(s[i], static_cast<char>('0' + i % 10));
}

}  // namespace
}  // namespace tapd::wire
