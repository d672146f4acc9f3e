// The commands on a tap's frames and capture files: sniff, capture, read (over packet_cli).
#include <string>

#include "commands.hpp"
#include "packet_cli/packet_cli.hpp"

namespace tapd::tapctl {

namespace {

// The operands after NAME as one pcap-filter(7) expression, joined by spaces as tcpdump joins
// its own ("" when there are none).
std::string filter_expression(const Invocation& inv) {
    std::string e;
    for (size_t i = 1; i < inv.operands.size(); ++i) e += (i > 1 ? " " : "") + inv.operands[i];
    return e;
}

tapd::cli::DecodeOptions decode_options(const Invocation& inv) {
    tapd::cli::DecodeOptions o;
    o.verbose = inv.verbose;
    o.json = inv.json;
    o.count = inv.count;
    return o;
}

}  // namespace

int cmd_sniff(Invocation& inv) {
    std::string name = need_name(inv);
    // A capture stream from tapd, not the tap fd: a tap another program holds can be sniffed.
    auto fd = inv.bus().open_capture(name, 0, filter_expression(inv));
    return tapd::cli::print_frames_from_pcap_fd(fd.get(), decode_options(inv));
}

int cmd_capture(Invocation& inv) {
    std::string name = need_name(inv);
    if (inv.write_to.empty()) throw UsageError("capture: -w FILE is required");
    auto fd = inv.bus().open_capture(name, 0, filter_expression(inv));
    return tapd::cli::capture_pcap_fd_to_file(fd.get(), inv.write_to, inv.count);
}

int cmd_read(Invocation& inv) {
    std::string file = operand(inv, 0, "read needs a FILE");
    no_more_operands(inv, 1);
    return tapd::cli::print_file(file, decode_options(inv));
}

}  // namespace tapd::tapctl
