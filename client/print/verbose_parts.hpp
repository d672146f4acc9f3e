// The blocks of the verbose dump (verbose.hpp), one per layer, one file per group of protocols.
// Each writes its block when d has the layer and then sets rest to the bytes after its header.
// Not installed: a helper of print/'s own .cpp files.
#pragma once

#include "print/text_buffer.hpp"
#include "wire/decode.hpp"

namespace tapd::print::verbose {

// verbose_link.cpp: the Ethernet header and its VLAN tags, the LLC header, ARP.
void ethernet(TextBuffer& o, const wire::Decoded& d, wire::Bytes& rest);
void llc(TextBuffer& o, const wire::Decoded& d, wire::Bytes& rest);
void arp(TextBuffer& o, const wire::Decoded& d, wire::Bytes& rest);

// verbose_ip.cpp: the IPv4 header, the IPv6 header and its extension headers.
void ipv4(TextBuffer& o, const wire::Decoded& d, wire::Bytes& rest);
void ipv6(TextBuffer& o, const wire::Decoded& d, wire::Bytes& rest);

// verbose_transport.cpp: whichever of TCP (with its options), UDP, ICMP and ICMPv6 (with NDP
// options) d has.
void transport(TextBuffer& o, const wire::Decoded& d, wire::Bytes& rest);

}  // namespace tapd::print::verbose
