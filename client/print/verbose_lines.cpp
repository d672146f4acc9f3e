// The verbose dump's line writers and hex dump.
#include "print/verbose_lines.hpp"

#include <algorithm>

namespace tapd::print::verbose {

using namespace wire;

void label(TextBuffer& o, std::string_view name) {
    // One reserve for the line's start: the labels are short constants, and this runs for
    // every field of every frame.
    constexpr std::string_view kIndent = "   |-", kColon = ": ";
    constexpr size_t kWidth = 20;
    const size_t pad = name.size() < kWidth ? kWidth - name.size() : 0;
    char* p = o.reserve(kIndent.size() + name.size() + pad + kColon.size());
    p = std::copy(kIndent.begin(), kIndent.end(), p);
    p = std::copy(name.begin(), name.end(), p);
    p = std::fill_n(p, pad, ' ');
    o.commit(std::copy(kColon.begin(), kColon.end(), p));
}

void line_dec(TextBuffer& o, std::string_view name, uint64_t v) {
    label(o, name);
    o.dec(v);
    o.put('\n');
}

void line_hex(TextBuffer& o, std::string_view name, uint64_t v, int digits) {
    label(o, name);
    o.hex(v, digits);
    o.put('\n');
}

void line_dec_hex(TextBuffer& o, std::string_view name, uint64_t v, int digits) {
    label(o, name);
    o.dec(v);
    o.append(" (");
    o.hex(v, digits);
    o.append(")\n");
}

void line_checksum(TextBuffer& o, uint16_t value, ChecksumStatus s) {
    label(o, "Checksum");
    o.hex(value, 4);
    o.append(" (");
    o.append(to_string(s));
    o.append(")\n");
}

void line_named(TextBuffer& o, std::string_view name, uint64_t v, int digits, const char* what) {
    label(o, name);
    if (digits)
        o.hex(v, digits);
    else
        o.dec(v);
    o.append(" (");
    o.append(what);
    o.append(")\n");
}

void hex_dump(TextBuffer& o, Bytes data) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (size_t at = 0; at < data.size(); at += 16) {
        char* p = o.reserve(80);
        *p++ = ' ';
        *p++ = ' ';
        *p++ = ' ';
        *p++ = ' ';
        for (int i = 3; i >= 0; --i) *p++ = kHex[(at >> (4 * i)) & 0xf];
        *p++ = ' ';
        *p++ = ' ';
        for (size_t i = 0; i < 16; ++i) {
            if (at + i < data.size()) {
                uint8_t b = static_cast<uint8_t>(data[at + i]);
                *p++ = kHex[b >> 4];
                *p++ = kHex[b & 0xf];
            } else {
                *p++ = ' ';
                *p++ = ' ';
            }
            *p++ = ' ';
        }
        *p++ = ' ';
        for (size_t i = 0; i < 16 && at + i < data.size(); ++i) {
            uint8_t b = static_cast<uint8_t>(data[at + i]);
            *p++ = b >= 0x20 && b < 0x7f ? static_cast<char>(b) : '.';
        }
        *p++ = '\n';
        o.commit(p);
    }
}

}  // namespace tapd::print::verbose
