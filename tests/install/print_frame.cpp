// Built by install_test.sh against the installed libtapd only, as decode_frame.cpp is, but with
// the headers of today: <tapd/print/...> for the text forms (tapd::print), and <tapd/wire/pcap.hpp>
// (which needs the installed <tapd/pcap_format.hpp>) to write the frame as a pcap record.
#include <tapd/print/summary.hpp>
#include <tapd/print/text_buffer.hpp>
#include <tapd/wire/decode.hpp>
#include <tapd/wire/pcap.hpp>

#include <cstdio>
#include <string>

#include "udp_frame.hpp"

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
