// Names of protocol numbers in the text forms: IP protocols, EtherTypes, ICMP and ICMPv6 types.
// Not installed: a helper of print/'s own .cpp files.
#pragma once

#include <cstdint>

namespace tapd::print {

// The IP protocol (or IPv6 next header) p as the verbose dump names it ("TCP", "IPv6
// fragment"); "unknown" for one without a name here.
const char* proto_name(uint8_t p);
// tcpdump's name of p when its header starts with ports ("tcp", "udp"), else nullptr.
const char* port_proto_name(uint8_t p);

// The EtherType t as the verbose dump names it ("IPv4", "802.1Q"); "unknown" for others.
const char* ethertype_name(uint16_t t);

enum class IcmpVersion : uint8_t { V4, V6 };
// tcpdump's words for an ICMP (V4) or ICMPv6 (V6) message type ("echo request", "router
// advertisement"); nullptr for a type without a name here (tcpdump prints "type-#N").
const char* icmp_type_name(IcmpVersion v, uint8_t type);

}  // namespace tapd::print
