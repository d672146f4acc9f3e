// Tests for decode(): layer walk, checksum verdicts, fragments, and truncation at every byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>

#include "random_frames.hpp"
#include "samples.hpp"
#include "wire/decode.hpp"

namespace tapd::wire {
namespace {

using test::hex;

struct LayerEnd {
    uint32_t bit;
    size_t header_end;  // frame offset where this layer's header (as checked) ends
};

struct Sample {
    std::string_view name;
    std::string_view frame;
    std::vector<LayerEnd> layers;
    // Cuts at which the frame is nonetheless whole: NDP options end there.
    std::vector<size_t> whole_at = {};
};

const std::vector<Sample>& samples() {
    static const std::vector<Sample> s = {
        {"udp4", test::kUdp4, {{kHasEth, 14}, {kHasIpv4, 34}, {kHasUdp, 42}}},
        {"tcp_syn", test::kTcpSyn, {{kHasEth, 14}, {kHasIpv4, 34}, {kHasTcp, 74}}},
        {"arp", test::kArpRequest, {{kHasEth, 14}, {kHasArp, 42}}},
        {"icmp", test::kIcmpEcho, {{kHasEth, 14}, {kHasIpv4, 34}, {kHasIcmp, 42}}},
        // NDP options are checked with the message, so the whole message is its "header".
        {"icmp6_ns", test::kIcmp6Ns, {{kHasEth, 14}, {kHasIpv6, 54}, {kHasIcmpv6, 86}}, {78}},
        // The IPv6 layer stays; the extension headers (to 70) must be whole for UDP.
        {"udp6_frag", test::kUdp6FragHbh, {{kHasEth, 14}, {kHasIpv6, 54}, {kHasUdp, 78}}},
        {"qinq", test::kQinQ, {{kHasEth, 14}, {kHasVlan, 18}, {kHasIpv4, 42}, {kHasUdp, 50}}},
        {"tcp6_sack", test::kTcp6Sack, {{kHasEth, 14}, {kHasIpv6, 54}, {kHasTcp, 94}}},
        {"stp", test::kStp, {{kHasEth, 14}, {kHasIeee8023, 14}, {kHasLlc, 17}}},
    };
    return s;
}

TEST(Decode, DecodesEverySampleWithoutErrorAndWithGoodChecksums) {
    for (const auto& s : samples()) {
        auto b = hex(s.frame);
        Decoded d;
        decode(b, d);
        EXPECT_FALSE(d.has_error) << s.name;
        for (auto l : s.layers) EXPECT_TRUE(d.has(l.bit)) << s.name << " " << l.bit;
        if (d.has(kHasIpv4)) {
            EXPECT_EQ(d.ip_checksum, ChecksumStatus::Good) << s.name;
        }
        if (d.has(kHasTcp) || d.has(kHasIcmp) || d.has(kHasIcmpv6)) {
            EXPECT_EQ(d.l4_checksum, ChecksumStatus::Good) << s.name;
        }
    }
}

TEST(Decode, KeepsTheLayersBeforeATruncationAndReportsTheCutLayerAtEveryByte) {
    for (const auto& s : samples()) {
        auto full = hex(s.frame);
        size_t last_end = s.layers.back().header_end;
        for (size_t n = 0; n < full.size(); ++n) {
            // An exactly sized heap copy, so an out-of-bounds read trips ASan.
            auto copy = std::make_unique<std::byte[]>(n ? n : 1);
            std::copy(full.begin(), full.begin() + static_cast<long>(n), copy.get());
            Decoded d;
            decode(Bytes(copy.get(), n), d, {}, full.size());  // cut by a snaplen of n
            bool whole = std::ranges::find(s.whole_at, n) != s.whole_at.end();
            for (auto l : s.layers)
                EXPECT_EQ(d.has(l.bit), whole || n >= l.header_end) << s.name << " cut at " << n;
            EXPECT_EQ(d.has_error, !whole && n < last_end) << s.name << " cut at " << n;
            if (d.has_error) {
                EXPECT_EQ(d.error.reason, Reason::Truncated) << s.name << " cut at " << n;
                EXPECT_LE(d.error.offset, n) << s.name;
            }
        }
    }
}

TEST(Decode, MarksTheUpperChecksumUnverifiedWhenASnaplenCutThePayload) {
    auto b = hex(test::kTcp6Sack);
    Decoded d;
    decode(Bytes(b).first(b.size() - 1), d, {}, b.size());
    ASSERT_TRUE(d.has(kHasTcp));
    EXPECT_FALSE(d.has_error);
    EXPECT_EQ(d.l4_checksum, ChecksumStatus::Unverified);
}

TEST(Decode, CallsAnIpLengthPastTheEndOfAWholeFrameMalformedButDecodesOn) {
    auto b = hex(test::kTcp6Sack);
    Decoded d;
    decode(Bytes(b).first(b.size() - 1), d);
    ASSERT_TRUE(d.has_error);
    EXPECT_EQ(d.error.layer, Layer::Ipv6);
    EXPECT_EQ(d.error.reason, Reason::LengthExceedsEnclosing);
    EXPECT_EQ(d.error.offset, 14u + Ipv6Packet::kPayloadLen);
    EXPECT_EQ(d.error.value, 43u);
    EXPECT_EQ(d.error.limit, 42u);
    ASSERT_TRUE(d.has(kHasTcp));
    EXPECT_EQ(d.l4_declared_len(), 42u);
    EXPECT_EQ(d.l4_checksum, ChecksumStatus::Bad);  // over the bytes present, as tshark does
}

TEST(Decode, UsesTheRoutingHeadersFinalDestinationInThePseudoHeader) {
    // RFC 8200 8.1: 2001:db8::1 -> 2001:db8::2 via a type 0 routing header with one segment
    // left whose address is the final destination 2001:db8::9; the UDP checksum was computed
    // against 2001:db8::9.
    auto b =
        hex("020000000002 020000000001 86dd 60000000 0021 2b 40"
            "20010db8000000000000000000000001 20010db8000000000000000000000002"
            "1102000100000000 20010db8000000000000000000000009"
            "0005000600090000 61");
    Decoded d;
    decode(b, d);
    ASSERT_TRUE(d.has(kHasUdp)) << to_string(d.error.layer);
    auto src = *parse_ipv6("2001:db8::1"), fin = *parse_ipv6("2001:db8::9");
    uint64_t ph = checksum::pseudo_header(src, fin, ipproto::kUdp, 9);
    uint16_t sum = checksum::finish(checksum::accumulate(d.udp.bytes(), ph));
    b[b.size() - 3] = std::byte(sum >> 8);
    b[b.size() - 2] = std::byte(sum & 0xff);
    decode(b, d);
    EXPECT_EQ(d.ipv6_chain.final_dst_offset, 8);
    EXPECT_EQ(d.l4_checksum, ChecksumStatus::Good);
}

TEST(Decode, FindsABadIpv4HeaderChecksumAndABadUdpChecksum) {
    auto b = hex(test::kUdp4);
    b[25] ^= std::byte{1};  // IP checksum
    b[41] ^= std::byte{1};  // UDP checksum
    Decoded d;
    decode(b, d);
    EXPECT_EQ(d.ip_checksum, ChecksumStatus::Bad);
    EXPECT_EQ(d.l4_checksum, ChecksumStatus::Bad);
}

TEST(Decode, CallsAZeroUdpChecksumNotPresentOverIpv4AndIllegalOverIpv6) {
    auto v4 = hex(test::kUdp4);
    v4[40] = v4[41] = std::byte{0};
    Decoded d;
    decode(v4, d);
    EXPECT_EQ(d.l4_checksum, ChecksumStatus::NotPresent);
    auto v6 = hex(test::kUdp6FragHbh);
    v6[76] = v6[77] = std::byte{0};
    decode(v6, d);
    EXPECT_EQ(d.l4_checksum, ChecksumStatus::Illegal);
}

TEST(Decode, SkipsChecksumsWhenAskedTo) {
    auto b = hex(test::kUdp4);
    Decoded d;
    decode(b, d, DecodeFlags{.verify_checksums = false});
    EXPECT_EQ(d.ip_checksum, ChecksumStatus::Unverified);
    EXPECT_EQ(d.l4_checksum, ChecksumStatus::Unverified);
}

TEST(Decode, DecodesTheFirstIpv4FragmentsHeaderButLeavesItsChecksumUnverified) {
    auto b = hex(test::kUdp4);
    b[20] = std::byte{0x20};  // MF, offset 0 (the IP checksum is now wrong, which is fine)
    Decoded d;
    decode(b, d);
    EXPECT_TRUE(d.fragment);
    ASSERT_TRUE(d.has(kHasUdp));
    EXPECT_EQ(d.l4_checksum, ChecksumStatus::Unverified);
    EXPECT_EQ(d.ip_checksum, ChecksumStatus::Bad);
}

TEST(Decode, DoesNotLookForAnUpperHeaderInLaterIpv4Fragments) {
    auto b = hex(test::kUdp4);
    b[21] = std::byte{0x01};  // offset 8 bytes
    Decoded d;
    decode(b, d);
    EXPECT_TRUE(d.fragment);
    EXPECT_TRUE(d.has(kHasIpv4));
    EXPECT_FALSE(d.has(kHasUdp));
    EXPECT_EQ(d.l4_proto, ipproto::kUdp);
    EXPECT_FALSE(d.has_error);
}

TEST(Decode, ReportsAnImpossibleLengthWithItsFrameOffset) {
    auto b = hex(test::kTcpSyn);
    b[46] = std::byte{0x30};  // TCP data offset 3 words
    Decoded d;
    decode(b, d);
    ASSERT_TRUE(d.has_error);
    EXPECT_EQ(d.error.layer, Layer::Tcp);
    EXPECT_EQ(d.error.reason, Reason::HeaderTooShort);
    EXPECT_EQ(d.error.offset, 46u);
    EXPECT_EQ(d.error.value, 12u);
    EXPECT_TRUE(d.has(kHasEth | kHasIpv4));
    EXPECT_FALSE(d.has(kHasTcp));
    char text[128];
    format_error(d.error, text, sizeof text);
    EXPECT_STREQ(text, "tcp: header length 12 below minimum 20 (offset 46)");
}

TEST(Decode, ReportsAUdpLengthPastTheIpPayloadButKeepsTheUdpHeader) {
    auto b = hex(test::kUdp4);
    b[39] = std::byte{50};
    Decoded d;
    decode(b, d);
    ASSERT_TRUE(d.has_error);
    EXPECT_EQ(d.error.reason, Reason::LengthExceedsEnclosing);
    EXPECT_EQ(d.error.offset, 38u);
    EXPECT_TRUE(d.has(kHasUdp));
    EXPECT_EQ(d.l4_checksum, ChecksumStatus::Unverified);
}

TEST(Decode, DecodesNothingAboveAnIpv4HeaderWithAMalformedOption) {
    // IPv4 with a router alert of length 3 (RFC 2113: 4), then UDP 40000 -> 7777. tshark
    // stops at the IPv4 header; so must every field after it.
    auto bad = hex(
        "02000000000202000000000108004600002512340000401191e5c0a84501cb007101940300009c401e61000d"
        "bfb468656c6c6f");
    Decoded d;
    decode(bad, d);
    ASSERT_TRUE(d.has_error);
    EXPECT_STREQ(to_string(d.error.layer), "ip");
    EXPECT_STREQ(to_string(d.error.reason), "wrong-option-length");
    EXPECT_EQ(d.error.offset, 14u + 21);
    EXPECT_FALSE(d.has(kHasIpv4));
    EXPECT_FALSE(d.has(kHasUdp));
    FrameHeaders h;
    EXPECT_FALSE(decode_headers(bad, h));
    EXPECT_FALSE(h.has(kHasUdp));

    // The same datagram with a router alert of length 4.
    auto good = hex(
        "02000000000202000000000108004600002512340000401191e4c0a84501cb007101940400009c401e61000d"
        "bfb468656c6c6f");
    decode(good, d);
    EXPECT_FALSE(d.has_error);
    EXPECT_TRUE(d.has(kHasIpv4 | kHasUdp));
    EXPECT_EQ(d.udp.dst_port(), 7777);
}

TEST(Decode, ReusesOneDecodedForFramesOfDifferentShapes) {
    Decoded d;
    auto a = hex(test::kUdp6FragHbh);
    decode(a, d);
    ASSERT_EQ(d.ipv6_chain.count, 2);
    auto b = hex(test::kArpRequest);
    decode(b, d);
    EXPECT_EQ(d.layers, kHasEth | kHasArp);
    EXPECT_FALSE(d.fragment);
    EXPECT_EQ(d.ipv6_chain.count, 0);
}

TEST(Decode, LeavesUnknownEtherTypesUndecoded) {
    auto b = hex("020000000002 020000000001 88cc 0102030405");
    Decoded d;
    decode(b, d);
    EXPECT_EQ(d.layers, kHasEth);
    EXPECT_EQ(d.ethertype, 0x88cc);
    EXPECT_FALSE(d.has_error);
}

// decode() takes an inline fast path for common frames and hands everything else to
// detail::decode_general(). The two must agree on every field a caller may read, for every frame;
// and decode_headers() must agree with both.
void expect_same_span(Bytes a, Bytes b, const char* what, const std::string& ctx) {
    EXPECT_EQ(a.data(), b.data()) << what << " " << ctx;
    EXPECT_EQ(a.size(), b.size()) << what << " " << ctx;
}

void expect_same(const Decoded& a, const Decoded& b, const std::string& ctx) {
    expect_same_span(a.frame, b.frame, "frame", ctx);
    ASSERT_EQ(a.layers, b.layers) << ctx;
    EXPECT_EQ(a.has_error, b.has_error) << ctx;
    EXPECT_EQ(a.error, b.error) << ctx << " " << to_string(a.error.layer) << "/"
                                << to_string(b.error.layer) << " " << to_string(a.error.reason)
                                << "/" << to_string(b.error.reason);
    EXPECT_EQ(a.snaplen_cut, b.snaplen_cut) << ctx;
    EXPECT_EQ(a.vlan_count, b.vlan_count) << ctx;
    EXPECT_EQ(a.ethertype, b.ethertype) << ctx;
    EXPECT_EQ(a.l3_offset, b.l3_offset) << ctx;
    EXPECT_EQ(a.fragment, b.fragment) << ctx;
    EXPECT_EQ(a.l4_len, b.l4_len) << ctx;
    EXPECT_EQ(a.l4_proto, b.l4_proto) << ctx;
    EXPECT_EQ(a.l4_offset, b.l4_offset) << ctx;
    EXPECT_EQ(a.ip_checksum, b.ip_checksum) << ctx;
    EXPECT_EQ(a.l4_checksum, b.l4_checksum) << ctx;
    const Ipv6Chain &ca = a.ipv6_chain, &cb = b.ipv6_chain;
    EXPECT_EQ(ca.count, cb.count) << ctx;
    EXPECT_EQ(ca.upper_proto, cb.upper_proto) << ctx;
    EXPECT_EQ(ca.upper_offset, cb.upper_offset) << ctx;
    EXPECT_EQ(ca.final_dst_offset, cb.final_dst_offset) << ctx;
    EXPECT_EQ(ca.fragment, cb.fragment) << ctx;
    EXPECT_EQ(ca.more_frags, cb.more_frags) << ctx;
    EXPECT_EQ(ca.frag_offset, cb.frag_offset) << ctx;
    EXPECT_EQ(ca.frag_ident, cb.frag_ident) << ctx;
    for (size_t i = 0; i < a.vlan_count && i < b.vlan_count; ++i) {
        expect_same_span(a.vlans[i].payload(), b.vlans[i].payload(), "vlan", ctx);
        EXPECT_EQ(a.vlans[i].vid(), b.vlans[i].vid()) << ctx;
        EXPECT_EQ(a.vlan_tpids[i], b.vlan_tpids[i]) << ctx;
    }
    if (a.has(kHasEth)) expect_same_span(a.eth.bytes(), b.eth.bytes(), "eth", ctx);
    if (a.has(kHasLlc)) expect_same_span(a.llc.payload(), b.llc.payload(), "llc", ctx);
    if (a.has(kHasArp)) {
        expect_same_span(a.arp.sha(), b.arp.sha(), "arp sha", ctx);
        expect_same_span(a.arp.bytes_after(), b.arp.bytes_after(), "arp after", ctx);
    }
    if (a.has(kHasIpv4)) {
        expect_same_span(a.ipv4.header(), b.ipv4.header(), "ipv4 header", ctx);
        expect_same_span(a.ipv4.payload(), b.ipv4.payload(), "ipv4 payload", ctx);
        EXPECT_EQ(a.ipv4.payload_truncated(), b.ipv4.payload_truncated()) << ctx;
    }
    if (a.has(kHasIpv6)) {
        expect_same_span(a.ipv6.header(), b.ipv6.header(), "ipv6 header", ctx);
        expect_same_span(a.ipv6.payload(), b.ipv6.payload(), "ipv6 payload", ctx);
        EXPECT_EQ(a.ipv6.payload_truncated(), b.ipv6.payload_truncated()) << ctx;
        for (size_t i = 0; i < ca.count && i < cb.count; ++i) {
            expect_same_span(ca.headers[i].bytes(), cb.headers[i].bytes(), "ext", ctx);
            EXPECT_EQ(ca.offsets[i], cb.offsets[i]) << ctx;
        }
    }
    if (a.has(kHasTcp)) expect_same_span(a.tcp.bytes(), b.tcp.bytes(), "tcp", ctx);
    if (a.has(kHasUdp)) expect_same_span(a.udp.bytes(), b.udp.bytes(), "udp", ctx);
    if (a.has(kHasIcmp)) expect_same_span(a.icmp.bytes(), b.icmp.bytes(), "icmp", ctx);
    if (a.has(kHasIcmpv6)) expect_same_span(a.icmpv6.bytes(), b.icmpv6.bytes(), "icmpv6", ctx);
}

// decode_headers() must report what decode() (without checksums) put in d.
void expect_headers_match(Bytes f, size_t wire_len, const Decoded& d, const std::string& ctx) {
    FrameHeaders h;
    h.layers = 0xdead;  // stale values must not survive
    EXPECT_EQ(decode_headers(f, h, wire_len), !d.has_error) << ctx;
    ASSERT_EQ(h.layers, d.layers) << "headers " << ctx;
    EXPECT_EQ(h.has_error, d.has_error) << ctx;
    EXPECT_EQ(h.ethertype, d.ethertype) << ctx;
    EXPECT_EQ(h.l3_offset, d.l3_offset) << ctx;
    EXPECT_EQ(h.l4_offset, d.l4_offset) << ctx;
    EXPECT_EQ(h.l4_proto, d.l4_proto) << ctx;
    if (d.has(kHasIpv4)) {
        expect_same_span(h.ipv4(f).header(), d.ipv4.header(), "headers ipv4", ctx);
        expect_same_span(h.ipv4(f).payload(), d.ipv4.payload(), "headers ipv4 payload", ctx);
    }
    if (d.has(kHasIpv6)) {
        expect_same_span(h.ipv6(f).header(), d.ipv6.header(), "headers ipv6", ctx);
        expect_same_span(h.ipv6(f).payload(), d.ipv6.payload(), "headers ipv6 payload", ctx);
    }
    if (d.has(kHasArp)) {
        EXPECT_EQ(h.l3_size, f.size() - d.l3_offset) << ctx;
    }
    if (d.has(kHasTcp)) expect_same_span(h.tcp(f).bytes(), d.tcp.bytes(), "headers tcp", ctx);
    if (d.has(kHasUdp)) expect_same_span(h.udp(f).bytes(), d.udp.bytes(), "headers udp", ctx);
    if (d.has(kHasIcmp)) {
        EXPECT_EQ(h.l4_size, d.icmp.bytes().size()) << ctx;
    }
    if (d.has(kHasIcmpv6)) {
        EXPECT_EQ(h.l4_size, d.icmpv6.bytes().size()) << ctx;
    }
}

// Decodes one frame both ways, whole and as a snaplen cut, with and without checksums, into an
// exactly sized heap copy (so that ASan catches a read past the end on either path).
class Differential {
  public:
    static constexpr size_t kMaxFailures = 3;
    size_t frames = 0;
    size_t failures = 0;

