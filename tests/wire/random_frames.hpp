// Random frames of every kind the builder describes, for property tests (frame_test, decode_test).
#pragma once

#include <random>
#include <vector>

#include "wire/frame.hpp"

namespace tapd::wire::test {

class Gen {
  public:
    explicit Gen(uint32_t seed) : rng_(seed) {}
    uint32_t u32() { return static_cast<uint32_t>(rng_()); }
    uint32_t below(uint32_t n) { return u32() % n; }
    bool coin() { return below(2); }
    template <class A>
    A bytes() {
        A a;
        for (auto& b : a.b) b = static_cast<uint8_t>(u32());
        return a;
    }
    void fill(std::vector<std::byte>& v, size_t n) {
        v.resize(n);
        for (auto& b : v) b = std::byte(u32());
    }

    // Fills f with a random frame whose payload bytes live in storage.
    void frame(FrameRepr& f, std::vector<std::byte>& payload, std::vector<std::byte>& ext_body) {
        f = FrameRepr{};
        f.eth.src = bytes<MacAddress>();
        f.eth.dst = bytes<MacAddress>();
        f.vlan_count = static_cast<uint8_t>(below(3));
        for (size_t i = 0; i < f.vlan_count; ++i) {
            f.vlans[i].tpid = (i == 0 && f.vlan_count == 2) ? ethertype::kQinQ : ethertype::kVlan;
            f.vlans[i].pcp = static_cast<uint8_t>(below(8));
            f.vlans[i].dei = coin();
            f.vlans[i].vid = static_cast<uint16_t>(below(4096));
        }
        fill(payload, below(64));
        switch (below(4)) {
            case 0: {
                f.net = FrameRepr::Net::Arp;
                f.arp.oper = static_cast<uint16_t>(1 + below(2));
                f.arp.sha = bytes<MacAddress>();
                f.arp.spa = bytes<Ipv4Address>();
                f.arp.tha = bytes<MacAddress>();
                f.arp.tpa = bytes<Ipv4Address>();
                return;
            }
            case 1: {
                f.net = FrameRepr::Net::Ipv4;
                Ipv4Repr& ip = f.ipv4;
                ip.src = bytes<Ipv4Address>();
                ip.dst = bytes<Ipv4Address>();
                ip.ttl = static_cast<uint8_t>(u32());
                ip.ident = static_cast<uint16_t>(u32());
                ip.dscp = static_cast<uint8_t>(below(64));
                ip.ecn = static_cast<uint8_t>(below(4));
                ip.dont_frag = coin();
                if (coin()) {
                    ip.options_len = 4;
                    ip.options = {0x94, 0x04, 0x00, 0x00};  // router alert
                }
                if (below(5) == 0) {  // a later fragment: raw payload, protocol kept
                    ip.frag_offset = static_cast<uint16_t>(1 + below(0x1ffe));
                    ip.more_frags = coin();
                    ip.proto = ipproto::kUdp;
                    return;
                }
                transport(f, payload, false);
                return;
            }
            case 2: {
                f.net = FrameRepr::Net::Ipv6;
                Ipv6Repr& ip = f.ipv6;
                ip.src = bytes<Ipv6Address>();
                ip.dst = bytes<Ipv6Address>();
                ip.hop_limit = static_cast<uint8_t>(u32());
                ip.traffic_class = static_cast<uint8_t>(u32());
                ip.flow_label = below(1 << 20);
                fill(ext_body, 6);
                ext_body[0] = std::byte{1};  // PadN of 4: a valid options body
                ext_body[1] = std::byte{4};
                f.ext_count = static_cast<uint8_t>(below(3));
                for (size_t i = 0; i < f.ext_count; ++i) {
                    Ipv6ExtRepr& e = f.ext[i];
                    uint8_t kinds[] = {ipproto::kHopOpts, ipproto::kDstOpts, ipproto::kFragment};
                    e.type = i == 0 ? kinds[below(3)] : kinds[1 + below(2)];
                    if (e.type == ipproto::kFragment) {
                        e.frag_offset = 0;  // the first fragment, so the upper layer follows
                        e.more_frags = coin();
                        e.frag_ident = u32();
                    } else {
                        e.body = ext_body;
                    }
                }
                transport(f, payload, true);
                return;
            }
            default:
                f.net = FrameRepr::Net::None;
                f.eth.ethertype = 0x88b5;  // IEEE local experimental
                if (f.vlan_count) f.vlans[f.vlan_count - 1].ethertype = 0x88b5;
                f.payload = payload;
                return;
        }
    }

