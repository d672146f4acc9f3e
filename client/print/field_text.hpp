// The text of addresses and of a WireError, as every text form writes them. Not installed: a
// helper of print/'s own .cpp files.
#pragma once

#include <cstddef>
#include <string_view>

#include "print/text_buffer.hpp"
#include "wire/address.hpp"
#include "wire/error.hpp"

namespace tapd::print {

// Appends an address's text form (see wire/address.hpp).
inline void put_address(TextBuffer& o, const wire::MacAddress& a) {
    o.commit(wire::format(o.reserve(wire::kMacTextMax), a));
}
inline void put_address(TextBuffer& o, const wire::Ipv4Address& a) {
    o.commit(wire::format(o.reserve(wire::kIpv4TextMax), a));
}
inline void put_address(TextBuffer& o, const wire::Ipv6Address& a) {
    o.commit(wire::format(o.reserve(wire::kIpv6TextMax), a));
}

// format_error()'s text of e, "layer: reason text (offset N)".
class ErrorText {
  public:
    explicit ErrorText(const wire::WireError& e) : n_(wire::format_error(e, text_, sizeof text_)) {}
    std::string_view view() const { return {text_, n_}; }

  private:
    char text_[160];
    size_t n_;
};

}  // namespace tapd::print
