// snprintf_length(): what snprintf left in a buffer, for the error texts. Not installed: a helper
// of the library's own .cpp files.
#pragma once

#include <cstddef>

namespace tapd::wire {

// The length that snprintf (which returned n) left in a buffer of size bytes, NUL excluded: 0 on
// an encoding error, at most size - 1.
inline size_t snprintf_length(int n, size_t size) {
    if (n < 0) return 0;
    return static_cast<size_t>(n) < size ? static_cast<size_t>(n) : (size ? size - 1 : 0);
}

}  // namespace tapd::wire
