// IPv6 (RFC 8200) packets and extension headers: views, the walk to the upper layer, reprs.
#pragma once

#include <algorithm>
#include <array>

#include "wire/address.hpp"
#include "wire/bytes.hpp"
#include "wire/error.hpp"
#include "wire/ipv4.hpp"

namespace tapd::wire {

class Ipv6Packet {
  public:
    static constexpr size_t kVerTcFlow = 0;
    static constexpr size_t kPayloadLen = 4;
    static constexpr size_t kNextHeader = 6;
    static constexpr size_t kHopLimit = 7;
    static constexpr size_t kSrc = 8;
    static constexpr size_t kDst = 24;
    static constexpr size_t kHeaderLen = kDst + 16;

    Ipv6Packet() = default;
    // Validates the version and header length. A payload length beyond the buffer is accepted as
    // a short capture (payload() is what was captured, payload_truncated() is true).
    static Checked<Ipv6Packet> check(Bytes b);

    uint8_t version() const { return get8(buf_, kVerTcFlow) >> 4; }
    uint8_t traffic_class() const { return static_cast<uint8_t>(get16(buf_, kVerTcFlow) >> 4); }
    uint32_t flow_label() const { return get32(buf_, kVerTcFlow) & 0xfffff; }
    uint16_t payload_len() const { return get16(buf_, kPayloadLen); }
    uint8_t next_header() const { return get8(buf_, kNextHeader); }
    uint8_t hop_limit() const { return get8(buf_, kHopLimit); }
    Ipv6Address src() const { return Ipv6Address::from(buf_.subspan(kSrc, 16)); }
    Ipv6Address dst() const { return Ipv6Address::from(buf_.subspan(kDst, 16)); }
    Bytes header() const { return buf_.first(kHeaderLen); }
    Bytes payload() const { return buf_.subspan(kHeaderLen); }
    bool payload_truncated() const { return payload().size() < payload_len(); }

  private:
    friend struct detail::DecodeAccess;
    explicit Ipv6Packet(Bytes b) : buf_(b) {}
    Bytes buf_;
};

// True for the extension headers RFC 8200 4 lets us walk past (plus AH, RFC 4302).
inline bool is_ipv6_extension(uint8_t nh) {
    constexpr uint64_t kMask = 1ull << ipproto::kHopOpts | 1ull << ipproto::kRouting |
                               1ull << ipproto::kFragment | 1ull << ipproto::kDstOpts |
                               1ull << ipproto::kAh;
    return nh < 64 && (kMask >> nh & 1);
}

// One extension header. Hop-by-hop, routing and destination options count their length in
// 8-octet units beyond the first (RFC 8200 4.3-4.6); the fragment header is always 8 bytes; AH
// counts 4-octet units minus 2 (RFC 4302 2.2).
class Ipv6ExtHeader {
  public:
    static constexpr size_t kNextHeader = 0;
    static constexpr size_t kHdrExtLen = 1;
    static constexpr size_t kMinLen = 8;
    // Fragment header fields (RFC 8200 4.5).
    static constexpr size_t kFragOffset = 2;
    static constexpr size_t kFragIdent = 4;
    // Routing header fields (RFC 8200 4.4).
    static constexpr size_t kRoutingType = 2;
    static constexpr size_t kSegmentsLeft = 3;
    // Options headers start their TLVs here (RFC 8200 4.2).
    static constexpr size_t kOptions = 2;

    Ipv6ExtHeader() = default;
    // type is the value that announced this header. Validates the header length against the
    // buffer, and for hop-by-hop and destination options every option's length byte.
    static Checked<Ipv6ExtHeader> check(Bytes b, uint8_t type);

