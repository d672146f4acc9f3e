// Errors from failed system calls: the errno kept for callers, its text for people.
#include "result.hpp"

#include <cstring>

namespace tapd {

std::string errno_text(const std::string& what, int err) {
    return what + ": " + std::strerror(err);
}

Error errno_error(ErrorKind kind, const std::string& what, int err) {
    return Error{kind, errno_text(what, err), err};
}

}  // namespace tapd
