// Address operations: one request each, or one dump.
#include "address.hpp"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace tapd {

Status check_tap_address(const Prefix& p) {
    const auto& b = p.address.bytes;
    const char* kind = nullptr;
    if (p.address.family == AF_INET) {
        if (b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0)
            kind = "the unspecified address";
        else if (b[0] == 0)
            kind = "in 0.0.0.0/8 (this network, RFC 1122)";
        else if (b[0] == 127)
            kind = "a loopback address (127.0.0.0/8)";
        else if ((b[0] & 0xf0) == 224)
            kind = "a multicast address (224.0.0.0/4)";
        else if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)
            kind = "the limited broadcast address";
        else if ((b[0] & 0xf0) == 240)
            kind = "in 240.0.0.0/4 (reserved, RFC 1112)";
        else if (b[0] == 169 && b[1] == 254 && b[2] == 169 && b[3] == 254)
            kind = "the cloud metadata address";
    } else {
        bool zero_but_last = std::all_of(b.begin(), b.end() - 1, [](uint8_t x) { return x == 0; });
        bool mapped = std::all_of(b.begin(), b.begin() + 10, [](uint8_t x) { return x == 0; }) &&
                      b[10] == 0xff && b[11] == 0xff;
        static constexpr uint8_t kMetadata6[16] = {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0,    0,
                                                   0,    0,    0,    0,    0, 0, 0x02, 0x54};
        if (zero_but_last && b[15] == 0)
            kind = "the unspecified address";
        else if (zero_but_last && b[15] == 1)
            kind = "the loopback address";
        else if (b[0] == 0xff)
            kind = "a multicast address (ff00::/8)";
        else if (mapped)
            kind = "an IPv4-mapped address (::ffff:0:0/96)";
        else if (std::equal(b.begin(), b.end(), kMetadata6))
            kind = "the cloud metadata address";
    }
    if (!kind) return {};
    return make_error(ErrorKind::InvalidArgument, "address " + p.str() + " is " + kind +
                                                      ", which is never the address of a tap");
}

Status add_address(NlSocket& nl, int ifindex, const Prefix& p, AddressOptions options) {
    uint32_t seq = nl.next_seq();
    return ack(nl, add_address_request(ifindex, p, options, seq).bytes(), seq,
               "adding address " + p.str());
}

Status delete_address(NlSocket& nl, int ifindex, const Prefix& p) {
    uint32_t seq = nl.next_seq();
    auto st = ack(nl, delete_address_request(ifindex, p, seq).bytes(), seq,
                  "deleting address " + p.str());
    if (!st && (st.error().err == ENOENT || st.error().err == ESRCH || st.error().err == ENODEV ||
                st.error().err == EADDRNOTAVAIL))
        return {};
    return st;
}

Result<std::vector<InterfaceAddress>> list_addresses(NlSocket& nl) {
    std::vector<InterfaceAddress> out;
    ifaddrmsg request{};
    request.ifa_family = AF_UNSPEC;
    auto each = [&](const NlMessage& m) {
        if (auto a = parse_address(m)) out.push_back(*a);
    };
    if (auto st = dump(
            nl, RTM_GETADDR, nl_bytes(&request, sizeof request), each, [&] { out.clear(); },
            "listing addresses");
        !st)
        return st.error();
    return out;
}

}  // namespace tapd
