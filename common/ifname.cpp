// Interface-name validation.
#include "ifname.hpp"

#include <string>

namespace tapd {

// Quotes a refused name so that control bytes and non-ASCII are visible in the error, not printed.
static std::string quoted(std::string_view name) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "'";
    for (size_t i = 0; i < name.size() && i < 64; ++i) {
        auto c = static_cast<unsigned char>(name[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    if (name.size() > 64) out += "...";
    return out + "'";
}

Status validate_ifname(std::string_view name) {
    if (name.empty()) return make_error(ErrorKind::InvalidArgument, "interface name is empty");
    if (name.size() > kMaxIfNameLength)
        return make_error(ErrorKind::InvalidArgument, "interface name " + quoted(name) + " is " +
                                                          std::to_string(name.size()) +
                                                          " bytes long (at most 15)");
    auto first = name[0];
    bool first_ok = (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') ||
                    (first >= '0' && first <= '9');
    if (!first_ok)
        return make_error(ErrorKind::InvalidArgument,
                          "interface name " + quoted(name) + " must start with a letter or digit");
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.';
        if (!ok)
            return make_error(ErrorKind::InvalidArgument,
                              "interface name " + quoted(name) +
                                  " may hold only letters, digits, '_', '-' and '.'");
    }
    return {};
}

}  // namespace tapd
