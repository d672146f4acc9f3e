// The Internet checksum (RFC 1071), summed eight bytes at a time, and the pseudo-header sums.
#include "wire/checksum.hpp"

#include <cstring>

namespace tapd::wire {

const char* to_string(ChecksumStatus s) {
    switch (s) {
        case ChecksumStatus::Bad:
            return "bad";
        case ChecksumStatus::Good:
            return "good";
        case ChecksumStatus::Unverified:
            return "unverified";
        case ChecksumStatus::NotPresent:
            return "not present";
        case ChecksumStatus::Illegal:
            return "illegal";
    }
    return "unknown";
}

namespace checksum {

uint64_t accumulate(Bytes data, uint64_t acc) {
    // RFC 1071 2(B): the sum is byte-order independent, so we add native 32-bit words into a
    // 64-bit accumulator and swap once at the end. Carries out of bit 63 cannot happen for any
    // buffer under 2^32 words.
    const std::byte* p = data.data();
    size_t n = data.size();
    uint64_t sum = 0;
    while (n >= 8) {
        uint32_t a, b;
        std::memcpy(&a, p, 4);
        std::memcpy(&b, p + 4, 4);
        sum += a;
        sum += b;
        p += 8;
        n -= 8;
    }
    if (n >= 4) {
        uint32_t a;
        std::memcpy(&a, p, 4);
        sum += a;
        p += 4;
        n -= 4;
    }
    if (n >= 2) {
        uint16_t a;
        std::memcpy(&a, p, 2);
        sum += a;
        p += 2;
        n -= 2;
    }
    if (n) {
        unsigned char last = static_cast<unsigned char>(*p);
        uint16_t a = 0;
        std::memcpy(&a, &last, 1);  // the odd byte is the high half of a zero-padded word
        sum += a;
    }
    uint16_t folded = fold(sum);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    folded = static_cast<uint16_t>(folded << 8 | folded >> 8);
#endif
    return acc + folded;
}

uint64_t pseudo_header(const Ipv4Address& src, const Ipv4Address& dst, uint8_t proto,
                       uint32_t length) {
    uint64_t acc = accumulate(src.bytes());
    acc = accumulate(dst.bytes(), acc);
    return acc + proto + length;
}

uint64_t pseudo_header(const Ipv6Address& src, const Ipv6Address& dst, uint8_t next_header,
                       uint32_t length) {
    uint64_t acc = accumulate(src.bytes());
    acc = accumulate(dst.bytes(), acc);
    return acc + (length >> 16) + (length & 0xffff) + next_header;
}

}  // namespace checksum
}  // namespace tapd::wire
