// The lines of the verbose dump: "   |-Label               : value", and the hex dump of a
// payload. Not installed: a helper of print/'s own .cpp files.
#pragma once

#include <cstdint>
#include <string_view>

#include "print/field_text.hpp"
#include "print/text_buffer.hpp"
#include "wire/bytes.hpp"
#include "wire/checksum.hpp"

namespace tapd::print::verbose {

// "   |-Label               : " with the label padded so values line up (name: a short
// constant, far below TextBuffer::kCapacity).
void label(TextBuffer& o, std::string_view name);

void line_dec(TextBuffer& o, std::string_view name, uint64_t v);
void line_hex(TextBuffer& o, std::string_view name, uint64_t v, int digits);
// "v (0x...)".
void line_dec_hex(TextBuffer& o, std::string_view name, uint64_t v, int digits);
// "v (what)", v in hex of digits digits, or in decimal when digits is 0.
void line_named(TextBuffer& o, std::string_view name, uint64_t v, int digits, const char* what);
// "0x.... (good)", the verdict as tshark names it.
void line_checksum(TextBuffer& o, uint16_t value, wire::ChecksumStatus s);

template <class Address>
void line_addr(TextBuffer& o, std::string_view name, const Address& a) {
    label(o, name);
    put_address(o, a);
    o.put('\n');
}

// 16 bytes a line: offset, hex, and the printable characters.
void hex_dump(TextBuffer& o, wire::Bytes data);

}  // namespace tapd::print::verbose
