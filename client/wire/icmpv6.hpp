// ICMPv6 (RFC 4443) and Neighbor Discovery (RFC 4861): views, options, checksum, reprs.
#pragma once

#include <algorithm>
#include <optional>

#include "wire/address.hpp"
#include "wire/bytes.hpp"
#include "wire/checksum.hpp"
#include "wire/error.hpp"

namespace tapd::wire {

namespace icmpv6 {
inline constexpr uint8_t kDstUnreachable = 1;
inline constexpr uint8_t kPacketTooBig = 2;
inline constexpr uint8_t kTimeExceeded = 3;
inline constexpr uint8_t kParamProblem = 4;
inline constexpr uint8_t kEchoRequest = 128;
inline constexpr uint8_t kEchoReply = 129;
// Multicast Listener Discovery (RFC 2710 3.1; version 2 reports: RFC 3810 5.2).
inline constexpr uint8_t kMldQuery = 130;
inline constexpr uint8_t kMldReport = 131;
inline constexpr uint8_t kMldDone = 132;
inline constexpr uint8_t kMldv2Report = 143;
inline constexpr uint8_t kRouterSolicit = 133;
inline constexpr uint8_t kRouterAdvert = 134;
inline constexpr uint8_t kNeighborSolicit = 135;
inline constexpr uint8_t kNeighborAdvert = 136;
inline constexpr uint8_t kRedirect = 137;

// NDP option types (RFC 4861 4.6).
inline constexpr uint8_t kOptSourceLladdr = 1;
inline constexpr uint8_t kOptTargetLladdr = 2;
inline constexpr uint8_t kOptPrefixInfo = 3;
inline constexpr uint8_t kOptRedirected = 4;
inline constexpr uint8_t kOptMtu = 5;
}  // namespace icmpv6

class Icmpv6Packet {
  public:
    static constexpr size_t kType = 0;
    static constexpr size_t kCode = 1;
    static constexpr size_t kChecksum = 2;
    static constexpr size_t kRest = 4;
    static constexpr size_t kEchoIdent = kRest;
    static constexpr size_t kEchoSeq = kRest + 2;
    static constexpr size_t kHeaderLen = kRest + 4;
    // Router advertisement (RFC 4861 4.2).
    static constexpr size_t kRaCurHopLimit = 4;
    static constexpr size_t kRaFlags = 5;
    static constexpr size_t kRaRouterLifetime = 6;
    static constexpr size_t kRaReachableTime = 8;
    static constexpr size_t kRaRetransTimer = 12;
    // Neighbor solicitation/advertisement and redirect (RFC 4861 4.3-4.5).
    static constexpr size_t kNaFlags = 4;
    static constexpr size_t kTarget = 8;
    static constexpr size_t kRedirectDst = 24;

    Icmpv6Packet() = default;
    // Checks the 8-byte header; for NDP messages also the fixed body and every option length
    // (RFC 4861 4.6: length in 8-octet units, 0 is invalid).
    static Checked<Icmpv6Packet> check(Bytes b);

    uint8_t type() const { return get8(buf_, kType); }
    uint8_t code() const { return get8(buf_, kCode); }
    uint16_t checksum() const { return get16(buf_, kChecksum); }
    uint32_t rest() const { return get32(buf_, kRest); }
    uint16_t echo_ident() const { return get16(buf_, kEchoIdent); }
    uint16_t echo_seq() const { return get16(buf_, kEchoSeq); }
    uint32_t mtu() const { return get32(buf_, kRest); }  // packet too big
    bool is_echo() const { return type() == icmpv6::kEchoRequest || type() == icmpv6::kEchoReply; }
    bool is_error() const { return type() < 128; }
    bool is_ndp() const { return type() >= icmpv6::kRouterSolicit && type() <= icmpv6::kRedirect; }
    Bytes data() const { return buf_.subspan(kHeaderLen); }
    Bytes bytes() const { return buf_; }

    // NDP accessors, valid when is_ndp() and for the type they name.
    uint8_t ra_cur_hop_limit() const { return get8(buf_, kRaCurHopLimit); }
    uint8_t ra_flags() const { return get8(buf_, kRaFlags); }  // M 0x80, O 0x40
    uint16_t ra_router_lifetime() const { return get16(buf_, kRaRouterLifetime); }
    uint32_t ra_reachable_time() const { return get32(buf_, kRaReachableTime); }
    uint32_t ra_retrans_timer() const { return get32(buf_, kRaRetransTimer); }
    uint8_t na_flags() const { return get8(buf_, kNaFlags); }  // R 0x80, S 0x40, O 0x20
    Ipv6Address target() const { return Ipv6Address::from(buf_.subspan(kTarget, 16)); }
    Ipv6Address redirect_dst() const { return Ipv6Address::from(buf_.subspan(kRedirectDst, 16)); }
    Bytes ndp_options() const { return buf_.subspan(ndp_fixed_len(type())); }

