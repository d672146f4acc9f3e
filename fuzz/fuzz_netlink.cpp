// libFuzzer target: the netlink reply parsers on arbitrary bytes, taken as one datagram: every
// message through parse_link/parse_address/parse_route, the notification parsers and the reply
// reader (as a dump, a get and an ack), the round trip parse(request(parse(x))) == parse(x) for
// addresses and routes, and the datagram as notifications applied to HostPrefixes.
#include <cstdint>
#include <cstdlib>

#include "address_messages.hpp"
#include "host_prefixes.hpp"
#include "link_messages.hpp"
#include "netlink_reader.hpp"
#include "route_messages.hpp"

using namespace tapd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    NlBytes datagram = nl_bytes(data, size);
    uint32_t seq = 0;
    for_each_message(datagram, [&](const NlMessage& m) {
        if (m.bytes().data() < datagram.data() ||
            m.bytes().data() + m.bytes().size() > datagram.data() + datagram.size())
            abort();  // a view must lie inside the datagram
        seq = m.seq();
        if (auto l = parse_link(m)) {
            if (l->tun && l->kind != "tun") abort();
        }
        if (auto a = parse_address(m)) {
            if (a->address.length > a->address.address.bits()) abort();
            auto request = add_address_request(a->ifindex, a->address, {}, 1);
            auto again = NlMessage::checked(request.bytes());
            // The request is an RTM_NEWADDR too: it must read back as the same address.
            if (!again) abort();
            auto back = parse_address(*again);
            if (!back || back->ifindex != a->ifindex || !(back->address == a->address)) abort();
        }
        if (auto r = parse_route(m)) {
            if (r->destination.length > r->destination.address.bits()) abort();
            auto request = add_route_request(r->ifindex, r->destination, 1);
            auto again = NlMessage::checked(request.bytes());
            if (!again) abort();
            auto back = parse_route(*again);
            if (!back || back->ifindex != r->ifindex || !(back->destination == r->destination))
                abort();
        }
        if (auto e = parse_address_event(m); e && e.value()) {
            const auto& a = e.value()->address.address;
            if (a.length > a.address.bits()) abort();
            if (!e.value()->removed && !parse_address(m)) abort();  // the same reading
        }
        if (auto e = parse_route_event(m); e && e.value()) {
            if (e.value()->ifindexes.empty()) abort();
            if (e.value()->destination.length > e.value()->destination.address.bits()) abort();
            auto r = parse_route(m);
            if (!e.value()->removed && (!r || !(r->destination == e.value()->destination))) abort();
        }
    });
    HostPrefixes prefixes;
    prefixes.apply(datagram);
    for (const char* w : {"10.0.0.0/8", "192.168.69.0/24", "fdaa::/64", "128.0.0.0/1", "8000::/1"})
        (void)prefixes.find_conflict(parse_network(w).value(), 0);
    size_t passed = 0;
    for (auto kind : {ReplyReader::Kind::Dump, ReplyReader::Kind::Get, ReplyReader::Kind::Ack}) {
        ReplyReader reader(kind, seq);
        auto state = reader.feed(datagram, [&](const NlMessage& m) {
            if (m.seq() != seq) abort();  // only this request's answers
            ++passed;
        });
        if (state == ReplyReader::State::Failed && reader.error() < 0) abort();
        if (state != ReplyReader::State::Failed && reader.error() != 0) abort();
    }
    if (passed > size / NLMSG_HDRLEN * 3) abort();
    return 0;
}
