// Helpers shared by the packet library's own .cpp files; not part of its API. (client/wire stands
// alone: nothing here, or anywhere in it, uses the rest of tapd.)
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <string_view>

#include "wire/address.hpp"
#include "wire/error.hpp"
#include "wire/text.hpp"

namespace tapd::wire::internal {

// Writes all n bytes at p to fd, retrying short writes and EINTR. Returns 0, or the errno of the
// write that failed (errno keeps it too).
inline int write_all(int fd, const void* p, size_t n) {
    const char* at = static_cast<const char*>(p);
    while (n) {
        ssize_t k = ::write(fd, at, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        at += k;
        n -= static_cast<size_t>(k);
    }
    return 0;
}

// The length that snprintf (which returned n) left in a buffer of size bytes, NUL excluded: 0 on
// an encoding error, at most size - 1.
inline size_t snprintf_length(int n, size_t size) {
    if (n < 0) return 0;
    return static_cast<size_t>(n) < size ? static_cast<size_t>(n) : (size ? size - 1 : 0);
}

// Appends an address's text form (see address.hpp).
inline void put_address(TextBuffer& o, const MacAddress& a) {
    o.commit(format(o.reserve(kMacTextMax), a));
}
inline void put_address(TextBuffer& o, const Ipv4Address& a) {
    o.commit(format(o.reserve(kIpv4TextMax), a));
}
inline void put_address(TextBuffer& o, const Ipv6Address& a) {
    o.commit(format(o.reserve(kIpv6TextMax), a));
}

// format_error()'s text of e, "layer: reason text (offset N)".
class ErrorText {
  public:
    explicit ErrorText(const WireError& e) : n_(format_error(e, text_, sizeof text_)) {}
    std::string_view view() const { return {text_, n_}; }

  private:
    char text_[160];
    size_t n_;
};

}  // namespace tapd::wire::internal