    // RFC 4443 2.3: the checksum covers the IPv6 pseudo-header.
    bool checksum_ok(const Ipv6Address& src, const Ipv6Address& dst) const;
    // pseudo is the pseudo-header sum (checksum::pseudo_header) over the message length, e.g.
    // with a routing header's final destination (RFC 8200 8.1).
    bool checksum_ok(uint64_t pseudo) const {
        return checksum::verifies(checksum::accumulate(buf_, pseudo));
    }

    // Length of the fixed part before options for NDP type t, else kHeaderLen.
    static size_t ndp_fixed_len(uint8_t t);

  private:
    friend struct detail::DecodeAccess;
    explicit Icmpv6Packet(Bytes b) : buf_(b) {}
    Bytes buf_;
};

struct NdpOption {
    uint8_t type;
    Bytes data;  // the whole option including type and length

    // Link-layer address options with Ethernet's 6-byte address (RFC 4861 4.6.1).
    std::optional<MacAddress> lladdr() const {
        if ((type != icmpv6::kOptSourceLladdr && type != icmpv6::kOptTargetLladdr) ||
            data.size() < 8)
            return std::nullopt;
        return MacAddress::from(data.subspan(2, 6));
    }
};

// Iterates options of a checked NDP message; lengths were validated by Icmpv6Packet::check.
class NdpOptionIter {
  public:
    explicit NdpOptionIter(Bytes options) : rest_(options) {}
    bool next(NdpOption& out) {
        if (rest_.size() < 2) return false;
        size_t len = get8(rest_, 1) * 8u;
        out = {get8(rest_, 0), rest_.first(len)};
        rest_ = rest_.subspan(len);
        return true;
    }

  private:
    Bytes rest_;
};

struct Icmpv6Repr {
    uint8_t type = icmpv6::kEchoRequest;
    uint8_t code = 0;
    uint32_t rest = 0;
    Bytes data;

    static Icmpv6Repr parse(const Icmpv6Packet& p) {
        return {p.type(), p.code(), p.rest(), p.data()};
    }
    static Icmpv6Repr echo(bool request, uint16_t ident, uint16_t seq, Bytes data) {
        return {request ? icmpv6::kEchoRequest : icmpv6::kEchoReply, 0,
                static_cast<uint32_t>(ident) << 16 | seq, data};
    }
    size_t buffer_len() const { return Icmpv6Packet::kHeaderLen + data.size(); }
    void emit(MutBytes out, const Ipv6Address& src, const Ipv6Address& dst) const;
    bool operator==(const Icmpv6Repr& o) const {
        return type == o.type && code == o.code && rest == o.rest &&
               std::ranges::equal(data, o.data);
    }
};

struct NdpPrefixInfo {
    uint8_t prefix_len = 64;
    uint8_t flags = 0xc0;  // L and A (RFC 4861 4.6.2)
    uint32_t valid_lifetime = 0;
    uint32_t preferred_lifetime = 0;
    Ipv6Address prefix;
    bool operator==(const NdpPrefixInfo&) const = default;
};

// Router/neighbor solicitations and advertisements with the options hosts use: a link-layer
// address (source for RS/RA/NS, target for NA), and for RA an MTU and one prefix.
struct NdpRepr {
    uint8_t type = icmpv6::kNeighborSolicit;
    uint8_t cur_hop_limit = 0;     // RA
    uint8_t flags = 0;             // RA M/O, or NA R/S/O, as on the wire
    uint16_t router_lifetime = 0;  // RA
    uint32_t reachable_time = 0;   // RA
    uint32_t retrans_timer = 0;    // RA
    Ipv6Address target;            // NS/NA
    std::optional<MacAddress> lladdr;
    std::optional<uint32_t> mtu;
    std::optional<NdpPrefixInfo> prefix;

    // Fails with BadOption for non-NDP types, redirects, and options this repr does not hold.
    static Checked<NdpRepr> parse(const Icmpv6Packet& p);
    size_t buffer_len() const;
    void emit(MutBytes out, const Ipv6Address& src, const Ipv6Address& dst) const;
    bool operator==(const NdpRepr&) const = default;
};

}  // namespace tapd::wire
