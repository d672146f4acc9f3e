// IPv6 header check, extension header checks and the walk to the upper-layer protocol.
#include "wire/ipv6.hpp"

namespace tapd::wire {
namespace {

Layer ext_layer(uint8_t type) {
    switch (type) {
        case ipproto::kHopOpts:
            return Layer::Ipv6HopOpts;
        case ipproto::kRouting:
            return Layer::Ipv6Routing;
        case ipproto::kFragment:
            return Layer::Ipv6Fragment;
        case ipproto::kAh:
            return Layer::Ipv6Ah;
        default:
            return Layer::Ipv6DstOpts;
    }
}

}  // namespace

Checked<Ipv6Packet> Ipv6Packet::check(Bytes b) {
    if (b.size() < kHeaderLen) return truncated(Layer::Ipv6, 0, kHeaderLen, b.size());
    uint8_t version = get8(b, kVerTcFlow) >> 4;
    if (version != 6) return WireError{Layer::Ipv6, Reason::BadVersion, kVerTcFlow, version, 6};
    size_t end = kHeaderLen + std::min<size_t>(get16(b, kPayloadLen), b.size() - kHeaderLen);
    return Ipv6Packet(b.first(end));
}

Checked<Ipv6ExtHeader> Ipv6ExtHeader::check(Bytes b, uint8_t type) {
    Layer layer = ext_layer(type);
    if (b.size() < kMinLen) return truncated(layer, 0, kMinLen, b.size());
    size_t len;
    if (type == ipproto::kFragment)
        len = kMinLen;
    else if (type == ipproto::kAh)
        len = (get8(b, kHdrExtLen) + 2u) * 4u;
    else
        len = (get8(b, kHdrExtLen) + 1u) * 8u;
    if (len > b.size()) return truncated(layer, kHdrExtLen, len, b.size());
    if (type == ipproto::kHopOpts || type == ipproto::kDstOpts) {
        // RFC 8200 4.2: Pad1 (type 0) is one byte, every other option is type, length, data.
        for (size_t at = kOptions; at < len;) {
            if (get8(b, at) == 0) {
                ++at;
                continue;
            }
            size_t left = len - at;
            if (left < 2)
                return WireError{layer, Reason::BadOptionLength, static_cast<uint32_t>(at), 0, 1};
            size_t opt = 2u + get8(b, at + 1);
            if (opt > left)
                return WireError{layer, Reason::BadOptionLength, static_cast<uint32_t>(at + 1),
                                 static_cast<uint32_t>(opt - 2), static_cast<uint32_t>(left - 2)};
            at += opt;
        }
    }
    return Ipv6ExtHeader(b.first(len), type);
}

Checked<Ipv6Chain> Ipv6Chain::walk(const Ipv6Packet& p) {
    Ipv6Chain c;
    Bytes rest = p.payload();
    uint8_t nh = p.next_header();
    size_t at = 0;
    while (is_ipv6_extension(nh)) {
        if (c.count == kMaxHeaders)
            return WireError{ext_layer(nh), Reason::TooManyHeaders, static_cast<uint32_t>(at),
                             c.count + 1u, kMaxHeaders};
        auto h = Ipv6ExtHeader::check(rest.subspan(at), nh);
        if (!h) {
            WireError e = h.error();
            e.offset += static_cast<uint32_t>(at);
            return e;
        }
        c.headers[c.count] = *h;
        c.offsets[c.count] = static_cast<uint16_t>(at);
        ++c.count;
        at += h->len();
        nh = h->next_header();
        if (h->type() == ipproto::kRouting && h->segments_left() > 0 && h->len() >= 24) {
            size_t last = h->routing_type() == 4 ? 8 : h->len() - 16;  // RFC 8754 2: SRH
            if (h->routing_type() == 0 || h->routing_type() == 2 || h->routing_type() == 4)
                c.final_dst_offset = static_cast<uint16_t>(at - h->len() + last);
        }
        if (h->type() == ipproto::kFragment) {
            c.fragment = true;
            c.more_frags = h->more_frags();
            c.frag_offset = h->frag_offset();
            c.frag_ident = h->frag_ident();
            if (c.frag_offset != 0) break;
        }
    }
    c.upper_proto = nh;
    c.upper_offset = static_cast<uint16_t>(at);
    return c;
}

Ipv6Repr Ipv6Repr::parse(const Ipv6Packet& p) {
    return {p.src(),           p.dst(),        p.next_header(), p.hop_limit(),
            p.traffic_class(), p.flow_label(), p.payload_len()};
}

void Ipv6Repr::emit(MutBytes out) const {
    put32(out, Ipv6Packet::kVerTcFlow,
          static_cast<uint32_t>(6u << 28 | uint32_t{traffic_class} << 20 | (flow_label & 0xfffff)));
    put16(out, Ipv6Packet::kPayloadLen, payload_len);
    put8(out, Ipv6Packet::kNextHeader, next_header);
    put8(out, Ipv6Packet::kHopLimit, hop_limit);
    put_bytes(out, Ipv6Packet::kSrc, src.bytes());
    put_bytes(out, Ipv6Packet::kDst, dst.bytes());
}

Ipv6ExtRepr Ipv6ExtRepr::parse(const Ipv6ExtHeader& h) {
    Ipv6ExtRepr r;
    r.type = h.type();
    r.next_header = h.next_header();
    if (h.type() == ipproto::kFragment) {
        r.frag_offset = h.frag_offset();
        r.more_frags = h.more_frags();
        r.frag_ident = h.frag_ident();
    } else {
        r.body = h.bytes().subspan(2);
    }
    return r;
}

void Ipv6ExtRepr::emit(MutBytes out) const {
    put8(out, Ipv6ExtHeader::kNextHeader, next_header);
    if (type == ipproto::kFragment) {
        put8(out, Ipv6ExtHeader::kHdrExtLen, 0);
        put16(out, Ipv6ExtHeader::kFragOffset,
              static_cast<uint16_t>((frag_offset & 0x1fff) << 3 | (more_frags ? 1 : 0)));
        put32(out, Ipv6ExtHeader::kFragIdent, frag_ident);
        return;
    }
    size_t total = 2 + body.size();
    put8(out, Ipv6ExtHeader::kHdrExtLen,
         static_cast<uint8_t>(type == ipproto::kAh ? total / 4 - 2 : total / 8 - 1));
    put_bytes(out, 2, body);
}

}  // namespace tapd::wire
