// WireError (which layer, why, at which byte) and Checked<T>, the non-throwing result of a check.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tapd::wire {

// Layer names are Wireshark's protocol filter names, so an error reads like the field names
// next to it in JSON output.
enum class Layer : uint8_t {
    Eth,
    Vlan,
    Llc,
    Arp,
    Ip,
    Ipv6,
    Ipv6HopOpts,
    Ipv6Routing,
    Ipv6Fragment,
    Ipv6DstOpts,
    Ipv6Ah,
    Icmp,
    Icmpv6,
    Tcp,
    Udp,
    Pcap,
};

enum class Reason : uint8_t {
    Truncated,            // value = bytes needed, limit = bytes present
    BadVersion,           // value = version found, limit = version expected
    HeaderTooShort,       // a header length field below the minimum: value, limit = minimum
    TotalLengthTooShort,  // a total/payload length below the header: value, limit = header length
    LengthExceedsEnclosing,  // a length field past the end of the enclosing layer: value, limit
    BadOptionLength,         // value = option length byte, limit = bytes left for it
    WrongOptionLength,       // value = option length byte, limit = the one length its type has
    OptionTooShort,          // value = option length byte, limit = its type's minimum length
    BadOption,               // an option the protocol forbids here: value = option kind
    TooManyHeaders,          // VLAN tags or IPv6 extension headers beyond our fixed limit
    UnsupportedAddresses,    // ARP with hardware/protocol sizes we do not decode
    BadMagic,                // capture file magic number
    BadRecordLength,         // pcap record longer than the snap length or our buffer
};

const char* to_string(Layer layer);
const char* to_string(Reason reason);

struct WireError {
    Layer layer = Layer::Eth;
    Reason reason = Reason::Truncated;
    uint32_t offset = 0;  // byte offset of the faulty field, counted from the start of the frame
    uint32_t value = 0;
    uint32_t limit = 0;

    bool operator==(const WireError&) const = default;
};

// Writes "layer: reason text (offset N)" into out (NUL-terminated, truncated to size); returns the
// number of characters written, excluding the NUL.
size_t format_error(const WireError& e, char* out, size_t size);
// The same without " (offset N)", for callers that tell where in their own terms (a capture
// reader: the byte in the stream).
size_t format_error_text(const WireError& e, char* out, size_t size);

inline WireError truncated(Layer layer, size_t offset, size_t need, size_t have) {
    return {layer, Reason::Truncated, static_cast<uint32_t>(offset), static_cast<uint32_t>(need),
            static_cast<uint32_t>(have)};
}

// A value or a WireError. T is a view or a repr: trivially cheap to copy, default-constructible.
template <class T>
class [[nodiscard]] Checked {
  public:
    Checked(const T& value) : value_(value), ok_(true) {}
    Checked(const WireError& error) : error_(error), ok_(false) {}

    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const T& value() const { return value_; }
    const T& operator*() const { return value_; }
    const T* operator->() const { return &value_; }
    const WireError& error() const { return error_; }

  private:
    T value_{};
    WireError error_{};
    bool ok_;
};

}  // namespace tapd::wire
