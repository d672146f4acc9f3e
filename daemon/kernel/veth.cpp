// Veth pairs into a caller's namespace, and the default route inside it.
#include "veth.hpp"

#include <linux/sockios.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <string>

#include "netns_owner.hpp"

namespace tapd {

Status create_veth(NlSocket& nl, const VethSpec& spec) {
    uint32_t seq = nl.next_seq();
    auto st = ack(
        nl, create_veth_request(spec, seq).bytes(), seq,
        "creating veth '" + spec.name + "' with peer '" + spec.peer_name + "' in the namespace");
    if (!st && st.error().err == EEXIST)
        return make_error(ErrorKind::Conflict, "interface '" + spec.name + "' or '" +
                                                   spec.peer_name +
                                                   "' (in the namespace) already exists");
    return st;
}

Status add_default_route(NlSocket& nl, int ifindex, const IpAddress& gateway) {
    uint32_t seq = nl.next_seq();
    return ack(nl, default_route_request(ifindex, gateway, seq).bytes(), seq,
               "adding the default route via " + gateway.str() + " in the namespace");
}

Result<std::unique_ptr<NlSocket>> namespace_socket(UniqueFd socket, int netns_fd) {
    auto nl = NlSocket::adopt(std::move(socket), kNamespaceSocketTimeoutMs);
    if (!nl) return nl;
    // SIOCGSKNS: the socket's own network namespace (needs CAP_NET_ADMIN over it, which tapd's
    // owner check has just established).
    UniqueFd its(::ioctl(nl.value()->fd(), SIOCGSKNS));
    if (!its) return errno_error(ErrorKind::Failed, "SIOCGSKNS on the netlink fd", errno);
    auto a = ns_id(its.get());
    auto b = ns_id(netns_fd);
    if (!a) return a.error();
    if (!b) return b.error();
    if (!(a.value() == b.value()))
        return make_error(ErrorKind::InvalidArgument,
                          "the netlink fd was opened in another network namespace than the one "
                          "to attach");
    return nl;
}

}  // namespace tapd