    void check(Bytes bytes, const std::string& ctx) {
        if (failures >= kMaxFailures) return;
        auto copy = std::make_unique<std::byte[]>(bytes.size() ? bytes.size() : 1);
        std::copy(bytes.begin(), bytes.end(), copy.get());
        Bytes f(copy.get(), bytes.size());
        for (bool sums : {false, true}) {
            for (size_t wire_len : {size_t{0}, f.size(), f.size() + 1, f.size() + 1000}) {
                DecodeFlags flags{.verify_checksums = sums};
                decode(f, fast_, flags, wire_len);
                detail::decode_general(f, general_, flags, wire_len);
                ++frames;
                std::string c = ctx + " checksums=" + std::to_string(sums) +
                                " wire_len=" + std::to_string(wire_len);
                expect_same(fast_, general_, c);
                if (!sums) expect_headers_match(f, wire_len, general_, c);
                if (::testing::Test::HasFailure() && ++failures == kMaxFailures)
                    FAIL() << "stopping after " << kMaxFailures << " failing frames";
            }
        }
    }

    // The frame, every prefix of it, and mutants of its header bytes.
    void check_with_variants(const std::vector<std::byte>& frame, std::mt19937& rng,
                             const std::string& ctx) {
        check(frame, ctx);
        for (size_t n = 0; n < frame.size(); ++n)
            check(Bytes(frame).first(n), ctx + " cut at " + std::to_string(n));
        // Ethernet padding after the IP datagram.
        std::vector<std::byte> padded = frame;
        padded.resize(frame.size() + 1 + rng() % 20, std::byte{0});
        check(padded, ctx + " padded");
        static constexpr uint8_t kInteresting[] = {0x00, 0x01, 0x02, 0x04, 0x05, 0x08, 0x0a,
                                                   0x11, 0x2b, 0x2c, 0x3a, 0x3c, 0x40, 0x45,
                                                   0x46, 0x50, 0x60, 0x80, 0x81, 0xff};
        size_t span = std::min<size_t>(frame.size(), 96);
        for (int i = 0; span && i < 48; ++i) {
            std::vector<std::byte> m = frame;
            size_t at = rng() % span;
            uint8_t v =
                i % 2 ? kInteresting[rng() % std::size(kInteresting)] : static_cast<uint8_t>(rng());
            m[at] = std::byte{v};
            if (i % 3 == 0) m.resize(std::min(m.size(), at + 1 + rng() % 64));
            check(m, ctx + " byte " + std::to_string(at) + "=" + std::to_string(v));
        }
    }

