// ICMPv6 and NDP message check, checksum with the IPv6 pseudo-header, repr parse and emit.
#include "wire/icmpv6.hpp"

#include "wire/ipv4.hpp"

namespace tapd::wire {

size_t Icmpv6Packet::ndp_fixed_len(uint8_t t) {
    switch (t) {
        case icmpv6::kRouterSolicit:
            return 8;
        case icmpv6::kRouterAdvert:
            return 16;
        case icmpv6::kNeighborSolicit:
        case icmpv6::kNeighborAdvert:
            return 24;
        case icmpv6::kRedirect:
            return 40;
        default:
            return kHeaderLen;
    }
}

Checked<Icmpv6Packet> Icmpv6Packet::check(Bytes b) {
    if (b.size() < kHeaderLen) return truncated(Layer::Icmpv6, 0, kHeaderLen, b.size());
    uint8_t t = get8(b, kType);
    if (t < icmpv6::kRouterSolicit || t > icmpv6::kRedirect) return Icmpv6Packet(b);
    size_t fixed = ndp_fixed_len(t);
    if (b.size() < fixed) return truncated(Layer::Icmpv6, 0, fixed, b.size());
    for (size_t at = fixed; at < b.size();) {
        size_t left = b.size() - at;
        if (left < 2) return truncated(Layer::Icmpv6, at, 2, left);
        size_t len = get8(b, at + 1) * 8u;
        if (len == 0)
            return WireError{Layer::Icmpv6, Reason::BadOptionLength, static_cast<uint32_t>(at + 1),
                             0, static_cast<uint32_t>(left)};
        if (len > left) return truncated(Layer::Icmpv6, at + 1, at + len, b.size());
        at += len;
    }
    return Icmpv6Packet(b);
}

bool Icmpv6Packet::checksum_ok(const Ipv6Address& src, const Ipv6Address& dst) const {
    return checksum_ok(
        checksum::pseudo_header(src, dst, ipproto::kIcmpv6, static_cast<uint32_t>(buf_.size())));
}

void Icmpv6Repr::emit(MutBytes out, const Ipv6Address& src, const Ipv6Address& dst) const {
    put8(out, Icmpv6Packet::kType, type);
    put8(out, Icmpv6Packet::kCode, code);
    put16(out, Icmpv6Packet::kChecksum, 0);
    put32(out, Icmpv6Packet::kRest, rest);
    put_bytes(out, Icmpv6Packet::kHeaderLen, data);
    size_t len = buffer_len();
    uint64_t acc = checksum::pseudo_header(src, dst, ipproto::kIcmpv6, static_cast<uint32_t>(len));
    put16(out, Icmpv6Packet::kChecksum,
          checksum::finish(checksum::accumulate(out.first(len), acc)));
}

Checked<NdpRepr> NdpRepr::parse(const Icmpv6Packet& p) {
    uint8_t t = p.type();
    if (t < icmpv6::kRouterSolicit || t > icmpv6::kNeighborAdvert)
        return WireError{Layer::Icmpv6, Reason::BadOption, Icmpv6Packet::kType, t, 0};
    NdpRepr r;
    r.type = t;
    if (t == icmpv6::kRouterAdvert) {
        r.cur_hop_limit = p.ra_cur_hop_limit();
        r.flags = p.ra_flags();
        r.router_lifetime = p.ra_router_lifetime();
        r.reachable_time = p.ra_reachable_time();
        r.retrans_timer = p.ra_retrans_timer();
    } else if (t == icmpv6::kNeighborSolicit || t == icmpv6::kNeighborAdvert) {
        if (t == icmpv6::kNeighborAdvert) r.flags = p.na_flags();
        r.target = p.target();
    }
    NdpOptionIter it(p.ndp_options());
    size_t at = Icmpv6Packet::ndp_fixed_len(t);
    for (NdpOption o; it.next(o); at += o.data.size()) {
        bool lladdr_type = o.type == (t == icmpv6::kNeighborAdvert ? icmpv6::kOptTargetLladdr
                                                                   : icmpv6::kOptSourceLladdr);
        if (lladdr_type && o.data.size() == 8 && !r.lladdr) {
            r.lladdr = o.lladdr();
        } else if (t == icmpv6::kRouterAdvert && o.type == icmpv6::kOptMtu && o.data.size() == 8 &&
                   !r.mtu) {
            r.mtu = get32(o.data, 4);
        } else if (t == icmpv6::kRouterAdvert && o.type == icmpv6::kOptPrefixInfo &&
                   o.data.size() == 32 && !r.prefix) {
            r.prefix = NdpPrefixInfo{get8(o.data, 2), get8(o.data, 3), get32(o.data, 4),
                                     get32(o.data, 8), Ipv6Address::from(o.data.subspan(16, 16))};
        } else {
            return WireError{Layer::Icmpv6, Reason::BadOption, static_cast<uint32_t>(at), o.type,
                             0};
        }
    }
    return r;
}

size_t NdpRepr::buffer_len() const {
    return Icmpv6Packet::ndp_fixed_len(type) + (lladdr ? 8 : 0) + (mtu ? 8 : 0) + (prefix ? 32 : 0);
}

void NdpRepr::emit(MutBytes out, const Ipv6Address& src, const Ipv6Address& dst) const {
    size_t len = buffer_len();
    for (size_t i = 0; i < len; ++i) out[i] = std::byte{0};
    put8(out, Icmpv6Packet::kType, type);
    if (type == icmpv6::kRouterAdvert) {
        put8(out, Icmpv6Packet::kRaCurHopLimit, cur_hop_limit);
        put8(out, Icmpv6Packet::kRaFlags, flags);
        put16(out, Icmpv6Packet::kRaRouterLifetime, router_lifetime);
        put32(out, Icmpv6Packet::kRaReachableTime, reachable_time);
        put32(out, Icmpv6Packet::kRaRetransTimer, retrans_timer);
    } else if (type == icmpv6::kNeighborSolicit || type == icmpv6::kNeighborAdvert) {
        if (type == icmpv6::kNeighborAdvert) put8(out, Icmpv6Packet::kNaFlags, flags);
        put_bytes(out, Icmpv6Packet::kTarget, target.bytes());
    }
    size_t at = Icmpv6Packet::ndp_fixed_len(type);
    if (lladdr) {
        put8(out, at,
             type == icmpv6::kNeighborAdvert ? icmpv6::kOptTargetLladdr : icmpv6::kOptSourceLladdr);
        put8(out, at + 1, 1);
        put_bytes(out, at + 2, lladdr->bytes());
        at += 8;
    }
    if (mtu) {
        put8(out, at, icmpv6::kOptMtu);
        put8(out, at + 1, 1);
        put32(out, at + 4, *mtu);
        at += 8;
    }
    if (prefix) {
        put8(out, at, icmpv6::kOptPrefixInfo);
        put8(out, at + 1, 4);
        put8(out, at + 2, prefix->prefix_len);
        put8(out, at + 3, prefix->flags);
        put32(out, at + 4, prefix->valid_lifetime);
        put32(out, at + 8, prefix->preferred_lifetime);
        put_bytes(out, at + 16, prefix->prefix.bytes());
    }
    uint64_t acc = checksum::pseudo_header(src, dst, ipproto::kIcmpv6, static_cast<uint32_t>(len));
    put16(out, Icmpv6Packet::kChecksum,
          checksum::finish(checksum::accumulate(out.first(len), acc)));
}

}  // namespace tapd::wire
