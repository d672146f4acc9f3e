// TCP (RFC 9293) segments: view with options (RFC 7323, RFC 2018), checksum, repr.
#pragma once

#include <algorithm>
#include <array>
#include <optional>

#include "wire/bytes.hpp"
#include "wire/checksum.hpp"
#include "wire/error.hpp"
#include "wire/tlv_option.hpp"

namespace tapd::wire {

namespace tcp {
inline constexpr uint16_t kFin = 0x001;
inline constexpr uint16_t kSyn = 0x002;
inline constexpr uint16_t kRst = 0x004;
inline constexpr uint16_t kPsh = 0x008;
inline constexpr uint16_t kAck = 0x010;
inline constexpr uint16_t kUrg = 0x020;
inline constexpr uint16_t kEce = 0x040;
inline constexpr uint16_t kCwr = 0x080;
inline constexpr uint16_t kNs = 0x100;  // RFC 3540 (historic), now AccECN's AE bit

inline constexpr uint8_t kOptEnd = tlv::kEnd;
inline constexpr uint8_t kOptNop = tlv::kNop;
inline constexpr uint8_t kOptMss = 2;
inline constexpr uint8_t kOptWindowScale = 3;
inline constexpr uint8_t kOptSackPermitted = 4;
inline constexpr uint8_t kOptSack = 5;
inline constexpr uint8_t kOptTimestamps = 8;
}  // namespace tcp

// The options of a checked segment (options()) in wire order, one by one: the walker TCP shares
// with IPv4. It stops at End of Option List.
using TcpOption = TlvOption;
using TcpOptionIter = TlvOptionWalker;

struct SackBlock {
    uint32_t left = 0;
    uint32_t right = 0;
    bool operator==(const SackBlock&) const = default;
};

// The options tapd understands, decoded. Unknown kinds are skipped.
struct TcpOptions {
    std::optional<uint16_t> mss;
    std::optional<uint8_t> window_scale;
    bool sack_permitted = false;
    uint8_t sack_count = 0;
    std::array<SackBlock, 4> sack{};
    std::optional<std::pair<uint32_t, uint32_t>> timestamps;  // TSval, TSecr

    // The most option bytes a TCP header holds (data offset 15 words).
    static constexpr size_t kMaxLen = 40;

    static TcpOptions parse(Bytes options);
    // Bytes emit() writes, at most kMaxLen: each option NOP-padded to a 4-byte boundary as
    // stacks send them; when that does not fit (SACK blocks beside the other options), the
    // options packed without padding and the end filled with End-of-list bytes, which always fits
    // the options parsed from a valid header; SACK blocks that still do not fit are left out, as
    // a sender would.
    size_t buffer_len() const;
    void emit(MutBytes out) const;
    bool operator==(const TcpOptions&) const = default;
};

class TcpSegment {
  public:
    static constexpr size_t kSrcPort = 0;
    static constexpr size_t kDstPort = 2;
    static constexpr size_t kSeq = 4;
    static constexpr size_t kAck = 8;
    static constexpr size_t kDataOffset = 12;  // high nibble; low bits and next byte: flags
    static constexpr size_t kFlags = 12;
    static constexpr size_t kWindow = 14;
    static constexpr size_t kChecksum = 16;
    static constexpr size_t kUrgent = 18;
    static constexpr size_t kMinHeaderLen = kUrgent + 2;

    TcpSegment() = default;
    // Validates the data offset (>= 5 words, inside the buffer) and every option length,
    // including the fixed lengths of MSS, window scale, SACK-permitted, SACK and timestamps.
    static Checked<TcpSegment> check(Bytes b);

    uint16_t src_port() const { return get16(buf_, kSrcPort); }
    uint16_t dst_port() const { return get16(buf_, kDstPort); }
    uint32_t seq() const { return get32(buf_, kSeq); }
    uint32_t ack() const { return get32(buf_, kAck); }
    size_t header_len() const { return (get8(buf_, kDataOffset) >> 4) * 4u; }
    uint16_t flags() const { return get16(buf_, kFlags) & 0x0fff; }  // tshark's tcp.flags mask
    bool syn() const { return flags() & tcp::kSyn; }
    bool fin() const { return flags() & tcp::kFin; }
    bool rst() const { return flags() & tcp::kRst; }
    bool has_ack() const { return flags() & tcp::kAck; }
    uint16_t window() const { return get16(buf_, kWindow); }
    uint16_t checksum() const { return get16(buf_, kChecksum); }
    uint16_t urgent() const { return get16(buf_, kUrgent); }
    Bytes options() const { return buf_.subspan(kMinHeaderLen, header_len() - kMinHeaderLen); }
    Bytes payload() const { return buf_.subspan(header_len()); }
    Bytes bytes() const { return buf_; }
    // acc is the pseudo-header sum (checksum::pseudo_header) over the full segment length.
    bool checksum_ok(uint64_t pseudo) const {
        return checksum::verifies(checksum::accumulate(buf_, pseudo));
    }

  private:
    friend struct detail::DecodeAccess;
    explicit TcpSegment(Bytes b) : buf_(b) {}
    Bytes buf_;
};

struct TcpRepr {
    uint16_t src_port = 0;
    uint16_t dst_port = 0;
    uint32_t seq = 0;
    uint32_t ack = 0;
    uint16_t flags = 0;
    uint16_t window = 0;
    uint16_t urgent = 0;
    TcpOptions options;
    Bytes payload;

    static TcpRepr parse(const TcpSegment& s);
    // Header plus payload; options must fit the 40 bytes a data offset can describe.
    size_t header_len() const { return TcpSegment::kMinHeaderLen + options.buffer_len(); }
    size_t buffer_len() const { return header_len() + payload.size(); }
    // Writes header and payload, then the checksum over pseudo (from checksum::pseudo_header with
    // length buffer_len()).
    void emit(MutBytes out, uint64_t pseudo) const;
    bool operator==(const TcpRepr& o) const {
        return src_port == o.src_port && dst_port == o.dst_port && seq == o.seq && ack == o.ack &&
               flags == o.flags && window == o.window && urgent == o.urgent &&
               options == o.options && std::ranges::equal(payload, o.payload);
    }
};

}  // namespace tapd::wire
