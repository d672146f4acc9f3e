// IPv4 (RFC 791) packets: view with options and fragment fields, header checksum, repr.
#pragma once

#include <array>

#include "wire/address.hpp"
#include "wire/bytes.hpp"
#include "wire/checksum.hpp"
#include "wire/error.hpp"
#include "wire/tlv_option.hpp"

namespace tapd::wire {

namespace ipproto {
inline constexpr uint8_t kHopOpts = 0;
inline constexpr uint8_t kIcmp = 1;
inline constexpr uint8_t kTcp = 6;
inline constexpr uint8_t kUdp = 17;
inline constexpr uint8_t kRouting = 43;
inline constexpr uint8_t kFragment = 44;
inline constexpr uint8_t kAh = 51;
inline constexpr uint8_t kIcmpv6 = 58;
inline constexpr uint8_t kNoNext = 59;
inline constexpr uint8_t kDstOpts = 60;
}  // namespace ipproto

class Ipv4Packet {
  public:
    static constexpr size_t kVerIhl = 0;
    static constexpr size_t kDscpEcn = 1;
    static constexpr size_t kTotalLen = 2;
    static constexpr size_t kIdent = 4;
    static constexpr size_t kFlagsFrag = 6;
    static constexpr size_t kTtl = 8;
    static constexpr size_t kProto = 9;
    static constexpr size_t kChecksum = 10;
    static constexpr size_t kSrc = 12;
    static constexpr size_t kDst = 16;
    static constexpr size_t kMinHeaderLen = kDst + 4;
    static constexpr size_t kMaxHeaderLen = 60;

    Ipv4Packet() = default;
    // Validates version, IHL (>= 5 and inside the buffer), total length (>= IHL) and every
    // option's length byte: inside the header, and the length its type has (a fixed length,
    // or a minimum; CIPSO's tags too; see ipv4.cpp). A total length beyond the buffer is accepted
    // as a short capture: payload() is then what was captured and payload_truncated() is true.
    static Checked<Ipv4Packet> check(Bytes b);

    uint8_t version() const { return get8(buf_, kVerIhl) >> 4; }
    size_t header_len() const { return (get8(buf_, kVerIhl) & 0xf) * 4u; }
    uint8_t dscp() const { return get8(buf_, kDscpEcn) >> 2; }
    uint8_t ecn() const { return get8(buf_, kDscpEcn) & 3; }
    uint16_t total_len() const { return get16(buf_, kTotalLen); }
    uint16_t ident() const { return get16(buf_, kIdent); }
    uint8_t flags() const { return get8(buf_, kFlagsFrag) >> 5; }  // reserved, DF, MF
    bool reserved_flag() const { return get8(buf_, kFlagsFrag) & 0x80; }
    bool dont_frag() const { return get8(buf_, kFlagsFrag) & 0x40; }
    bool more_frags() const { return get8(buf_, kFlagsFrag) & 0x20; }
    uint16_t frag_offset() const { return get16(buf_, kFlagsFrag) & 0x1fff; }  // 8-byte units
    bool is_fragment() const { return more_frags() || frag_offset() != 0; }
    uint8_t ttl() const { return get8(buf_, kTtl); }
    uint8_t proto() const { return get8(buf_, kProto); }
    uint16_t checksum() const { return get16(buf_, kChecksum); }
    Ipv4Address src() const { return Ipv4Address::from(buf_.subspan(kSrc, 4)); }
    Ipv4Address dst() const { return Ipv4Address::from(buf_.subspan(kDst, 4)); }
    Bytes header() const { return buf_.first(header_len()); }
    Bytes options() const { return buf_.subspan(kMinHeaderLen, header_len() - kMinHeaderLen); }
    Bytes payload() const { return buf_.subspan(header_len()); }
    // Payload length the header declares; may exceed payload().size() on a short capture.
    size_t payload_len() const { return total_len() - header_len(); }
    bool payload_truncated() const { return buf_.size() < total_len(); }
    bool checksum_ok() const { return checksum::verifies(checksum::accumulate(header())); }

  private:
    friend struct detail::DecodeAccess;
    // b: the header and as much of the total length as was captured.
    explicit Ipv4Packet(Bytes b) : buf_(b) {}
    // check() for a header of hl > 20 bytes, whose other fields passed: the option walk.
    [[gnu::noinline]] static Checked<Ipv4Packet> check_options(Bytes b, size_t hl);
    Bytes buf_;
};

// The options of a checked header (options()), one by one: the walker IPv4 shares with TCP.
using Ipv4Option = TlvOption;
using Ipv4OptionIter = TlvOptionWalker;

struct Ipv4Repr {
    Ipv4Address src;
    Ipv4Address dst;
    uint8_t proto = 0;
    uint8_t ttl = 64;
    uint16_t ident = 0;
    uint8_t dscp = 0;
    uint8_t ecn = 0;
    bool dont_frag = false;
    bool more_frags = false;
    uint16_t frag_offset = 0;  // 8-byte units
    uint16_t payload_len = 0;
    uint8_t options_len = 0;  // a multiple of 4, at most 40
    std::array<uint8_t, 40> options{};

    static Ipv4Repr parse(const Ipv4Packet& p);
    size_t header_len() const { return Ipv4Packet::kMinHeaderLen + options_len; }
    size_t buffer_len() const { return header_len() + payload_len; }
    // Writes the header (with a correct checksum) into out[0, header_len()).
    void emit(MutBytes out) const;
    bool operator==(const Ipv4Repr&) const = default;
};

}  // namespace tapd::wire
