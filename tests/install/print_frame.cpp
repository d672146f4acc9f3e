// Built by install_test.sh against the installed libtapd only, as decode_frame.cpp is, but with
// the headers of today: <tapd/print/...> for the text forms (tapd::print), and <tapd/wire/pcap.hpp>
// (which needs the installed <tapd/pcap_format.hpp>) to write the frame as a pcap record.
#include <tapd/print/summary.hpp>
#include <tapd/print/text_buffer.hpp>
#include <tapd/wire/decode.hpp>
#include <tapd/wire/pcap.hpp>

#include <cstdio>
#include <string>

namespace {

// The frame of decode_frame.cpp: Ethernet/IPv4/UDP 192.168.69.1:40000 -> 203.0.113.1:7777 "hello".
constexpr unsigned char kFrame[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00,  //
    0x45, 0x00, 0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x39, 0x20,              //
    0xc0, 0xa8, 0x45, 0x01, 0xcb, 0x00, 0x71, 0x01,                                      //
    0x9c, 0x40, 0x1e, 0x61, 0x00, 0x0d, 0x00, 0x00,                                      //
    'h',  'e',  'l',  'l',  'o'};

}  // namespace

int main() {
    namespace wire = tapd::wire;
    wire::Bytes frame(reinterpret_cast<const std::byte*>(kFrame), sizeof kFrame);
    wire::Decoded d;
    wire::decode(frame, d);
    std::string text;
    {
        tapd::print::TextBuffer out(&text);
        tapd::print::write_summary(out, d);
    }
    std::printf("%s\nsnaplen=%u\n", text.c_str(), wire::CaptureWriter::kSnapLen);
    return 0;
}
