// Built by install_test.sh against the installed libtapd only: decodes one static
// Ethernet/IPv4/UDP frame and prints the layers found and tcpdump's one-line summary.
#include <tapd/wire/decode.hpp>
#include <tapd/wire/summary.hpp>
#include <tapd/wire/text.hpp>

#include <cstdio>
#include <string>

#include "udp_frame.hpp"

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