    uint8_t type() const { return type_; }
    uint8_t next_header() const { return get8(buf_, kNextHeader); }
    size_t len() const { return buf_.size(); }
    Bytes bytes() const { return buf_; }
    // Fragment header only.
    uint16_t frag_offset() const { return get16(buf_, kFragOffset) >> 3; }  // 8-byte units
    bool more_frags() const { return get8(buf_, kFragOffset + 1) & 1; }
    uint32_t frag_ident() const { return get32(buf_, kFragIdent); }
    // Routing header only.
    uint8_t routing_type() const { return get8(buf_, kRoutingType); }
    uint8_t segments_left() const { return get8(buf_, kSegmentsLeft); }

  private:
    Ipv6ExtHeader(Bytes b, uint8_t type) : buf_(b), type_(type) {}
    Bytes buf_;
    uint8_t type_ = 0;
};

// The chain from the IPv6 header to the upper layer, without allocation.
struct Ipv6Chain {
    static constexpr size_t kMaxHeaders = 8;

    uint8_t count = 0;
    std::array<Ipv6ExtHeader, kMaxHeaders> headers{};
    std::array<uint16_t, kMaxHeaders> offsets{};  // from the start of the IPv6 payload
    uint8_t upper_proto = 0;                      // ipproto::kNoNext when there is none
    uint16_t upper_offset = 0;                    // from the start of the IPv6 payload
    // RFC 8200 8.1: with segments left in a routing header, upper-layer checksums use the final
    // destination, the routing header's last address (type 0/2) or first segment (SRH, type 4).
    // Its offset from the start of the IPv6 payload; 0 when the IPv6 destination is final.
    uint16_t final_dst_offset = 0;
    bool fragment = false;
    bool more_frags = false;
    uint16_t frag_offset = 0;  // 8-byte units
    uint32_t frag_ident = 0;

    // The chain of a packet without extension headers, whose next header (upper) is the upper
    // layer: the scalar fields only (headers and offsets are left alone; count 0 says none is
    // valid), so that the decoder's writes stay few.
    void set_no_extensions(uint8_t upper) {
        count = 0;
        upper_proto = upper;
        upper_offset = 0;
        final_dst_offset = 0;
        fragment = false;
        more_frags = false;
        frag_offset = 0;
        frag_ident = 0;
    }

    // Walks p's extension headers. Stops at the first non-extension header, at No Next Header,
    // and after a fragment header with a nonzero offset (what follows is not a header).
    // Fails with the error of the header that does not fit, or TooManyHeaders past kMaxHeaders.
    static Checked<Ipv6Chain> walk(const Ipv6Packet& p);
};

struct Ipv6Repr {
    Ipv6Address src;
    Ipv6Address dst;
    uint8_t next_header = 0;
    uint8_t hop_limit = 64;
    uint8_t traffic_class = 0;
    uint32_t flow_label = 0;
    uint16_t payload_len = 0;

    static Ipv6Repr parse(const Ipv6Packet& p);
    static constexpr size_t header_len() { return Ipv6Packet::kHeaderLen; }
    size_t buffer_len() const { return header_len() + payload_len; }
    void emit(MutBytes out) const;
    bool operator==(const Ipv6Repr&) const = default;
};

// An extension header to build: the fragment header from its fields, any other from its body
// (the bytes after next-header and length; total length must come out a multiple of 8, or 4 for
// AH).
struct Ipv6ExtRepr {
    uint8_t type = ipproto::kFragment;
    uint8_t next_header = 0;
    uint16_t frag_offset = 0;
    bool more_frags = false;
    uint32_t frag_ident = 0;
    Bytes body;

    static Ipv6ExtRepr parse(const Ipv6ExtHeader& h);
    size_t buffer_len() const { return type == ipproto::kFragment ? 8 : 2 + body.size(); }
    void emit(MutBytes out) const;
    bool operator==(const Ipv6ExtRepr& o) const {
        return type == o.type && next_header == o.next_header && frag_offset == o.frag_offset &&
               more_frags == o.more_frags && frag_ident == o.frag_ident &&
               std::ranges::equal(body, o.body);
    }
};

}  // namespace tapd::wire
