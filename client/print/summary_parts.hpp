// The parts of the one-line summary (summary.hpp), one file per protocol: each writes its layer
// and what follows. Not installed: a helper of print/'s own .cpp files.
#pragma once

#include "print/text_buffer.hpp"
#include "wire/decode.hpp"

namespace tapd::print::summary {

// summary_link.cpp: "ARP, ..." and "802.3, length N: LLC, ...".
void arp(TextBuffer& o, const wire::Decoded& d);
void ieee8023(TextBuffer& o, const wire::Decoded& d);

// summary_ip.cpp: "IP src.port > dst.port: " and "IP6 ...", then the upper layer.
void ipv4(TextBuffer& o, const wire::Decoded& d);
void ipv6(TextBuffer& o, const wire::Decoded& d);

// summary.cpp: the upper layer after the addresses (and ports), whichever it is.
void transport(TextBuffer& o, const wire::Decoded& d);

// summary_tcp_udp.cpp: "Flags [S], seq ..., length N" and "UDP, length N".
void tcp(TextBuffer& o, const wire::Decoded& d);
void udp(TextBuffer& o, const wire::Decoded& d);

// summary_icmp.cpp: "ICMP echo request, ..." and "ICMP6, neighbor solicitation, ...".
void icmp(TextBuffer& o, const wire::Decoded& d);
void icmpv6(TextBuffer& o, const wire::Decoded& d);

}  // namespace tapd::print::summary
