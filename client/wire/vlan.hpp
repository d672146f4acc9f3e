// IEEE 802.1Q / 802.1ad VLAN tags: the four bytes after a 0x8100/0x88a8 EtherType.
#pragma once

#include "wire/bytes.hpp"
#include "wire/error.hpp"

namespace tapd::wire {

// A tag as seen after its TPID: TCI (PCP 3 bits, DEI 1 bit, VID 12 bits), then the EtherType
// of what follows (which may be another TPID when tags are stacked, as in QinQ).
class VlanTag {
  public:
    static constexpr size_t kTci = 0;
    static constexpr size_t kEtherType = 2;
    static constexpr size_t kHeaderLen = kEtherType + 2;

    VlanTag() = default;
    static Checked<VlanTag> check(Bytes b);

    uint8_t pcp() const { return get8(buf_, kTci) >> 5; }
    bool dei() const { return (get8(buf_, kTci) >> 4) & 1; }
    uint16_t vid() const { return get16(buf_, kTci) & 0x0fff; }
    uint16_t ethertype() const { return get16(buf_, kEtherType); }
    Bytes payload() const { return buf_.subspan(kHeaderLen); }

  private:
    friend struct detail::DecodeAccess;
    explicit VlanTag(Bytes b) : buf_(b) {}
    Bytes buf_;
};

struct VlanRepr {
    uint16_t tpid = 0x8100;  // the EtherType that announced this tag
    uint8_t pcp = 0;
    bool dei = false;
    uint16_t vid = 0;
    uint16_t ethertype = 0;  // of the payload

    static constexpr size_t header_len() { return VlanTag::kHeaderLen; }
    void emit(MutBytes out) const {
        put16(out, VlanTag::kTci,
              static_cast<uint16_t>(pcp << 13 | (dei ? 1 : 0) << 12 | (vid & 0x0fff)));
        put16(out, VlanTag::kEtherType, ethertype);
    }
    bool operator==(const VlanRepr&) const = default;
};

inline Checked<VlanTag> VlanTag::check(Bytes b) {
    if (b.size() < kHeaderLen) return truncated(Layer::Vlan, 0, kHeaderLen, b.size());
    return VlanTag(b);
}

}  // namespace tapd::wire
