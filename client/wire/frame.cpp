// FrameRepr: derived-field completion, exact sizing, emission and parse from a Decoded frame.
#include "wire/frame.hpp"

#include <algorithm>

namespace tapd::wire {
namespace {

uint8_t transport_proto(FrameRepr::Transport t, uint8_t fallback) {
    switch (t) {
        case FrameRepr::Transport::Tcp:
            return ipproto::kTcp;
        case FrameRepr::Transport::Udp:
            return ipproto::kUdp;
        case FrameRepr::Transport::Icmp:
            return ipproto::kIcmp;
        case FrameRepr::Transport::Icmpv6:
        case FrameRepr::Transport::Ndp:
            return ipproto::kIcmpv6;
        case FrameRepr::Transport::None:
            return fallback;
    }
    return fallback;
}

size_t transport_len(const FrameRepr& f) {
    switch (f.l4) {
        case FrameRepr::Transport::Tcp:
            return f.tcp.buffer_len();
        case FrameRepr::Transport::Udp:
            return f.udp.buffer_len();
        case FrameRepr::Transport::Icmp:
            return f.icmp.buffer_len();
        case FrameRepr::Transport::Icmpv6:
            return f.icmpv6.buffer_len();
        case FrameRepr::Transport::Ndp:
            return f.ndp.buffer_len();
        case FrameRepr::Transport::None:
            return f.payload.size();
    }
    return 0;
}

size_t ext_len(const FrameRepr& f) {
    size_t n = 0;
    for (size_t i = 0; i < f.ext_count; ++i) n += f.ext[i].buffer_len();
    return n;
}

uint16_t net_ethertype(FrameRepr::Net n, uint16_t fallback) {
    switch (n) {
        case FrameRepr::Net::Arp:
            return ethertype::kArp;
        case FrameRepr::Net::Ipv4:
            return ethertype::kIpv4;
        case FrameRepr::Net::Ipv6:
            return ethertype::kIpv6;
        case FrameRepr::Net::None:
            return fallback;
    }
    return fallback;
}

}  // namespace

void FrameRepr::complete() {
    // The innermost EtherType is whatever was set when there is no network layer.
    uint16_t inner = vlan_count ? vlans[vlan_count - 1].ethertype : eth.ethertype;
    uint16_t type = net_ethertype(net, inner);
    for (size_t i = vlan_count; i-- > 0;) {
        vlans[i].ethertype = type;
        type = vlans[i].tpid;
    }
    eth.ethertype = type;
    size_t l4len = transport_len(*this);
    if (net == Net::Ipv4) {
        ipv4.proto = transport_proto(l4, ipv4.proto);
        ipv4.payload_len = static_cast<uint16_t>(l4 == Transport::None ? payload.size() : l4len);
    } else if (net == Net::Ipv6) {
        uint8_t upper =
            transport_proto(l4, ext_count ? ext[ext_count - 1].next_header : ipv6.next_header);
        for (size_t i = ext_count; i-- > 0;) {
            ext[i].next_header = upper;
            upper = ext[i].type;
        }
        ipv6.next_header = upper;
        ipv6.payload_len = static_cast<uint16_t>(ext_len(*this) + l4len);
    }
}

size_t FrameRepr::buffer_len() const {
    size_t n = EthernetRepr::header_len() + vlan_count * VlanRepr::header_len();
    switch (net) {
        case Net::None:
            return n + payload.size();
        case Net::Arp:
            return n + ArpRepr::buffer_len();
        case Net::Ipv4:
            return n + ipv4.header_len() + transport_len(*this);
        case Net::Ipv6:
            return n + Ipv6Repr::header_len() + ext_len(*this) + transport_len(*this);
    }
    return n;
}

size_t FrameRepr::emit(MutBytes out) const {
    size_t total = buffer_len();
    if (out.size() < total) return 0;
    FrameRepr f = *this;
    f.complete();
    f.eth.emit(out);
    size_t at = EthernetRepr::header_len();
    for (size_t i = 0; i < f.vlan_count; ++i, at += VlanRepr::header_len())
        f.vlans[i].emit(out.subspan(at));
    uint64_t pseudo = 0;
    switch (f.net) {
        case Net::None:
            put_bytes(out, at, f.payload);
            return total;
        case Net::Arp:
            f.arp.emit(out.subspan(at));
            return total;
        case Net::Ipv4: {
            f.ipv4.emit(out.subspan(at));
            at += f.ipv4.header_len();
            pseudo = checksum::pseudo_header(f.ipv4.src, f.ipv4.dst, f.ipv4.proto,
                                             static_cast<uint32_t>(transport_len(f)));
            break;
        }
        case Net::Ipv6: {
            f.ipv6.emit(out.subspan(at));
            at += Ipv6Repr::header_len();
            for (size_t i = 0; i < f.ext_count; ++i) {
                f.ext[i].emit(out.subspan(at));
                at += f.ext[i].buffer_len();
            }
            uint8_t upper = f.ext_count ? f.ext[f.ext_count - 1].next_header : f.ipv6.next_header;
            pseudo = checksum::pseudo_header(f.ipv6.src, f.ipv6.dst, upper,
                                             static_cast<uint32_t>(transport_len(f)));
            break;
        }
    }
    MutBytes l4out = out.subspan(at);
    switch (f.l4) {
        case Transport::None:
            put_bytes(l4out, 0, f.payload);
            break;
        case Transport::Tcp:
            f.tcp.emit(l4out, pseudo);
            break;
        case Transport::Udp:
            f.udp.emit(l4out, pseudo);
            break;
        case Transport::Icmp:
            f.icmp.emit(l4out);
            break;
        case Transport::Icmpv6:
            f.icmpv6.emit(l4out, f.ipv6.src, f.ipv6.dst);
            break;
        case Transport::Ndp:
            f.ndp.emit(l4out, f.ipv6.src, f.ipv6.dst);
            break;
    }
    return total;
}

Checked<FrameRepr> FrameRepr::parse(const Decoded& d, bool ndp_as_generic) {
    if (d.has_error) return d.error;
    FrameRepr f;
    f.eth = EthernetRepr::parse(d.eth);
    f.vlan_count = d.vlan_count;
    for (size_t i = 0; i < d.vlan_count; ++i) {
        const VlanTag& t = d.vlans[i];
        f.vlans[i] = {d.vlan_tpids[i], t.pcp(), t.dei(), t.vid(), t.ethertype()};
    }
    Bytes rest = d.frame.subspan(d.l3_offset);
    if (d.has(kHasArp)) {
        auto a = ArpRepr::parse(d.arp);
        if (!a) {
            WireError e = a.error();
            e.offset += d.l3_offset;
            return e;
        }
        f.net = Net::Arp;
        f.arp = *a;
        return f;
    }
    if (d.has(kHasIpv4)) {
        f.net = Net::Ipv4;
        f.ipv4 = Ipv4Repr::parse(d.ipv4);
        rest = d.ipv4.payload();
    } else if (d.has(kHasIpv6)) {
        f.net = Net::Ipv6;
        f.ipv6 = Ipv6Repr::parse(d.ipv6);
        const Ipv6Chain& ch = d.ipv6_chain;
        if (ch.count > kMaxExt)
            return WireError{Layer::Ipv6, Reason::TooManyHeaders, d.l3_offset, ch.count, kMaxExt};
        f.ext_count = ch.count;
        for (size_t i = 0; i < ch.count; ++i) f.ext[i] = Ipv6ExtRepr::parse(ch.headers[i]);
        rest = d.ipv6.payload().subspan(ch.upper_offset);
    } else {
        f.payload = rest;
        return f;
    }
    if (d.has(kHasTcp)) {
        f.l4 = Transport::Tcp;
        f.tcp = TcpRepr::parse(d.tcp);
    } else if (d.has(kHasUdp)) {
        f.l4 = Transport::Udp;
        f.udp = UdpRepr::parse(d.udp);
    } else if (d.has(kHasIcmp)) {
        f.l4 = Transport::Icmp;
        f.icmp = Icmpv4Repr::parse(d.icmp);
    } else if (d.has(kHasIcmpv6)) {
        auto ndp = NdpRepr::parse(d.icmpv6);
        if (ndp) {
            f.l4 = Transport::Ndp;
            f.ndp = *ndp;
        } else if (!d.icmpv6.is_ndp() || ndp_as_generic) {
            f.l4 = Transport::Icmpv6;
            f.icmpv6 = Icmpv6Repr::parse(d.icmpv6);
        } else {
            WireError e = ndp.error();
            e.offset += d.l4_offset;
            return e;
        }
    } else {
        f.payload = rest;
    }
    return f;
}

bool FrameRepr::operator==(const FrameRepr& o) const {
    if (!(eth == o.eth) || vlan_count != o.vlan_count || net != o.net || l4 != o.l4) return false;
    if (!std::equal(vlans.begin(), vlans.begin() + vlan_count, o.vlans.begin())) return false;
    switch (net) {
        case Net::None:
            return std::ranges::equal(payload, o.payload);
        case Net::Arp:
            return arp == o.arp;
        case Net::Ipv4:
            if (!(ipv4 == o.ipv4)) return false;
            break;
        case Net::Ipv6:
            if (!(ipv6 == o.ipv6) || ext_count != o.ext_count ||
                !std::equal(ext.begin(), ext.begin() + ext_count, o.ext.begin()))
                return false;
            break;
    }
    switch (l4) {
        case Transport::None:
            return std::ranges::equal(payload, o.payload);
        case Transport::Tcp:
            return tcp == o.tcp;
        case Transport::Udp:
            return udp == o.udp;
        case Transport::Icmp:
            return icmp == o.icmp;
        case Transport::Icmpv6:
            return icmpv6 == o.icmpv6;
        case Transport::Ndp:
            return ndp == o.ndp;
    }
    return false;
}

}  // namespace tapd::wire
