// Text for WireError: layer names and reasons, formatted without allocation.
#include "wire/error.hpp"

#include <cstdio>

#include "wire/snprintf_length.hpp"

namespace tapd::wire {

const char* to_string(Layer layer) {
    switch (layer) {
        case Layer::Eth:
            return "eth";
        case Layer::Vlan:
            return "vlan";
        case Layer::Llc:
            return "llc";
        case Layer::Arp:
            return "arp";
        case Layer::Ip:
            return "ip";
        case Layer::Ipv6:
            return "ipv6";
        case Layer::Ipv6HopOpts:
            return "ipv6.hopopts";
        case Layer::Ipv6Routing:
            return "ipv6.routing";
        case Layer::Ipv6Fragment:
            return "ipv6.fraghdr";
        case Layer::Ipv6DstOpts:
            return "ipv6.dstopts";
        case Layer::Ipv6Ah:
            return "ah";
        case Layer::Icmp:
            return "icmp";
        case Layer::Icmpv6:
            return "icmpv6";
        case Layer::Tcp:
            return "tcp";
        case Layer::Udp:
            return "udp";
        case Layer::Pcap:
            return "pcap";
    }
    return "unknown";
}

const char* to_string(Reason reason) {
    switch (reason) {
        case Reason::Truncated:
            return "truncated";
        case Reason::BadVersion:
            return "bad-version";
        case Reason::HeaderTooShort:
            return "header-too-short";
        case Reason::TotalLengthTooShort:
            return "length-too-short";
        case Reason::LengthExceedsEnclosing:
            return "length-exceeds-enclosing";
        case Reason::BadOptionLength:
            return "bad-option-length";
        case Reason::WrongOptionLength:
            return "wrong-option-length";
        case Reason::OptionTooShort:
            return "option-too-short";
        case Reason::BadOption:
            return "bad-option";
        case Reason::TooManyHeaders:
            return "too-many-headers";
        case Reason::UnsupportedAddresses:
            return "unsupported-addresses";
        case Reason::BadMagic:
            return "bad-magic";
        case Reason::BadRecordLength:
            return "bad-record-length";
    }
    return "unknown";
}

size_t format_error_text(const WireError& e, char* out, size_t size) {
    const char* layer = to_string(e.layer);
    int n = 0;
    switch (e.reason) {
        case Reason::Truncated:
            n = std::snprintf(out, size, "%s: truncated, need %u bytes, have %u", layer, e.value,
                              e.limit);
            break;
        case Reason::BadVersion:
            n = std::snprintf(out, size, "%s: bad version %u, expected %u", layer, e.value,
                              e.limit);
            break;
        case Reason::HeaderTooShort:
            n = std::snprintf(out, size, "%s: header length %u below minimum %u", layer, e.value,
                              e.limit);
            break;
        case Reason::TotalLengthTooShort:
            n = std::snprintf(out, size, "%s: length %u shorter than its header %u", layer, e.value,
                              e.limit);
            break;
        case Reason::LengthExceedsEnclosing:
            n = std::snprintf(out, size, "%s: length %u exceeds the %u bytes that enclose it",
                              layer, e.value, e.limit);
            break;
        case Reason::BadOptionLength:
            n = std::snprintf(out, size, "%s: bad option length %u, %u bytes left", layer, e.value,
                              e.limit);
            break;
        case Reason::WrongOptionLength:
            n = std::snprintf(out, size, "%s: option length %u where its type has length %u", layer,
                              e.value, e.limit);
            break;
        case Reason::OptionTooShort:
            n = std::snprintf(out, size, "%s: option length %u below its type's minimum %u", layer,
                              e.value, e.limit);
            break;
        case Reason::BadOption:
            n = std::snprintf(out, size, "%s: option %u not allowed here", layer, e.value);
            break;
        case Reason::TooManyHeaders:
            n = std::snprintf(out, size, "%s: more than %u nested headers", layer, e.limit);
            break;
        case Reason::UnsupportedAddresses:
            n = std::snprintf(out, size, "%s: unsupported address sizes hlen %u plen %u", layer,
                              e.value, e.limit);
            break;
        case Reason::BadMagic:
            n = std::snprintf(out, size, "%s: bad magic number 0x%08x", layer, e.value);
            break;
        case Reason::BadRecordLength:
            n = std::snprintf(out, size, "%s: record length %u exceeds limit %u", layer, e.value,
                              e.limit);
            break;
    }
    return snprintf_length(n, size);
}

size_t format_error(const WireError& e, char* out, size_t size) {
    size_t k = format_error_text(e, out, size);
    return k +
           snprintf_length(std::snprintf(out + k, size - k, " (offset %u)", e.offset), size - k);
}

}  // namespace tapd::wire
