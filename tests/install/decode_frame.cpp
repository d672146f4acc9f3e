// Built by install_test.sh against the installed libtapd only: decodes one static
// Ethernet/IPv4/UDP frame and prints the layers found and tcpdump's one-line summary.
#include <tapd/wire/decode.hpp>
#include <tapd/wire/summary.hpp>
#include <tapd/wire/text.hpp>

#include <cstdio>
#include <string>

namespace {

// 02:00:00:00:00:02 -> 02:00:00:00:00:01, IPv4 192.168.69.1 -> 203.0.113.1 (header checksum
// 0x3920), UDP 40000 -> 7777 without checksum, payload "hello".
constexpr unsigned char kFrame[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00,  //
    0x45, 0x00, 0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x39, 0x20,              //
    0xc0, 0xa8, 0x45, 0x01, 0xcb, 0x00, 0x71, 0x01,                                      //
    0x9c, 0x40, 0x1e, 0x61, 0x00, 0x0d, 0x00, 0x00,                                      //
    'h',  'e',  'l',  'l',  'o'};

}  // namespace

int main() {
    namespace wire = tapd::wire;
    wire::Decoded d;
    wire::decode(wire::Bytes(reinterpret_cast<const std::byte*>(kFrame), sizeof kFrame), d);
    std::string text;
    {
        wire::TextBuffer out(&text);
        wire::write_summary(out, d);
        out.flush();
    }
    std::printf("eth=%d ipv4=%d udp=%d error=%d\n%s\n", d.has(wire::kHasEth), d.has(wire::kHasIpv4),
                d.has(wire::kHasUdp), d.has_error, text.c_str());
    return 0;
}
