// IPv4 packet check (RFC 791 3.1 lengths and options), repr parse and emit.
#include "wire/ipv4.hpp"

#include <algorithm>
#include <optional>

namespace tapd::wire {
namespace {

constexpr uint8_t kOptCipso = 134;

// The lengths option types must have (type and length bytes included): exactly (RFC 1063 MTU
// probe and reply, RFC 4782 Quick-Start, RFC 1393 traceroute, RFC 791 stream id, RFC 2113
// router alert) or at least (RFC 791 record route, timestamp, loose and strict source route;
// RFC 1108 security and extended security; CIPSO, draft-ietf-cipso-ipsecurity-01: its 4-byte
// DOI). 0 for a type without a rule, whose length need only cover its own two bytes. These are
// also the types whose fields Wireshark reads: a shorter option makes it stop at the IPv4
// header, so the layers after it must not be decoded either.
struct OptionRule {
    uint8_t exact;
    uint8_t min;
};
constexpr OptionRule option_rule(uint8_t type) {
    switch (type) {
        case 11:   // MTU probe
        case 12:   // MTU reply
        case 136:  // stream id
        case 148:  // router alert
            return {4, 0};
        case 25:  // Quick-Start
            return {8, 0};
        case 82:  // traceroute
            return {12, 0};
        case 7:    // record route
        case 130:  // security
        case 131:  // loose source route
        case 133:  // extended security
        case 137:  // strict source route
            return {0, 3};
        case 68:  // timestamp
            return {0, 4};
        case kOptCipso:
            return {0, 6};
        default:
            return {0, 0};
    }
}

// CIPSO's tags after its DOI (opt: the whole option), draft-ietf-cipso-ipsecurity-01 3.4 and
// FIPS 188 6.9-6.10: type 0 pads one byte; every other tag has a length byte that covers its
// two bytes and stays inside the option; the bitmap, enumerated, ranged and permissive tags
// (1, 2, 5, 6) carry an alignment byte and a sensitivity level, and enumerated and ranged
// categories are 16-bit values. Returns the offset in opt of the first bad tag's length byte
// (opt.size() when it has none), or 0.
size_t bad_cipso_tag(Bytes opt) {
    for (size_t at = 6; at < opt.size();) {
        uint8_t tag = get8(opt, at);
        if (tag == 0) {
            ++at;
            continue;
        }
        size_t left = opt.size() - at;
        if (left < 2) return at + 1;
        size_t len = get8(opt, at + 1);
        bool carries_level = tag == 1 || tag == 2 || tag == 5 || tag == 6;
        bool pairs = tag == 2 || tag == 5;
        if (len < 2 || len > left || (carries_level && len < 4) || (pairs && (len - 4) % 2 != 0))
            return at + 1;
        at += len;
    }
    return 0;
}

// The first option in header (a whole IPv4 header with options) whose length is impossible or
// not the one its type has.
std::optional<WireError> bad_option(Bytes header) {
    constexpr size_t kBase = Ipv4Packet::kMinHeaderLen;
    TlvOptionWalker walk(header.subspan(kBase));
    for (TlvOption opt; walk.next(opt);) {
        if (opt.kind == tlv::kNop) continue;
        const size_t len = opt.data.size();
        const auto len_at = static_cast<uint32_t>(kBase + opt.offset + 1);
        OptionRule rule = option_rule(opt.kind);
        if (rule.exact && len != rule.exact)
            return WireError{Layer::Ip, Reason::WrongOptionLength, len_at,
                             static_cast<uint32_t>(len), rule.exact};
        if (len < rule.min)
            return WireError{Layer::Ip, Reason::OptionTooShort, len_at, static_cast<uint32_t>(len),
                             rule.min};
        if (opt.kind == kOptCipso) {
            if (size_t bad = bad_cipso_tag(opt.data))
                return WireError{Layer::Ip, Reason::BadOptionLength,
                                 static_cast<uint32_t>(kBase + opt.offset + bad),
                                 bad < len ? get8(opt.data, bad) : 0u,
                                 static_cast<uint32_t>(len - bad + 1)};
        }
    }
    if (walk.bad()) return walk.bad_length(Layer::Ip, kBase);
    return std::nullopt;
}

}  // namespace

Checked<Ipv4Packet> Ipv4Packet::check(Bytes b) {
    if (b.size() < kMinHeaderLen) return truncated(Layer::Ip, 0, kMinHeaderLen, b.size());
    uint8_t version = get8(b, kVerIhl) >> 4;
    if (version != 4) return WireError{Layer::Ip, Reason::BadVersion, kVerIhl, version, 4};
    size_t hl = (get8(b, kVerIhl) & 0xf) * 4u;
    if (hl < kMinHeaderLen)
        return WireError{Layer::Ip, Reason::HeaderTooShort, kVerIhl, static_cast<uint32_t>(hl),
                         kMinHeaderLen};
    if (hl > b.size()) return truncated(Layer::Ip, kVerIhl, hl, b.size());
    uint16_t total = get16(b, kTotalLen);
    if (total < hl)
        return WireError{Layer::Ip, Reason::TotalLengthTooShort, kTotalLen, total,
                         static_cast<uint32_t>(hl)};
    // A tail call: headers without options (nearly all) keep check() free of a stack frame.
    if (hl > kMinHeaderLen) return check_options(b, hl);
    return Ipv4Packet(b.first(std::min<size_t>(total, b.size())));
}

Checked<Ipv4Packet> Ipv4Packet::check_options(Bytes b, size_t hl) {
    if (auto e = bad_option(b.first(hl))) return *e;
    return Ipv4Packet(b.first(std::min<size_t>(get16(b, kTotalLen), b.size())));
}

Ipv4Repr Ipv4Repr::parse(const Ipv4Packet& p) {
    Ipv4Repr r;
    r.src = p.src();
    r.dst = p.dst();
    r.proto = p.proto();
    r.ttl = p.ttl();
    r.ident = p.ident();
    r.dscp = p.dscp();
    r.ecn = p.ecn();
    r.dont_frag = p.dont_frag();
    r.more_frags = p.more_frags();
    r.frag_offset = p.frag_offset();
    r.payload_len = static_cast<uint16_t>(p.payload_len());
    Bytes opts = p.options();
    r.options_len = static_cast<uint8_t>(opts.size());
    for (size_t i = 0; i < opts.size(); ++i) r.options[i] = static_cast<uint8_t>(opts[i]);
    return r;
}

void Ipv4Repr::emit(MutBytes out) const {
    size_t hl = header_len();
    put8(out, Ipv4Packet::kVerIhl, static_cast<uint8_t>(0x40 | hl / 4));
    put8(out, Ipv4Packet::kDscpEcn, static_cast<uint8_t>(dscp << 2 | (ecn & 3)));
    put16(out, Ipv4Packet::kTotalLen, static_cast<uint16_t>(hl + payload_len));
    put16(out, Ipv4Packet::kIdent, ident);
    put16(out, Ipv4Packet::kFlagsFrag,
          static_cast<uint16_t>((dont_frag ? 0x4000 : 0) | (more_frags ? 0x2000 : 0) |
                                (frag_offset & 0x1fff)));
    put8(out, Ipv4Packet::kTtl, ttl);
    put8(out, Ipv4Packet::kProto, proto);
    put16(out, Ipv4Packet::kChecksum, 0);
    put_bytes(out, Ipv4Packet::kSrc, src.bytes());
    put_bytes(out, Ipv4Packet::kDst, dst.bytes());
    put_bytes(out, Ipv4Packet::kMinHeaderLen, as_bytes(options.data(), options_len));
    put16(out, Ipv4Packet::kChecksum, checksum::finish(checksum::accumulate(out.first(hl))));
}

}  // namespace tapd::wire
