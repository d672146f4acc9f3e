// Reference frames for the wire tests (generated once by scapy 2.5, checksums as scapy set them)
// and a hex helper.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "wire/bytes.hpp"

namespace tapd::wire::test {

inline std::vector<std::byte> hex(std::string_view s) {
    auto nib = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::vector<std::byte> out;
    int hi = -1;
    for (char c : s) {
        int v = nib(c);
        if (v < 0) continue;  // allow spaces and separators
        if (hi < 0) {
            hi = v;
        } else {
            out.push_back(std::byte(hi << 4 | v));
            hi = -1;
        }
    }
    return out;
}

// Ether/IP(192.168.69.1 -> 203.0.113.1, id 0x1234, DF)/UDP(40000 -> 7777)/"hello"
inline constexpr std::string_view kUdp4 =
    "020000000002020000000001080045000021123440004011e6ecc0a84501cb0071019c401e61000dbfb4"
    "68656c6c6f";
// Ether/IP(10.0.0.1 -> 10.0.0.2)/TCP(43210 -> 80, S, seq 1000, win 64240,
// MSS 1460, SAckOK, TS 12345/0, NOP, WScale 7)
inline constexpr std::string_view kTcpSyn =
    "02000000000202000000000108004500003c00010000400666b90a0000010a000002a8ca0050000003e8"
    "00000000a002faf05bd10000020405b40402080a000030390000000001030307";
// Ether(broadcast)/ARP who-has 192.168.69.100 tell 192.168.69.1
inline constexpr std::string_view kArpRequest =
    "ffffffffffff02000000000108060001080006040001020000000001c0a84501000000000000c0a84564";
// Ether/IP(10.0.0.1 -> 10.0.0.2)/ICMP echo request id 0x42 seq 1/"abcdefgh"
inline constexpr std::string_view kIcmpEcho =
    "02000000000202000000000108004500002400070000400166d00a0000010a00000208006627004200016162"
    "636465666768";
// Ether/IPv6(fe80::1 -> ff02::1:ff00:2)/ICMPv6 NS who-has fe80::2, source lladdr 02:..:01
inline constexpr std::string_view kIcmp6Ns =
    "3333ff00000202000000000186dd6000000000203afffe800000000000000000000000000001ff0200000000"
    "000000000001ff00000287007a9700000000fe8000000000000000000000000000020101020000000001";
// Ether/IPv6(2001:db8::1 -> 2001:db8::2)/HopByHop/Fragment(id 0xabcd, off 0, M 0)/
// UDP(5353 -> 53)/"q"
inline constexpr std::string_view kUdp6FragHbh =
    "02000000000202000000000186dd600000000019004020010db800000000000000000000000120010db80000"
    "000000000000000000022c00010400000000110000000000abcd14e9003500091e4971";
// Ether/802.1ad(100)/802.1Q(200, pcp 5)/IP(10.0.0.1 -> 10.0.0.2)/UDP(1 -> 2)
inline constexpr std::string_view kQinQ =
    "02000000000202000000000188a800648100a0c808004500001c00010000401166ce0a0000010a00000200"
    "0100020008ebd8";
// Ether/IPv6(2001:db8::1 -> 2001:db8::2)/TCP(443 -> 50000, A, seq 5, ack 9,
// NOP, NOP, SACK 100-200 300-400)/"xyz"
inline constexpr std::string_view kTcp6Sack =
    "02000000000202000000000186dd60000000002b064020010db800000000000000000000000120010db80000"
    "0000000000000000000201bbc3500000000500000009a010200022ba00000101051200000064000000c800"
    "00012c0000019078797a";
// Dot3(01:80:c2:00:00:00 <- 02:00:00:00:00:01, length 38)/LLC(dsap 0x42, ssap 0x42, UI)/
// STP config BPDU (root and bridge 8000.02:00:00:00:00:01, port 0x8001), padded to 60 bytes
inline constexpr std::string_view kStp =
    "0180c20000000200000000010026424203000000000080000200000000010000000080000200000000018001"
    "0100140002000f000000000000000000";

}  // namespace tapd::wire::test
