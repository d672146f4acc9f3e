// Parsing and prefix arithmetic for IPv4/IPv6 addresses; errors name the text that was refused.
#include "ip.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>

namespace tapd {

int IpAddress::bits() const {
    return family == AF_INET ? 32 : 128;
}

std::string IpAddress::str() const {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(family, bytes.data(), buf, sizeof buf);
    return buf;
}

bool IpAddress::is_link_local() const {
    if (family == AF_INET) return bytes[0] == 169 && bytes[1] == 254;
    return bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80;
}

Prefix Prefix::network() const {
    Prefix p = *this;
    int total = address.bits();
    for (int bit = length; bit < total; ++bit) p.address.bytes[bit / 8] &= ~(0x80 >> (bit % 8));
    return p;
}

bool Prefix::contains(const Prefix& other) const {
    if (address.family != other.address.family || other.length < length) return false;
    Prefix narrowed{other.address, length};
    return narrowed.network().address == network().address;
}

bool Prefix::contains(const IpAddress& a) const {
    return contains(Prefix{a, static_cast<uint8_t>(a.bits())});
}

bool Prefix::overlaps(const Prefix& other) const {
    return contains(other) || other.contains(*this);
}

std::string Prefix::str() const {
    return address.str() + "/" + std::to_string(length);
}

Result<IpAddress> parse_ip_address(std::string_view text) {
    // inet_pton needs a NUL-terminated string; anything longer than an IPv6 text cannot be valid.
    // A NUL inside would end the text for inet_pton and let trailing junk through.
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN ||
        text.find('\0') != std::string_view::npos)
        return make_error(ErrorKind::InvalidArgument,
                          "invalid IP address '" + std::string(text) + "'");
    char buf[INET6_ADDRSTRLEN] = {};
    std::memcpy(buf, text.data(), text.size());
    IpAddress a;
    if (inet_pton(AF_INET, buf, a.bytes.data()) == 1) {
        a.family = AF_INET;
        return a;
    }
    if (inet_pton(AF_INET6, buf, a.bytes.data()) == 1) {
        a.family = AF_INET6;
        return a;
    }
    return make_error(ErrorKind::InvalidArgument, "invalid IP address '" + std::string(text) + "'");
}

static Result<Prefix> parse_prefix(std::string_view text, bool length_required) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos && length_required)
        return make_error(ErrorKind::InvalidArgument,
                          "address '" + std::string(text) + "' has no prefix length (ADDR/PLEN)");
    auto addr = parse_ip_address(text.substr(0, slash));
    if (!addr) {
        if (slash == std::string_view::npos) return addr.error();
        return make_error(ErrorKind::InvalidArgument,
                          addr.error().message + " in '" + std::string(text) + "'");
    }
    Prefix p{addr.value(), static_cast<uint8_t>(addr->bits())};
    if (slash != std::string_view::npos) {
        auto len_text = text.substr(slash + 1);
        unsigned len = 0;
        auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
        if (len_text.empty() || ec != std::errc{} || end != len_text.data() + len_text.size() ||
            len > static_cast<unsigned>(addr->bits()) ||
            (len_text.size() > 1 && len_text[0] == '0'))
            return make_error(ErrorKind::InvalidArgument,
                              "invalid prefix length '" + std::string(len_text) + "' in '" +
                                  std::string(text) + "' (0-" + std::to_string(addr->bits()) + ")");
        p.length = static_cast<uint8_t>(len);
    }
    return p;
}

Result<Prefix> parse_interface_address(std::string_view text) {
    return parse_prefix(text, true);
}

Result<Prefix> parse_network(std::string_view text) {
    auto p = parse_prefix(text, false);
    if (!p) return p;
    if (!(p->network() == p.value()))
        return make_error(ErrorKind::InvalidArgument, "prefix '" + std::string(text) +
                                                          "' has host bits set (did you mean " +
                                                          p->network().str() + "?)");
    return p;
}

}  // namespace tapd
