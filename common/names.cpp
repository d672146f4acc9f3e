// Bus error names and tap object-path escaping.
#include "names.hpp"

#include <cstring>

namespace tapd {

namespace names {

const char* error_name(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::InvalidArgument:
            return kErrInvalidArgument;
        case ErrorKind::PermissionDenied:
            return kErrPermissionDenied;
        case ErrorKind::Conflict:
            return kErrConflict;
        case ErrorKind::NotFound:
            return kErrNotFound;
        case ErrorKind::QuotaExceeded:
            return kErrQuotaExceeded;
        case ErrorKind::Failed:
            break;
    }
    return kErrFailed;
}

static bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string tap_object_path(std::string_view name) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string path = kTapPathPrefix;
    for (char c : name) {
        if (is_alnum(c)) {
            path += c;
        } else {
            auto u = static_cast<unsigned char>(c);
            path += '_';
            path += kHex[u >> 4];
            path += kHex[u & 15];
        }
    }
    return path;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string tap_name_from_path(std::string_view path) {
    std::string_view prefix = kTapPathPrefix;
    if (path.substr(0, prefix.size()) != prefix) return {};
    path.remove_prefix(prefix.size());
    std::string name;
    for (size_t i = 0; i < path.size(); ++i) {
        if (path[i] != '_') {
            if (!is_alnum(path[i])) return {};
            name += path[i];
            continue;
        }
        if (i + 2 >= path.size()) return {};
        int hi = hex_value(path[i + 1]), lo = hex_value(path[i + 2]);
        if (hi < 0 || lo < 0) return {};
        name += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return name;
}

}  // namespace names
}  // namespace tapd
