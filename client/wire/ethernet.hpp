// Ethernet II frames (IEEE 802.3 clause 3, DIX framing): view and repr.
#pragma once

#include "wire/address.hpp"
#include "wire/bytes.hpp"
#include "wire/error.hpp"

namespace tapd::wire {

namespace ethertype {
inline constexpr uint16_t kIpv4 = 0x0800;
inline constexpr uint16_t kArp = 0x0806;
inline constexpr uint16_t kVlan = 0x8100;     // IEEE 802.1Q C-tag
inline constexpr uint16_t kQinQ = 0x88a8;     // IEEE 802.1ad S-tag
inline constexpr uint16_t kQinQOld = 0x9100;  // pre-standard stacked tag, still seen in the wild
inline constexpr uint16_t kIpv6 = 0x86dd;
// Values below 0x0600 are an 802.3 length, not a type (IEEE 802.3 3.2.6).
inline constexpr uint16_t kMinType = 0x0600;
}  // namespace ethertype

class EthernetFrame {
  public:
    static constexpr size_t kDst = 0;
    static constexpr size_t kSrc = 6;
    static constexpr size_t kEtherType = 12;
    static constexpr size_t kHeaderLen = kEtherType + 2;

    EthernetFrame() = default;
    // Fails with Truncated if the buffer cannot hold the 14-byte header.
    static Checked<EthernetFrame> check(Bytes frame);

    MacAddress dst() const { return MacAddress::from(buf_.subspan(kDst, 6)); }
    MacAddress src() const { return MacAddress::from(buf_.subspan(kSrc, 6)); }
    uint16_t ethertype() const { return get16(buf_, kEtherType); }
    Bytes header() const { return buf_.first(kHeaderLen); }
    Bytes payload() const { return buf_.subspan(kHeaderLen); }
    Bytes bytes() const { return buf_; }

  private:
    friend struct detail::DecodeAccess;
    explicit EthernetFrame(Bytes b) : buf_(b) {}
    Bytes buf_;
};

struct EthernetRepr {
    MacAddress dst;
    MacAddress src;
    uint16_t ethertype = 0;

    static EthernetRepr parse(const EthernetFrame& f) { return {f.dst(), f.src(), f.ethertype()}; }
    static constexpr size_t header_len() { return EthernetFrame::kHeaderLen; }
    // Writes the header into the first header_len() bytes of out (out.size() >= header_len()).
    void emit(MutBytes out) const;
    bool operator==(const EthernetRepr&) const = default;
};

}  // namespace tapd::wire