  private:
    Decoded fast_, general_;
};

TEST(Decode, FastPathAgreesWithTheGeneralDecoderOnSamplesCutsAndMutants) {
    std::mt19937 rng(7);
    Differential diff;
    for (const auto& s : samples())
        diff.check_with_variants(hex(s.frame), rng, std::string(s.name));
    for (auto text :
         {test::kUdp4, test::kTcpSyn, test::kArpRequest, test::kIcmpEcho, test::kIcmp6Ns,
          test::kUdp6FragHbh, test::kQinQ, test::kTcp6Sack, test::kStp}) {
        auto b = hex(text);
        for (size_t i = 0; i < 200; ++i) {
            std::vector<std::byte> m = b;
            for (int k = 0; k < 3; ++k) m[rng() % m.size()] = std::byte(rng());
            diff.check(m, "random bytes");
        }
    }
    EXPECT_GT(diff.frames, 10000u);
}

TEST(Decode, FastPathAgreesWithTheGeneralDecoderOnRandomFramesOfEveryKind) {
    test::Gen g(99);
    std::mt19937 rng(11);
    std::vector<std::byte> payload, ext_body, buf;
    Differential diff;
    for (int i = 0; i < 600; ++i) {
        FrameRepr f;
        g.frame(f, payload, ext_body);
        buf.assign(f.buffer_len(), std::byte{0});
        ASSERT_EQ(f.emit(buf), buf.size());
        diff.check_with_variants(buf, rng, "random frame " + std::to_string(i));
    }
    EXPECT_GT(diff.frames, 100000u);
}

TEST(Decode, FastPathAgreesWithTheGeneralDecoderOnEveryValueOfEveryHeaderByte) {
    // Frames of the shapes the fast path takes (TCP with NOP,NOP,timestamps and with SYN
    // options, UDP, ICMP, ICMPv6, ARP, over IPv4 and IPv6, with and without a VLAN tag), each
    // header byte set to each of its 256 values.
    std::vector<FrameRepr> shapes;
    for (int i = 0; i < 16; ++i) {
        FrameRepr f;
        f.eth.src = MacAddress{{2, 0, 0, 0, 0, 1}};
        f.eth.dst = MacAddress{{2, 0, 0, 0, 0, 2}};
        f.vlan_count = i % 2;
        f.net = i / 2 % 2 ? FrameRepr::Net::Ipv6 : FrameRepr::Net::Ipv4;
        f.ipv4.src = Ipv4Address{{10, 0, 0, 1}};
        f.ipv4.dst = Ipv4Address{{10, 0, 0, 2}};
        f.ipv6.src = *parse_ipv6("2001:db8::1");
        f.ipv6.dst = *parse_ipv6("2001:db8::2");
        switch (i / 4) {
            case 0:
                f.l4 = FrameRepr::Transport::Tcp;
                f.tcp.flags = tcp::kAck;
                f.tcp.options.timestamps = std::pair{1u, 2u};
                break;
            case 1:
                f.l4 = FrameRepr::Transport::Tcp;
                f.tcp.flags = tcp::kSyn;
                f.tcp.options.mss = 1460;
                f.tcp.options.window_scale = 7;
                f.tcp.options.sack_permitted = true;
                f.tcp.options.timestamps = std::pair{1u, 0u};
                break;
            case 2:
                f.l4 = FrameRepr::Transport::Udp;
                f.udp.src_port = 1000;
                f.udp.dst_port = 2000;
                break;
            default:
                if (f.net == FrameRepr::Net::Ipv6) {
                    f.l4 = FrameRepr::Transport::Ndp;
                    f.ndp.lladdr = f.eth.src;
                } else if (f.vlan_count) {
                    f.net = FrameRepr::Net::Arp;
                } else {
                    f.l4 = FrameRepr::Transport::Icmp;
                }
                break;
        }
        shapes.push_back(f);
    }
    static constexpr std::byte kData[5] = {std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4},
                                           std::byte{5}};
    Differential diff;
    for (size_t i = 0; i < shapes.size(); ++i) {
        FrameRepr& f = shapes[i];
        f.tcp.payload = f.udp.payload = Bytes(kData);
        std::vector<std::byte> buf(f.buffer_len());
        ASSERT_EQ(f.emit(buf), buf.size());
        Decoded d;
        decode(buf, d);
        ASSERT_FALSE(d.has_error) << i;
        size_t headers = std::min(buf.size(), size_t{d.l4_offset ? d.l4_offset + 48u : 64u});
        for (size_t at = 0; at < headers; ++at) {
            std::vector<std::byte> m = buf;
            for (int v = 0; v < 256; ++v) {
                m[at] = std::byte(v);
                diff.check(m, "shape " + std::to_string(i) + " byte " + std::to_string(at) + "=" +
                                  std::to_string(v));
            }
        }
    }
}

// Sets the IP length field of BUF, an untagged frame whose upper layer was grown, to its size.
void fit_ip_length(std::vector<std::byte>& buf, FrameRepr::Net net) {
    size_t ip_at = EthernetFrame::kHeaderLen;
    uint16_t l3_len = static_cast<uint16_t>(buf.size() - ip_at);
    if (net == FrameRepr::Net::Ipv4)
        put16(buf, ip_at + Ipv4Packet::kTotalLen, l3_len);
    else
        put16(buf, ip_at + Ipv6Packet::kPayloadLen,
              static_cast<uint16_t>(l3_len - Ipv6Packet::kHeaderLen));
}

// An untagged TCP frame over NET without options or payload: its TCP header is last.
std::vector<std::byte> tcp_frame(FrameRepr::Net net) {
    FrameRepr f;
    f.net = net;
    f.l4 = FrameRepr::Transport::Tcp;
    std::vector<std::byte> buf(f.buffer_len());
    EXPECT_EQ(f.emit(buf), buf.size());
    return buf;
}

TEST(Decode, FastPathAgreesWithTheGeneralDecoderOnRandomTcpOptions) {
    // TCP/IPv4 and TCP/IPv6 frames whose options are random mixes of known kinds and lengths:
    // the fast path recognises NOP,NOP,timestamps inline and hands every other block to the
    // segment check.
    std::mt19937 rng(5);
    Differential diff;
    for (int i = 0; i < 20000; ++i) {
        auto net = i % 2 ? FrameRepr::Net::Ipv6 : FrameRepr::Net::Ipv4;
        std::vector<std::byte> buf = tcp_frame(net);
        size_t tcp_at = buf.size() - TcpSegment::kMinHeaderLen;
        size_t words = 1 + rng() % 10;
        buf.resize(buf.size() + words * 4);
        buf[tcp_at + TcpSegment::kDataOffset] = std::byte(static_cast<uint8_t>((5 + words) << 4));
        static constexpr uint8_t kKinds[] = {0, 1, 2, 3, 4, 5, 8, 10, 30, 254};
        for (size_t at = tcp_at + TcpSegment::kMinHeaderLen; at < buf.size(); ++at)
            buf[at] = std::byte(rng() % 3 ? kKinds[rng() % std::size(kKinds)]
                                          : static_cast<uint8_t>(rng() % 12));
        if (rng() % 4 == 0) {  // the timestamps block, sometimes slightly off
            size_t at = tcp_at + TcpSegment::kMinHeaderLen;
            buf[at] = buf[at + 1] = std::byte{1};
            buf[at + 2] = std::byte{8};
            buf[at + 3] = std::byte{10};
            if (rng() % 2) buf[at + rng() % 4] = std::byte(static_cast<uint8_t>(rng() % 12));
        }
        fit_ip_length(buf, net);
        diff.check(buf, "options " + std::to_string(i));
    }
}

TEST(Decode, FastPathAgreesWithTheGeneralDecoderOnAlignedTcpOptionWords) {
    // The out-of-line option check recognises whole 4-byte words (MSS; NOP, window scale; NOP,
    // NOP, SACK permitted; NOPs; NOP, NOP, timestamps and SACK permitted, timestamps, 12 bytes
    // each; End) before it falls back to the byte-wise walk. Blocks of such words, of words
    // that differ from them in one byte, and of random words, some cut short by the data
    // offset, must get the segment check's verdict.
    static constexpr uint32_t kWords[] = {
        0x020405b4, 0x01030307, 0x01010402, 0x01010101, 0x0101080a, 0x0402080a, 0x00000000,
        0x00010203, 0x01010100, 0x01000000,
        // near misses
        0x020505b4, 0x020305b4, 0x01030407, 0x01030207, 0x01030300, 0x01010403, 0x01010401,
        0x0101080b, 0x01010809, 0x0402080b, 0x0403080a, 0x0401080a, 0x01020402, 0x0101010a,
        0x03030701, 0x0101050a, 0x01010512, 0x04020101, 0x080a0000, 0x01080a00};
    std::mt19937 rng(13);
    Differential diff;
    size_t valid = 0, words_only = 0;
    for (int i = 0; i < 20000; ++i) {
        auto net = i % 2 ? FrameRepr::Net::Ipv6 : FrameRepr::Net::Ipv4;
        std::vector<std::byte> buf = tcp_frame(net);
        size_t tcp_at = buf.size() - TcpSegment::kMinHeaderLen;
        size_t words = 1 + rng() % 10;
        bool only_known = rng() % 2;
        for (size_t w = 0; w < words; ++w) {
            uint32_t v = rng() % 8 == 0 ? static_cast<uint32_t>(rng())
                         : only_known   ? kWords[rng() % 10]
                                        : kWords[rng() % std::size(kWords)];
            for (int b = 3; b >= 0; --b) buf.push_back(std::byte(static_cast<uint8_t>(v >> 8 * b)));
        }
        if (rng() % 4 == 0) {  // one byte changed
            size_t at = tcp_at + TcpSegment::kMinHeaderLen + rng() % (words * 4);
            buf[at] = std::byte(static_cast<uint8_t>(rng() % 12));
        }
        buf[tcp_at + TcpSegment::kDataOffset] = std::byte(static_cast<uint8_t>((5 + words) << 4));
        Bytes header = Bytes(buf).subspan(tcp_at, TcpSegment::kMinHeaderLen + words * 4);
        bool ok = TcpSegment::check(header).ok();
        EXPECT_EQ(detail::tcp_options_valid(header), ok) << "options " << i;
        valid += ok;
        words_only += ok && only_known;
        fit_ip_length(buf, net);
        diff.check(buf, "option words " + std::to_string(i));
    }
    // Both verdicts occur often.
    EXPECT_GT(valid, 4000u);
    EXPECT_LT(valid, 16000u);
    EXPECT_GT(words_only, 2000u);
}

TEST(Decode, FastPathAgreesWithTheGeneralDecoderOnIcmpv6MessagesAndNdpOptions) {
    // The fast path checks ICMPv6 messages that are not NDP, and neighbour solicitations and
    // advertisements with no option or one 8-byte option, inline; every other NDP message out
    // of line. Every type around the NDP range, lengths from 0 to 48 and option length bytes
    // 0-3 at the first two option positions.
    static constexpr uint8_t kTypes[] = {1,   127, 128, 129, 132, 133, 134,
                                         135, 136, 137, 138, 255, 0};
    Differential diff;
    std::vector<std::byte> data;
    for (uint8_t type : kTypes) {
        for (size_t len = 0; len <= 48; ++len) {
            for (uint8_t opt_len : {0, 1, 2, 3}) {
                FrameRepr f;
                f.net = FrameRepr::Net::Ipv6;
                f.ipv6.hop_limit = 255;
                f.l4 = FrameRepr::Transport::Icmpv6;
                f.icmpv6.type = type;
                data.assign(len, std::byte{0});
                for (size_t at : {size_t{24}, size_t{32}, size_t{16}})
                    if (at + 1 >= Icmpv6Packet::kHeaderLen &&
                        at + 1 - Icmpv6Packet::kHeaderLen < len)
                        data[at + 1 - Icmpv6Packet::kHeaderLen] = std::byte{opt_len};
                f.icmpv6.data = data;
                std::vector<std::byte> buf(f.buffer_len());
                ASSERT_EQ(f.emit(buf), buf.size());
                std::string ctx = "icmpv6 type " + std::to_string(type) + " length " +
                                  std::to_string(len + 4) + " option length " +
                                  std::to_string(opt_len);
                diff.check(buf, ctx);
                // A message shorter than its 4-byte header: the IPv6 payload length cut.
                if (len == 0)
                    for (size_t cut = 1; cut <= Icmpv6Packet::kHeaderLen; ++cut) {
                        std::vector<std::byte> m(buf.begin(), buf.end() - static_cast<long>(cut));
                        put16(m, EthernetFrame::kHeaderLen + Ipv6Packet::kPayloadLen,
                              static_cast<uint16_t>(Icmpv6Packet::kHeaderLen - cut));
                        diff.check(m, ctx + " cut " + std::to_string(cut));
                    }
            }
        }
    }
}

}  // namespace
}  // namespace tapd::wire
