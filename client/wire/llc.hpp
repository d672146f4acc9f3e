// IEEE 802.2 LLC headers, the start of an IEEE 802.3 frame's payload (a length, not an
// EtherType, after the addresses or a VLAN tag): view.
#pragma once

#include "wire/bytes.hpp"
#include "wire/error.hpp"

namespace tapd::wire {

namespace llc {
inline constexpr uint8_t kSapSnap = 0xaa;  // RFC 1042 / IEEE 802 SNAP: OUI and protocol id follow
inline constexpr size_t kSnapLen = 5;
}  // namespace llc

// The 802.3 framing rules (IEEE 802.3 3.2.6), as Wireshark applies them: a type field value up
// to 1500 is the payload length; 1501-1535 is neither a length nor a type; 0x0600 and up is an
// EtherType. (Wireshark takes 0 in an untagged frame as an EtherType, for Cisco MDS "Vegas"
// frames, and leaves frames to Cisco ISL destinations to its ISL dissector.)
namespace ieee8023 {
inline constexpr uint16_t kMaxLength = 1500;
// Novell's "raw 802.3" IPX puts no LLC header after the length; its payload starts 0xffff.
inline constexpr uint16_t kNovellRaw = 0xffff;
}  // namespace ieee8023

// DSAP, SSAP, a control field of one byte (U-format: low bits 11) or two (I- and S-format;
// IEEE 802.2 5.2), then a SNAP header (OUI, protocol id) when both SAPs are 0xaa.
class LlcHeader {
  public:
    static constexpr size_t kDsap = 0;
    static constexpr size_t kSsap = 1;
    static constexpr size_t kControl = 2;
    static constexpr size_t kMinHeaderLen = kControl + 1;

    LlcHeader() = default;
    // b: the payload the 802.3 length declares (or the part captured). Fails with Truncated
    // unless the header (control and any SNAP header included) fits.
    static Checked<LlcHeader> check(Bytes b);

    uint8_t dsap() const { return get8(buf_, kDsap); }
    uint8_t ssap() const { return get8(buf_, kSsap); }
    size_t control_len() const { return (get8(buf_, kControl) & 3) == 3 ? 1 : 2; }
    // As Wireshark's llc.control: a two-byte control field read little-endian (its N(S)/N(R)
    // bit layout), so 0x0003 for UI and 0x0100 for the bytes 00 01.
    uint16_t control() const {
        return control_len() == 1
                   ? get8(buf_, kControl)
                   : static_cast<uint16_t>(get8(buf_, kControl + 1) << 8 | get8(buf_, kControl));
    }
    bool is_snap() const { return dsap() == llc::kSapSnap && ssap() == llc::kSapSnap; }
    // The SNAP header's organisation code and protocol id (an EtherType when the OUI is 0);
    // only when is_snap().
    uint32_t snap_oui() const {
        size_t at = kControl + control_len();
        return static_cast<uint32_t>(get8(buf_, at)) << 16 | get16(buf_, at + 1);
    }
    uint16_t snap_pid() const { return get16(buf_, kControl + control_len() + 3); }
    size_t header_len() const { return kControl + control_len() + (is_snap() ? llc::kSnapLen : 0); }
    Bytes header() const { return buf_.first(header_len()); }
    Bytes payload() const { return buf_.subspan(header_len()); }

  private:
    friend struct detail::DecodeAccess;
    explicit LlcHeader(Bytes b) : buf_(b) {}
    Bytes buf_;
};

inline Checked<LlcHeader> LlcHeader::check(Bytes b) {
    if (b.size() < kMinHeaderLen) return truncated(Layer::Llc, 0, kMinHeaderLen, b.size());
    LlcHeader h(b);
    if (b.size() < h.header_len()) return truncated(Layer::Llc, 0, h.header_len(), b.size());
    return h;
}

}  // namespace tapd::wire
