// Route operations: one request each, or one dump.
#include "route.hpp"

#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>

namespace tapd {

Status add_route(NlSocket& nl, int ifindex, const Prefix& p) {
    uint32_t seq = nl.next_seq();
    return ack(nl, add_route_request(ifindex, p, seq).bytes(), seq, "adding route " + p.str());
}

Status delete_route(NlSocket& nl, int ifindex, const Prefix& p) {
    uint32_t seq = nl.next_seq();
    auto st =
        ack(nl, delete_route_request(ifindex, p, seq).bytes(), seq, "deleting route " + p.str());
    if (!st && (st.error().err == ENOENT || st.error().err == ESRCH || st.error().err == ENODEV ||
                st.error().err == EADDRNOTAVAIL))
        return {};
    return st;
}

Result<std::vector<RouteEntry>> list_routes(NlSocket& nl) {
    std::vector<RouteEntry> out;
    rtmsg request{};
    request.rtm_family = AF_UNSPEC;
    auto each = [&](const NlMessage& m) {
        if (auto r = parse_route(m)) out.push_back(*r);
    };
    if (auto st = dump(
            nl, RTM_GETROUTE, nl_bytes(&request, sizeof request), each, [&] { out.clear(); },
            "listing routes");
        !st)
        return st.error();
    return out;
}

}  // namespace tapd
