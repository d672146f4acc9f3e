// ARP packet check, Ethernet/IPv4 repr parse and emit.
#include "wire/arp.hpp"

namespace tapd::wire {

Checked<ArpPacket> ArpPacket::check(Bytes b) {
    if (b.size() < kFixedLen) return truncated(Layer::Arp, 0, kFixedLen, b.size());
    size_t need = kAddresses + 2u * (get8(b, kHlen) + get8(b, kPlen));
    if (b.size() < need) return truncated(Layer::Arp, kHlen, need, b.size());
    return ArpPacket(b);
}

Checked<ArpRepr> ArpRepr::parse(const ArpPacket& p) {
    if (!p.is_ethernet_ipv4())
        return WireError{Layer::Arp, Reason::UnsupportedAddresses, ArpPacket::kHlen, p.hlen(),
                         p.plen()};
    return ArpRepr{p.oper(), MacAddress::from(p.sha()), Ipv4Address::from(p.spa()),
                   MacAddress::from(p.tha()), Ipv4Address::from(p.tpa())};
}

void ArpRepr::emit(MutBytes out) const {
    put16(out, ArpPacket::kHtype, arp::kHtypeEthernet);
    put16(out, ArpPacket::kPtype, 0x0800);
    put8(out, ArpPacket::kHlen, 6);
    put8(out, ArpPacket::kPlen, 4);
    put16(out, ArpPacket::kOper, oper);
    put_bytes(out, ArpPacket::kAddresses, sha.bytes());
    put_bytes(out, ArpPacket::kAddresses + 6, spa.bytes());
    put_bytes(out, ArpPacket::kAddresses + 10, tha.bytes());
    put_bytes(out, ArpPacket::kAddresses + 16, tpa.bytes());
}

}  // namespace tapd::wire
