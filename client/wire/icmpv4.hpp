// ICMP for IPv4 (RFC 792): view with echo and error accessors, checksum, repr.
#pragma once

#include <algorithm>

#include "wire/address.hpp"
#include "wire/bytes.hpp"
#include "wire/checksum.hpp"
#include "wire/error.hpp"

namespace tapd::wire {

namespace icmp {
inline constexpr uint8_t kEchoReply = 0;
inline constexpr uint8_t kDstUnreachable = 3;
inline constexpr uint8_t kSourceQuench = 4;
inline constexpr uint8_t kRedirect = 5;
inline constexpr uint8_t kEchoRequest = 8;
inline constexpr uint8_t kRouterAdvert = 9;
inline constexpr uint8_t kRouterSolicit = 10;
inline constexpr uint8_t kTimeExceeded = 11;
inline constexpr uint8_t kParamProblem = 12;
inline constexpr uint8_t kTimestamp = 13;
inline constexpr uint8_t kTimestampReply = 14;
}  // namespace icmp

class Icmpv4Packet {
  public:
    static constexpr size_t kType = 0;
    static constexpr size_t kCode = 1;
    static constexpr size_t kChecksum = 2;
    static constexpr size_t kRest = 4;  // "rest of header": echo id/seq, MTU, gateway, pointer
    static constexpr size_t kEchoIdent = kRest;
    static constexpr size_t kEchoSeq = kRest + 2;
    static constexpr size_t kNextHopMtu = kRest + 2;  // RFC 1191 4, type 3 code 4
    static constexpr size_t kHeaderLen = kRest + 4;

    Icmpv4Packet() = default;
    static Checked<Icmpv4Packet> check(Bytes b);

    uint8_t type() const { return get8(buf_, kType); }
    uint8_t code() const { return get8(buf_, kCode); }
    uint16_t checksum() const { return get16(buf_, kChecksum); }
    uint32_t rest() const { return get32(buf_, kRest); }
    uint16_t echo_ident() const { return get16(buf_, kEchoIdent); }
    uint16_t echo_seq() const { return get16(buf_, kEchoSeq); }
    uint16_t next_hop_mtu() const { return get16(buf_, kNextHopMtu); }
    Ipv4Address gateway() const { return Ipv4Address::from(buf_.subspan(kRest, 4)); }
    bool is_echo() const { return type() == icmp::kEchoRequest || type() == icmp::kEchoReply; }
    // Error messages quote the offending datagram's header (RFC 792).
    bool is_error() const {
        uint8_t t = type();
        return t == icmp::kDstUnreachable || t == icmp::kSourceQuench || t == icmp::kRedirect ||
               t == icmp::kTimeExceeded || t == icmp::kParamProblem;
    }
    Bytes data() const { return buf_.subspan(kHeaderLen); }
    Bytes bytes() const { return buf_; }
    bool checksum_ok() const { return checksum::verifies(checksum::accumulate(buf_)); }

  private:
    friend struct detail::DecodeAccess;
    explicit Icmpv4Packet(Bytes b) : buf_(b) {}
    Bytes buf_;
};

struct Icmpv4Repr {
    uint8_t type = icmp::kEchoRequest;
    uint8_t code = 0;
    uint32_t rest = 0;
    Bytes data;

    static Icmpv4Repr parse(const Icmpv4Packet& p) {
        return {p.type(), p.code(), p.rest(), p.data()};
    }
    static Icmpv4Repr echo(bool request, uint16_t ident, uint16_t seq, Bytes data) {
        return {request ? icmp::kEchoRequest : icmp::kEchoReply, 0,
                static_cast<uint32_t>(ident) << 16 | seq, data};
    }
    size_t buffer_len() const { return Icmpv4Packet::kHeaderLen + data.size(); }
    // Writes the message with its checksum into out[0, buffer_len()).
    void emit(MutBytes out) const;
    bool operator==(const Icmpv4Repr& o) const {
        return type == o.type && code == o.code && rest == o.rest &&
               std::ranges::equal(data, o.data);
    }
};

}  // namespace tapd::wire
