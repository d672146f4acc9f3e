// The name tables of the text forms: one row per protocol number or message type.
#include "print/names.hpp"

#include "wire/ethernet.hpp"
#include "wire/icmpv4.hpp"
#include "wire/icmpv6.hpp"
#include "wire/ipv4.hpp"

namespace tapd::print {
namespace {

namespace ipproto = wire::ipproto;
namespace icmp = wire::icmp;
namespace icmpv6 = wire::icmpv6;

struct ProtoName {
    uint8_t proto;
    const char* name;       // the verbose dump's
    const char* port_name;  // tcpdump's, for a protocol whose header starts with ports
};
constexpr ProtoName kProtos[] = {
    {ipproto::kHopOpts, "IPv6 hop-by-hop", nullptr},
    {ipproto::kIcmp, "ICMP", nullptr},
    {ipproto::kTcp, "TCP", "tcp"},
    {ipproto::kUdp, "UDP", "udp"},
    {ipproto::kRouting, "IPv6 routing", nullptr},
    {ipproto::kFragment, "IPv6 fragment", nullptr},
    {ipproto::kAh, "AH", nullptr},
    {ipproto::kIcmpv6, "ICMPv6", nullptr},
    {ipproto::kNoNext, "no next header", nullptr},
    {ipproto::kDstOpts, "IPv6 destination options", nullptr},
};

const ProtoName* find_proto(uint8_t p) {
    for (const ProtoName& e : kProtos)
        if (e.proto == p) return &e;
    return nullptr;
}

struct EthertypeName {
    uint16_t type;
    const char* name;
};
constexpr EthertypeName kEthertypes[] = {
    {wire::ethertype::kIpv4, "IPv4"},    {wire::ethertype::kIpv6, "IPv6"},
    {wire::ethertype::kArp, "ARP"},      {wire::ethertype::kVlan, "802.1Q"},
    {wire::ethertype::kQinQ, "802.1ad"}, {wire::ethertype::kQinQOld, "QinQ"},
};

// The types whose text in tcpdump's line starts with a fixed name. Time exceeded is not here:
// its words depend on the code.
struct IcmpTypeName {
    IcmpVersion version;
    uint8_t type;
    const char* name;
};
constexpr IcmpVersion V4 = IcmpVersion::V4;
constexpr IcmpVersion V6 = IcmpVersion::V6;
constexpr IcmpTypeName kIcmpTypes[] = {
    {V4, icmp::kEchoReply, "echo reply"},
    {V4, icmp::kDstUnreachable, "dst unreachable"},
    {V4, icmp::kSourceQuench, "source quench"},
    {V4, icmp::kRedirect, "redirect"},
    {V4, icmp::kEchoRequest, "echo request"},
    {V4, icmp::kRouterAdvert, "router advertisement"},
    {V4, icmp::kRouterSolicit, "router solicitation"},
    {V4, icmp::kParamProblem, "parameter problem"},
    {V4, icmp::kTimestamp, "time stamp query"},
    {V4, icmp::kTimestampReply, "time stamp reply"},
    {V6, icmpv6::kDstUnreachable, "destination unreachable"},
    {V6, icmpv6::kPacketTooBig, "packet too big"},
    {V6, icmpv6::kParamProblem, "parameter problem"},
    {V6, icmpv6::kEchoRequest, "echo request"},
    {V6, icmpv6::kEchoReply, "echo reply"},
    {V6, icmpv6::kMldQuery, "multicast listener query"},
    {V6, icmpv6::kMldReport, "multicast listener report"},
    {V6, icmpv6::kMldDone, "multicast listener done"},
    {V6, icmpv6::kRouterSolicit, "router solicitation"},
    {V6, icmpv6::kRouterAdvert, "router advertisement"},
    {V6, icmpv6::kNeighborSolicit, "neighbor solicitation"},
    {V6, icmpv6::kNeighborAdvert, "neighbor advertisement"},
    {V6, icmpv6::kRedirect, "redirect"},
    {V6, icmpv6::kMldv2Report, "multicast listener report v2"},
};

}  // namespace

const char* proto_name(uint8_t p) {
    const ProtoName* e = find_proto(p);
    return e ? e->name : "unknown";
}

const char* port_proto_name(uint8_t p) {
    const ProtoName* e = find_proto(p);
    return e ? e->port_name : nullptr;
}

const char* ethertype_name(uint16_t t) {
    for (const EthertypeName& e : kEthertypes)
        if (e.type == t) return e.name;
    return "unknown";
}

const char* icmp_type_name(IcmpVersion v, uint8_t type) {
    for (const IcmpTypeName& e : kIcmpTypes)
        if (e.version == v && e.type == type) return e.name;
    return nullptr;
}

}  // namespace tapd::print
