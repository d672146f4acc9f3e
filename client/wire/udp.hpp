// UDP (RFC 768) datagrams: view, checksum, repr.
#pragma once

#include <algorithm>

#include "wire/bytes.hpp"
#include "wire/checksum.hpp"
#include "wire/error.hpp"

namespace tapd::wire {

class UdpDatagram {
  public:
    static constexpr size_t kSrcPort = 0;
    static constexpr size_t kDstPort = 2;
    static constexpr size_t kLength = 4;
    static constexpr size_t kChecksum = 6;
    static constexpr size_t kHeaderLen = kChecksum + 2;

    UdpDatagram() = default;
    // Validates the length field (>= 8). A length beyond the buffer is a short capture:
    // payload() is then what was captured and payload_truncated() is true.
    static Checked<UdpDatagram> check(Bytes b);

    uint16_t src_port() const { return get16(buf_, kSrcPort); }
    uint16_t dst_port() const { return get16(buf_, kDstPort); }
    uint16_t length() const { return get16(buf_, kLength); }
    uint16_t checksum() const { return get16(buf_, kChecksum); }
    Bytes payload() const { return buf_.subspan(kHeaderLen); }
    Bytes bytes() const { return buf_; }
    bool payload_truncated() const { return buf_.size() < length(); }
    bool checksum_ok(uint64_t pseudo) const {
        return checksum::verifies(checksum::accumulate(buf_, pseudo));
    }

  private:
    friend struct detail::DecodeAccess;
    explicit UdpDatagram(Bytes b) : buf_(b) {}
    Bytes buf_;
};

struct UdpRepr {
    uint16_t src_port = 0;
    uint16_t dst_port = 0;
    Bytes payload;

    static UdpRepr parse(const UdpDatagram& d) { return {d.src_port(), d.dst_port(), d.payload()}; }
    size_t buffer_len() const { return UdpDatagram::kHeaderLen + payload.size(); }
    // Writes header, payload and checksum (pseudo from checksum::pseudo_header with length
    // buffer_len()). RFC 768: a computed 0 is sent as 0xffff, since 0 means "no checksum".
    void emit(MutBytes out, uint64_t pseudo) const;
    bool operator==(const UdpRepr& o) const {
        return src_port == o.src_port && dst_port == o.dst_port &&
               std::ranges::equal(payload, o.payload);
    }
};

}  // namespace tapd::wire
