// Synthetic mixed traffic for the wire benchmarks, built with tapd::wire's own FrameRepr.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "wire/frame.hpp"

namespace tapd::wire::bench {

// Frames packed back to back in one buffer, like a capture file's records in memory.
struct Traffic {
    std::vector<std::byte> bytes;
    std::vector<uint32_t> offsets;  // start of each frame; one extra entry = end
    size_t count() const { return offsets.size() - 1; }
    Bytes frame(size_t i) const {
        return Bytes(bytes).subspan(offsets[i], offsets[i + 1] - offsets[i]);
    }
};

// A mix resembling a busy host: 55% TCP/IPv4 (timestamps on, some with payload), 15% UDP/IPv4,
// 15% TCP/IPv6, 5% UDP/IPv6, 4% ICMP echo, 3% ICMPv6 NDP, 3% ARP; 10% carry an 802.1Q tag.
inline Traffic make_traffic(size_t frames, uint32_t seed = 1) {
    std::mt19937 rng(seed);
    auto r = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
    Traffic t;
    t.offsets.reserve(frames + 1);
    std::vector<std::byte> payload(1400);
    for (auto& b : payload) b = std::byte(rng());
    for (size_t i = 0; i < frames; ++i) {
        // Addresses and ports come from one of 256 flows, as on a real link; tools that keep
        // per-flow state (tcpdump) would otherwise see a new flow in every frame.
        std::mt19937 flow_rng(r(256));
        auto fl = [&](uint32_t n) { return static_cast<uint32_t>(flow_rng() % n); };
        FrameRepr f;
        f.eth.src = MacAddress{{2, 0, 0, 0, static_cast<uint8_t>(fl(256)), 1}};
        f.eth.dst = MacAddress{{2, 0, 0, 0, static_cast<uint8_t>(fl(256)), 2}};
        if (r(10) == 0) {
            f.vlan_count = 1;
            f.vlans[0].vid = static_cast<uint16_t>(r(4096));
        }
        size_t plen = r(4) == 0 ? r(1400) : r(64);
        Bytes data = Bytes(payload).first(plen);
        uint32_t kind = r(100);
        auto v4 = [&] {
            f.net = FrameRepr::Net::Ipv4;
            f.ipv4.src =
                Ipv4Address{{10, 0, static_cast<uint8_t>(fl(256)), static_cast<uint8_t>(fl(256))}};
            f.ipv4.dst = Ipv4Address{
                {192, 168, static_cast<uint8_t>(fl(256)), static_cast<uint8_t>(fl(256))}};
            f.ipv4.ident = static_cast<uint16_t>(rng());
            f.ipv4.dont_frag = true;
        };
        auto v6 = [&] {
            f.net = FrameRepr::Net::Ipv6;
            f.ipv6.src.b = {0x20, 0x01, 0x0d, 0xb8};
            f.ipv6.dst.b = {0x20, 0x01, 0x0d, 0xb8};
            f.ipv6.src.b[15] = static_cast<uint8_t>(fl(256));
            f.ipv6.dst.b[15] = static_cast<uint8_t>(fl(256));
        };
        auto tcp = [&] {
            f.l4 = FrameRepr::Transport::Tcp;
            f.tcp.src_port = static_cast<uint16_t>(fl(65536));
            f.tcp.dst_port = fl(2) ? 443 : static_cast<uint16_t>(fl(65536));
            f.tcp.seq = static_cast<uint32_t>(rng());
            f.tcp.ack = static_cast<uint32_t>(rng());
            f.tcp.flags = r(20) == 0 ? tcp::kSyn : tcp::kAck | (plen ? tcp::kPsh : 0);
            f.tcp.window = 502;
            f.tcp.options.timestamps =
                std::pair{static_cast<uint32_t>(rng()), static_cast<uint32_t>(rng())};
            if (f.tcp.flags == tcp::kSyn) {
                f.tcp.options.mss = 1460;
                f.tcp.options.window_scale = 7;
                f.tcp.options.sack_permitted = true;
            }
            f.tcp.payload = data;
        };
        auto udp = [&] {
            f.l4 = FrameRepr::Transport::Udp;
            // Unassigned ports: tcpdump would otherwise decode random payloads as DNS and such.
            f.udp = {static_cast<uint16_t>(30000 + fl(10000)),
                     static_cast<uint16_t>(30000 + fl(10000)), data};
        };
        if (kind < 55) {
            v4();
            tcp();
        } else if (kind < 70) {
            v4();
            udp();
        } else if (kind < 85) {
            v6();
            tcp();
        } else if (kind < 90) {
            v6();
            udp();
        } else if (kind < 94) {
            v4();
            f.l4 = FrameRepr::Transport::Icmp;
            f.icmp = Icmpv4Repr::echo(true, 1, static_cast<uint16_t>(i), Bytes(payload).first(56));
        } else if (kind < 97) {
            v6();
            f.ipv6.hop_limit = 255;
            f.l4 = FrameRepr::Transport::Ndp;
            f.ndp.type = icmpv6::kNeighborSolicit;
            f.ndp.target = f.ipv6.dst;
            f.ndp.lladdr = f.eth.src;
        } else {
            f.net = FrameRepr::Net::Arp;
            f.arp.sha = f.eth.src;
            f.arp.spa = Ipv4Address{{10, 0, 0, 1}};
            f.arp.tpa = Ipv4Address{{10, 0, 0, static_cast<uint8_t>(r(256))}};
        }
        size_t at = t.bytes.size();
        t.offsets.push_back(static_cast<uint32_t>(at));
        t.bytes.resize(at + f.buffer_len());
        f.emit(MutBytes(t.bytes).subspan(at));
    }
    t.offsets.push_back(static_cast<uint32_t>(t.bytes.size()));
    return t;
}

// Malformed variants: each frame cut at a random point inside its headers or with a length
// field made impossible (IP total length below the header, TCP data offset below 5, UDP length
// below 8), as captures of broken senders and fuzzers look.
inline Traffic make_malformed(const Traffic& good, uint32_t seed = 2) {
    std::mt19937 rng(seed);
    Traffic t;
    Decoded d;
    for (size_t i = 0; i < good.count(); ++i) {
        Bytes f = good.frame(i);
        decode(f, d);
        std::vector<std::byte> m(f.begin(), f.end());
        size_t headers = d.l4_offset ? d.l4_offset + 8 : d.l3_offset + 8;
        switch (rng() % 3) {
            case 0:
                m.resize(std::min(m.size(), 14 + rng() % (headers - 14 + 1)));
                break;
            case 1:
                if (d.has(kHasIpv4))
                    m[d.l3_offset + 3] = std::byte{10};  // total length 10
                else if (d.has(kHasIpv6))
                    m[d.l3_offset + 6] = std::byte{0};  // hop-by-hop, none there
                else
                    m.resize(20);
                break;
            default:
                if (d.has(kHasTcp))
                    m[d.l4_offset + 12] = std::byte{0x30};  // data offset 3
                else if (d.has(kHasUdp))
                    m[d.l4_offset + 5] = std::byte{4};  // length 4
                else
                    m.resize(16);
                break;
        }
        t.offsets.push_back(static_cast<uint32_t>(t.bytes.size()));
        t.bytes.insert(t.bytes.end(), m.begin(), m.end());
    }
    t.offsets.push_back(static_cast<uint32_t>(t.bytes.size()));
    return t;
}

}  // namespace tapd::wire::bench
