// Parsing and prefix arithmetic for IPv4/IPv6 addresses; errors name the text that was refused.
#include "ip.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>

#include "utf8.hpp"

namespace tapd {

// A refused text as its error shows it: quoted, bounded, valid UTF-8.
static std::string shown(std::string_view text) {
    return "'" + printable_utf8(text, kShownBytes) + "'";
}

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
        return make_error(ErrorKind::InvalidArgument, "invalid IP address " + shown(text));
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
    return make_error(ErrorKind::InvalidArgument, "invalid IP address " + shown(text));
}

// WHAT and FORM name the text in the error when it has no "/PLEN": an address ("ADDR/PLEN") or a
// route ("PREFIX/PLEN"). Neither guesses a length: a bare address is refused, as in the policy.
static Result<Prefix> parse_prefix(std::string_view text, const char* what, const char* form) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos)
        return make_error(ErrorKind::InvalidArgument, std::string(what) + " " + shown(text) +
                                                          " has no prefix length (" + form + ")");
    auto addr = parse_ip_address(text.substr(0, slash));
    if (!addr)
        return make_error(ErrorKind::InvalidArgument, addr.error().message + " in " + shown(text));
    auto len_text = text.substr(slash + 1);
    unsigned len = 0;
    auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
    if (len_text.empty() || ec != std::errc{} || end != len_text.data() + len_text.size() ||
        len > static_cast<unsigned>(addr->bits()) || (len_text.size() > 1 && len_text[0] == '0'))
        return make_error(ErrorKind::InvalidArgument, "invalid prefix length " + shown(len_text) +
                                                          " in " + shown(text) + " (0-" +
                                                          std::to_string(addr->bits()) + ")");
    return Prefix{addr.value(), static_cast<uint8_t>(len)};
}

Result<Prefix> parse_interface_address(std::string_view text) {
    return parse_prefix(text, "address", "ADDR/PLEN");
}

Result<Prefix> parse_network(std::string_view text) {
    auto p = parse_prefix(text, "route", "PREFIX/PLEN");
    if (!p) return p;
    if (!(p->network() == p.value()))
        return make_error(ErrorKind::InvalidArgument, "prefix " + shown(text) +
                                                          " has host bits set (did you mean " +
                                                          p->network().str() + "?)");
    return p;
}

}  // namespace tapd
