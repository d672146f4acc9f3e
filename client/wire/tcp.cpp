// TCP segment check with option validation, option parse/emit, repr parse and emit.
#include "wire/tcp.hpp"

#include <algorithm>

namespace tapd::wire {
namespace {

// Required total length of a known option kind, 0 when any length >= 2 is allowed.
size_t fixed_option_len(uint8_t kind) {
    switch (kind) {
        case tcp::kOptMss:
            return 4;
        case tcp::kOptWindowScale:
            return 3;
        case tcp::kOptSackPermitted:
            return 2;
        case tcp::kOptTimestamps:
            return 10;
        default:
            return 0;
    }
}

}  // namespace

Checked<TcpSegment> TcpSegment::check(Bytes b) {
    if (b.size() < kMinHeaderLen) return truncated(Layer::Tcp, 0, kMinHeaderLen, b.size());
    size_t hl = (get8(b, kDataOffset) >> 4) * 4u;
    if (hl < kMinHeaderLen)
        return WireError{Layer::Tcp, Reason::HeaderTooShort, kDataOffset, static_cast<uint32_t>(hl),
                         kMinHeaderLen};
    if (hl > b.size()) return truncated(Layer::Tcp, kDataOffset, hl, b.size());
    TlvOptionWalker walk(b.subspan(kMinHeaderLen, hl - kMinHeaderLen));
    for (TlvOption opt; walk.next(opt);) {
        if (opt.kind == tcp::kOptNop) continue;
        const size_t at = kMinHeaderLen + opt.offset, len = opt.data.size();
        const auto len_at = static_cast<uint32_t>(at + 1);
        // RFC 2018 3: a SACK option holds 1 to 4 blocks of 8 bytes after kind and length.
        if (opt.kind == tcp::kOptSack && (len < 10 || (len - 2) % 8 != 0))
            return WireError{Layer::Tcp, Reason::BadOptionLength, len_at,
                             static_cast<uint32_t>(len), static_cast<uint32_t>(hl - at)};
        size_t fixed = fixed_option_len(opt.kind);
        if (fixed && len != fixed)
            return WireError{Layer::Tcp, Reason::WrongOptionLength, len_at,
                             static_cast<uint32_t>(len), static_cast<uint32_t>(fixed)};
    }
    if (walk.bad()) return walk.bad_length(Layer::Tcp, kMinHeaderLen);
    return TcpSegment(b);
}

TcpOptions TcpOptions::parse(Bytes options) {
    TcpOptions o;
    TlvOptionWalker walk(options);
    for (TlvOption opt; walk.next(opt);) {
        switch (opt.kind) {
            case tcp::kOptMss:
                o.mss = get16(opt.data, 2);
                break;
            case tcp::kOptWindowScale:
                o.window_scale = get8(opt.data, 2);
                break;
            case tcp::kOptSackPermitted:
                o.sack_permitted = true;
                break;
            case tcp::kOptTimestamps:
                o.timestamps = std::pair{get32(opt.data, 2), get32(opt.data, 6)};
                break;
            case tcp::kOptSack: {
                // A later SACK option replaces an earlier one whole: no blocks of the first may
                // linger behind sack_count (found by fuzz_decode's round trip).
                o.sack = {};
                size_t n = std::min<size_t>((opt.data.size() - 2) / 8, o.sack.size());
                o.sack_count = static_cast<uint8_t>(n);
                for (size_t i = 0; i < n; ++i)
                    o.sack[i] = {get32(opt.data, 2 + 8 * i), get32(opt.data, 6 + 8 * i)};
                break;
            }
            default:
                break;
        }
    }
    return o;
}

namespace {

// Lengths of each option as emitted: padded (with the NOPs stacks put before it) or packed.
size_t padded_len(const TcpOptions& o) {
    return (o.mss ? 4 : 0) + (o.window_scale ? 4 : 0) + (o.sack_permitted ? 4 : 0) +
           (o.timestamps ? 12 : 0) + (o.sack_count ? 4 + 8u * o.sack_count : 0);
}
size_t packed_len_without_sack(const TcpOptions& o) {
    return (o.mss ? 4 : 0) + (o.window_scale ? 3 : 0) + (o.sack_permitted ? 2 : 0) +
           (o.timestamps ? 10 : 0);
}
// SACK blocks the packed form carries (all of them when they fit).
size_t packed_sack_count(const TcpOptions& o) {
    size_t room = TcpOptions::kMaxLen - packed_len_without_sack(o);
    return std::min<size_t>(o.sack_count, room < 10 ? 0 : (room - 2) / 8);
}

}  // namespace

size_t TcpOptions::buffer_len() const {
    if (size_t padded = padded_len(*this); padded <= kMaxLen) return padded;
    size_t n = packed_sack_count(*this);
    size_t packed = packed_len_without_sack(*this) + (n ? 2 + 8 * n : 0);
    return (packed + 3) / 4 * 4;
}

void TcpOptions::emit(MutBytes out) const {
    const bool padded = padded_len(*this) <= kMaxLen;
    const size_t sacks = padded ? sack_count : packed_sack_count(*this);
    size_t at = 0;
    auto nops = [&](size_t n) {
        if (!padded) return;
        for (size_t i = 0; i < n; ++i) put8(out, at++, tcp::kOptNop);
    };
    if (mss) {
        put8(out, at, tcp::kOptMss);
        put8(out, at + 1, 4);
        put16(out, at + 2, *mss);
        at += 4;
    }
    if (window_scale) {
        nops(1);
        put8(out, at, tcp::kOptWindowScale);
        put8(out, at + 1, 3);
        put8(out, at + 2, *window_scale);
        at += 3;
    }
    if (sack_permitted) {
        nops(2);
        put8(out, at, tcp::kOptSackPermitted);
        put8(out, at + 1, 2);
        at += 2;
    }
    if (timestamps) {
        nops(2);
        put8(out, at, tcp::kOptTimestamps);
        put8(out, at + 1, 10);
        put32(out, at + 2, timestamps->first);
        put32(out, at + 6, timestamps->second);
        at += 10;
    }
    if (sacks) {
        nops(2);
        put8(out, at, tcp::kOptSack);
        put8(out, at + 1, static_cast<uint8_t>(2 + 8 * sacks));
        for (size_t i = 0; i < sacks; ++i) {
            put32(out, at + 2 + 8 * i, sack[i].left);
            put32(out, at + 6 + 8 * i, sack[i].right);
        }
        at += 2 + 8 * sacks;
    }
    for (size_t end = buffer_len(); at < end;) put8(out, at++, tcp::kOptEnd);
}

TcpRepr TcpRepr::parse(const TcpSegment& s) {
    return {s.src_port(), s.dst_port(), s.seq(),    s.ack(),
            s.flags(),    s.window(),   s.urgent(), TcpOptions::parse(s.options()),
            s.payload()};
}

void TcpRepr::emit(MutBytes out, uint64_t pseudo) const {
    size_t hl = header_len();
    put16(out, TcpSegment::kSrcPort, src_port);
    put16(out, TcpSegment::kDstPort, dst_port);
    put32(out, TcpSegment::kSeq, seq);
    put32(out, TcpSegment::kAck, ack);
    put16(out, TcpSegment::kFlags, static_cast<uint16_t>((hl / 4) << 12 | (flags & 0x0fff)));
    put16(out, TcpSegment::kWindow, window);
    put16(out, TcpSegment::kChecksum, 0);
    put16(out, TcpSegment::kUrgent, urgent);
    options.emit(out.subspan(TcpSegment::kMinHeaderLen));
    put_bytes(out, hl, payload);
    put16(out, TcpSegment::kChecksum,
          checksum::finish(checksum::accumulate(out.first(buffer_len()), pseudo)));
}

}  // namespace tapd::wire
