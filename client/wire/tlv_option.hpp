// The option walker of IPv4 (RFC 791 3.1) and TCP (RFC 9293 3.1) headers, which share one
// encoding: kind 0 ends the list, kind 1 is a one-byte NOP, every other kind is followed by a
// length byte that counts the kind and length bytes too.
#pragma once

#include <cstddef>
#include <cstdint>

#include "wire/bytes.hpp"
#include "wire/error.hpp"

namespace tapd::wire {

namespace tlv {
inline constexpr uint8_t kEnd = 0;  // End of Option List
inline constexpr uint8_t kNop = 1;  // No-Operation, one byte
}  // namespace tlv

struct TlvOption {
    uint8_t kind = 0;
    Bytes data;         // the whole option, kind and length bytes included
    size_t offset = 0;  // of its kind byte, in the list walked
};

// Yields the options of a list one by one. On a list a check has passed, every option; on one
// no check has seen yet, the options up to the first whose length byte is missing or impossible
// (below 2, or past the end of the list): the walk stops there and bad() says so, so that the
// check itself is a walk over the same options.
class TlvOptionWalker {
  public:
    explicit TlvOptionWalker(Bytes options) : list_(options) {}

    // The next option into out: true. False at End of Option List, at the end of the bytes, or
    // at an option whose length is bad().
    bool next(TlvOption& out) {
        if (at_ >= list_.size()) return false;
        uint8_t kind = get8(list_, at_);
        if (kind == tlv::kEnd) return false;
        size_t len = 1;
        if (kind != tlv::kNop) {
            size_t left = list_.size() - at_;
            if (left < 2 || (len = get8(list_, at_ + 1)) < 2 || len > left) {
                bad_ = true;
                return false;
            }
        }
        out = {kind, list_.subspan(at_, len), at_};
        at_ += len;
        return true;
    }

    // Whether the walk stopped at an option with a bad length.
    bool bad() const { return bad_; }
    // Where the walk stopped: the End of Option List byte, the kind byte of the bad option, or
    // the end of the list.
    size_t offset() const { return at_; }
    // After bad(): BadOptionLength for layer, at the missing length byte (value 0, limit 1) or
    // at the impossible one (value: the length byte, limit: the bytes left for the option);
    // base is the list's offset in the bytes the error's offset counts from.
    WireError bad_length(Layer layer, size_t base) const {
        size_t left = list_.size() - at_;
        if (left < 2)
            return {layer, Reason::BadOptionLength, static_cast<uint32_t>(base + at_), 0, 1};
        return {layer, Reason::BadOptionLength, static_cast<uint32_t>(base + at_ + 1),
                get8(list_, at_ + 1), static_cast<uint32_t>(left)};
    }

  private:
    Bytes list_;
    size_t at_ = 0;
    bool bad_ = false;
};

}  // namespace tapd::wire
