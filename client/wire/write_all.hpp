// write_all(): a whole buffer to an fd, for the capture writers and libtapd's text output. Not
// installed: a helper of the library's own .cpp files.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstddef>

namespace tapd::wire {

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

}  // namespace tapd::wire
