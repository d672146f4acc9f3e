// IPv4 packet check (RFC 791 3.1 lengths and options), option walk, repr parse and emit.
#include "wire/ipv4.hpp"

#include <algorithm>

namespace tapd::wire {
namespace {

constexpr uint8_t kOptEnd = 0;
constexpr uint8_t kOptNop = 1;

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
    for (size_t at = kMinHeaderLen; at < hl;) {
        uint8_t type = get8(b, at);
        if (type == kOptEnd) break;
        if (type == kOptNop) {
            ++at;
            continue;
        }
        size_t left = hl - at;
        if (left < 2)
            return WireError{Layer::Ip, Reason::BadOptionLength, static_cast<uint32_t>(at), 0, 1};
        uint8_t len = get8(b, at + 1);
        if (len < 2 || len > left)
            return WireError{Layer::Ip, Reason::BadOptionLength, static_cast<uint32_t>(at + 1), len,
                             static_cast<uint32_t>(left)};
        at += len;
    }
    size_t end = std::min<size_t>(total, b.size());
    return Ipv4Packet(b.first(end));
}

bool Ipv4OptionIter::next(Ipv4Option& out) {
    if (rest_.empty()) return false;
    uint8_t type = get8(rest_, 0);
    if (type == kOptEnd) {
        rest_ = {};
        return false;
    }
    size_t len = type == kOptNop ? 1 : get8(rest_, 1);
    out = {type, rest_.first(len)};
    rest_ = rest_.subspan(len);
    return true;
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
