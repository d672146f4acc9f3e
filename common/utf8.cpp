// Valid, bounded UTF-8 for everything tapd sends or logs.
#include "utf8.hpp"

#include <algorithm>

namespace tapd {

namespace {

// Length of the well-formed UTF-8 character at the start of S (RFC 3629, table 3-7 of the
// Unicode standard), or 0 if S does not start with one.
size_t char_length(std::string_view s) {
    auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
    auto tail = [&](size_t i, unsigned lo = 0x80, unsigned hi = 0xbf) {
        return i < s.size() && b(i) >= lo && b(i) <= hi;
    };
    unsigned c = b(0);
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) return tail(1) ? 2 : 0;
    // The second byte's range rules out overlong forms (0xe0, 0xf0), surrogates (0xed) and code
    // points above U+10FFFF (0xf4).
    if (c >= 0xe0 && c <= 0xef) {
        unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
        return tail(1, lo, hi) && tail(2) ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
        return tail(1, lo, hi) && tail(2) && tail(3) ? 4 : 0;
    }
    return 0;  // 0x80-0xc1 (continuation or overlong lead), 0xf5-0xff
}

}  // namespace

std::string printable_utf8(std::string_view text, size_t max_bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    static constexpr std::string_view kCut = "...";
    if (max_bytes < kCut.size()) max_bytes = kCut.size();
    std::string out;
    out.reserve(std::min(text.size(), max_bytes) + kCut.size());
    size_t fits_with_cut =
        0;  // the output's length at the last boundary that leaves room for "..."
    for (size_t i = 0; i < text.size();) {
        if (out.size() <= max_bytes - kCut.size()) fits_with_cut = out.size();
        size_t n = char_length(text.substr(i));
        auto c = static_cast<unsigned char>(text[i]);
        if (n == 0 || c < 0x20 || c == 0x7f) {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
            n = 1;
        } else {
            out.append(text.substr(i, n));
        }
        i += n;
        if (out.size() > max_bytes) {
            out.resize(fits_with_cut);
            return out += kCut;
        }
    }
    return out;
}

}  // namespace tapd
