// Byte-order helpers over std::span<std::byte>; callers have already checked the range.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace tapd::wire {

using Bytes = std::span<const std::byte>;
using MutBytes = std::span<std::byte>;

namespace detail {
// decode()'s inline fast path (decode_fast.hpp) builds views whose bounds it has proved itself.
struct DecodeAccess;
}  // namespace detail

// Network byte order (RFC 1700 "big-endian") reads. Bounds are the caller's contract: every view
// calls these only at offsets its checked constructor proved to be inside the buffer.
inline uint8_t get8(Bytes b, size_t at) {
    return static_cast<uint8_t>(b[at]);
}
inline uint16_t get16(Bytes b, size_t at) {
    return static_cast<uint16_t>(static_cast<uint16_t>(b[at]) << 8 |
                                 static_cast<uint16_t>(b[at + 1]));
}
inline uint32_t get32(Bytes b, size_t at) {
    return static_cast<uint32_t>(b[at]) << 24 | static_cast<uint32_t>(b[at + 1]) << 16 |
           static_cast<uint32_t>(b[at + 2]) << 8 | static_cast<uint32_t>(b[at + 3]);
}

inline void put8(MutBytes b, size_t at, uint8_t v) {
    b[at] = std::byte{v};
}
inline void put16(MutBytes b, size_t at, uint16_t v) {
    b[at] = std::byte(v >> 8);
    b[at + 1] = std::byte(v & 0xff);
}
inline void put32(MutBytes b, size_t at, uint32_t v) {
    b[at] = std::byte(v >> 24);
    b[at + 1] = std::byte((v >> 16) & 0xff);
    b[at + 2] = std::byte((v >> 8) & 0xff);
    b[at + 3] = std::byte(v & 0xff);
}
inline void put_bytes(MutBytes b, size_t at, Bytes src) {
    if (!src.empty()) std::memcpy(b.data() + at, src.data(), src.size());
}

inline Bytes as_bytes(const void* p, size_t n) {
    return {static_cast<const std::byte*>(p), n};
}

}  // namespace tapd::wire
