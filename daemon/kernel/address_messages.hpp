// Address messages as bytes: RTM_NEWADDR parsed into InterfaceAddress, notifications
// (RTM_NEWADDR, RTM_DELADDR) into AddressEvent, and the requests that add and delete an address.
// Pure: tested from byte arrays and fuzzed.
#pragma once

#include <optional>

#include "ip.hpp"
#include "netlink_message.hpp"
#include "result.hpp"

namespace tapd {

struct InterfaceAddress {
    int ifindex = 0;
    Prefix address;
};

// An RTM_NEWADDR message (IPv4 or IPv6) as the link and its local address; nullopt for any
// other message, another family, or a local address of the wrong length or prefix length.
std::optional<InterfaceAddress> parse_address(const NlMessage& m);

// An address notification: RTM_NEWADDR (an address added, or changed: the kernel sends one again
// for a changed address) or RTM_DELADDR.
struct AddressEvent {
    bool removed = false;
    InterfaceAddress address;
    // IFA_ADDRESS (an IPv4 point-to-point link's peer, else the address again): with the link and
    // the local address, what tells two of the kernel's addresses apart. Empty if absent.
    IpAddress peer;
};

// An RTM_NEWADDR or RTM_DELADDR message as an AddressEvent; nullopt for another message or
// family; an Error for an IPv4 or IPv6 address message that does not hold (too short, a local
// address of the wrong length or none, a prefix length past the address).
Result<std::optional<AddressEvent>> parse_address_event(const NlMessage& m);

struct AddressOptions {
    // The kernel adds a prefix route for every address; when tapd adds the same route itself
    // (with its own protocol number) the address is added without one (IFA_F_NOPREFIXROUTE).
    bool no_prefix_route = false;
};

// RTM_NEWADDR with NLM_F_CREATE|NLM_F_EXCL|NLM_F_ACK: IFA_LOCAL and IFA_ADDRESS both ADDRESS;
// IPv6 with IFA_F_NODAD; IFA_F_NOPREFIXROUTE (in IFA_FLAGS, past ifa_flags' 8 bits) if asked.
NlRequest add_address_request(int ifindex, const Prefix& address, AddressOptions options,
                              uint32_t seq);
// RTM_DELADDR with NLM_F_ACK for the same address.
NlRequest delete_address_request(int ifindex, const Prefix& address, uint32_t seq);

}  // namespace tapd
