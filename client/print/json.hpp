// JSON Lines output: one object per frame keyed by Wireshark display-filter field names.
#pragma once

#include <string_view>

#include "print/frame_meta.hpp"
#include "print/text_buffer.hpp"
#include "wire/decode.hpp"

namespace tapd::print {

// Writes one line: {"frame.number":1,...}\n. Values are JSON numbers for integer fields
// (tshark -T fields shows some of them in hex: eth.type, ip.id, tcp.flags), strings for
// addresses, arrays for vlan.id / ieee8021ad.id (one element per tag, outermost first), and
// checksum statuses with tshark's numbers (0 bad, 1 good, 2 unverified, 3 not present,
// 4 illegal). A malformed frame adds "error": {"layer","reason","offset","value","limit","text"}.
void write_json(TextBuffer& out, const wire::Decoded& d, const FrameMeta& m);

// Appends s as a JSON string literal (RFC 8259 7: quote, backslash and control characters
// escaped).
void write_json_string(TextBuffer& out, std::string_view s);

}  // namespace tapd::print