  private:
    void transport(FrameRepr& f, const std::vector<std::byte>& payload, bool v6) {
        switch (below(v6 ? 5 : 4)) {
            case 0: {
                f.l4 = FrameRepr::Transport::Tcp;
                TcpRepr& t = f.tcp;
                t.src_port = static_cast<uint16_t>(u32());
                t.dst_port = static_cast<uint16_t>(u32());
                t.seq = u32();
                t.ack = u32();
                t.flags = static_cast<uint16_t>(below(0x200));
                t.window = static_cast<uint16_t>(u32());
                t.urgent = static_cast<uint16_t>(u32());
                if (coin()) t.options.mss = static_cast<uint16_t>(u32());
                if (coin()) t.options.window_scale = static_cast<uint8_t>(below(15));
                t.options.sack_permitted = coin();
                if (coin()) t.options.timestamps = std::pair{u32(), u32()};
                if (coin()) {
                    t.options.sack_count = 1;
                    t.options.sack[0] = {u32(), u32()};
                }
                t.payload = payload;
                break;
            }
            case 1:
                f.l4 = FrameRepr::Transport::Udp;
                f.udp = {static_cast<uint16_t>(u32()), static_cast<uint16_t>(u32()), payload};
                break;
            case 2:
                if (v6) {
                    f.l4 = FrameRepr::Transport::Icmpv6;
                    f.icmpv6 = Icmpv6Repr::echo(coin(), static_cast<uint16_t>(u32()),
                                                static_cast<uint16_t>(u32()), payload);
                } else {
                    f.l4 = FrameRepr::Transport::Icmp;
                    f.icmp = Icmpv4Repr::echo(coin(), static_cast<uint16_t>(u32()),
                                              static_cast<uint16_t>(u32()), payload);
                }
                break;
            case 3:
                f.l4 = FrameRepr::Transport::None;
                if (v6) {
                    if (f.ext_count)
                        f.ext[f.ext_count - 1].next_header = ipproto::kNoNext;
                    else
                        f.ipv6.next_header = ipproto::kNoNext;
                    f.payload = {};
                } else {
                    f.ipv4.proto = 253;  // RFC 3692 experimental
                    f.payload = payload;
                }
                break;
            default: {
                f.l4 = FrameRepr::Transport::Ndp;
                NdpRepr& n = f.ndp;
                uint8_t types[] = {icmpv6::kRouterSolicit, icmpv6::kRouterAdvert,
                                   icmpv6::kNeighborSolicit, icmpv6::kNeighborAdvert};
                n.type = types[below(4)];
                if (coin()) n.lladdr = bytes<MacAddress>();
                if (n.type == icmpv6::kRouterAdvert) {
                    n.cur_hop_limit = static_cast<uint8_t>(u32());
                    n.flags = static_cast<uint8_t>(u32() & 0xc0);
                    n.router_lifetime = static_cast<uint16_t>(u32());
                    n.reachable_time = u32();
                    n.retrans_timer = u32();
                    if (coin()) n.mtu = u32();
                    if (coin())
                        n.prefix = NdpPrefixInfo{static_cast<uint8_t>(below(129)),
                                                 static_cast<uint8_t>(u32() & 0xc0), u32(), u32(),
                                                 bytes<Ipv6Address>()};
                } else if (n.type != icmpv6::kRouterSolicit) {
                    n.target = bytes<Ipv6Address>();
                    if (n.type == icmpv6::kNeighborAdvert)
                        n.flags = static_cast<uint8_t>(u32() & 0xe0);
                }
                break;
            }
        }
    }

    std::mt19937 rng_;
};

}  // namespace tapd::wire::test
