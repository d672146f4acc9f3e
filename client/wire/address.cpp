// Text forms of MAC, IPv4 and IPv6 addresses (RFC 5952), written without allocation.
#include "wire/address.hpp"

#include <arpa/inet.h>

#include <string>

namespace tapd::wire {
namespace {

constexpr char kHex[] = "0123456789abcdef";

char* put_dec(char* out, unsigned v) {
    if (v >= 100) *out++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *out++ = static_cast<char>('0' + (v / 10) % 10);
    *out++ = static_cast<char>('0' + v % 10);
    return out;
}

char* put_hex_group(char* out, unsigned v) {
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned nib = (v >> shift) & 0xf;
        if (nib || started || shift == 0) {
            *out++ = kHex[nib];
            started = true;
        }
    }
    return out;
}

}  // namespace

char* format(char* out, const MacAddress& a) {
    for (size_t i = 0; i < 6; ++i) {
        if (i) *out++ = ':';
        *out++ = kHex[a.b[i] >> 4];
        *out++ = kHex[a.b[i] & 0xf];
    }
    return out;
}

char* format(char* out, const Ipv4Address& a) {
    for (size_t i = 0; i < 4; ++i) {
        if (i) *out++ = '.';
        out = put_dec(out, a.b[i]);
    }
    return out;
}

char* format(char* out, const Ipv6Address& a) {
    unsigned g[8];
    for (size_t i = 0; i < 8; ++i) g[i] = static_cast<unsigned>(a.b[2 * i] << 8 | a.b[2 * i + 1]);
    bool mapped = g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff;
    if (mapped) {
        constexpr std::string_view prefix = "::ffff:";
        for (char c : prefix) *out++ = c;
        return format(out, Ipv4Address{{a.b[12], a.b[13], a.b[14], a.b[15]}});
    }
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (g[i] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && g[j] == 0) ++j;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    if (best_len < 2) best = -1;  // RFC 5952 4.2.2: a single zero group is not shortened
    for (int i = 0; i < 8; ++i) {
        if (i == best) {
            *out++ = ':';
            if (i == 0) *out++ = ':';
            i += best_len - 1;
            continue;
        }
        out = put_hex_group(out, g[i]);
        if (i != 7) *out++ = ':';
    }
    return out;
}

std::optional<MacAddress> parse_mac(std::string_view text) {
    if (text.size() != 17) return std::nullopt;
    MacAddress m;
    for (size_t i = 0; i < 6; ++i) {
        unsigned v = 0;
        for (size_t k = 0; k < 2; ++k) {
            char c = text[3 * i + k];
            unsigned d;
            if (c >= '0' && c <= '9')
                d = static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f')
                d = static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                d = static_cast<unsigned>(c - 'A' + 10);
            else
                return std::nullopt;
            v = v * 16 + d;
        }
        if (i != 5 && text[3 * i + 2] != ':') return std::nullopt;
        m.b[i] = static_cast<uint8_t>(v);
    }
    return m;
}

std::optional<Ipv4Address> parse_ipv4(std::string_view text) {
    std::string s(text);
    Ipv4Address a;
    if (inet_pton(AF_INET, s.c_str(), a.b.data()) != 1) return std::nullopt;
    return a;
}

std::optional<Ipv6Address> parse_ipv6(std::string_view text) {
    std::string s(text);
    Ipv6Address a;
    if (inet_pton(AF_INET6, s.c_str(), a.b.data()) != 1) return std::nullopt;
    return a;
}

}  // namespace tapd::wire
