// ManagerObject's AttachNamespace: a caller's network namespace gets a veth pair with NAT.
#include "manager_object.hpp"
#include "names.hpp"
#include "replies.hpp"

namespace tapd {

namespace {

std::string joined(const std::vector<Prefix>& v) {
    std::string out;
    for (const auto& p : v) out += (out.empty() ? "" : ",") + p.str();
    return out;
}

}  // namespace

sdbus::ObjectPath ManagerObject::AttachNamespace(
    const sdbus::UnixFd& netns, const std::map<std::string, sdbus::Variant>& options) {
    Caller c = callers_.of(getObject());
    std::string args;
    require(c, "AttachNamespace", args, check_option_keys(getObject()));
    AttachOptions o = required(c, "AttachNamespace", args, parse_attach_options(options));
    IfName name = tap_name(c, "AttachNamespace", o.name);
    IfName peer = tap_name(c, "AttachNamespace", o.peer_name);
    args = log_arg("name", o.name) + log_arg("peer_name", o.peer_name) +
           log_arg("addresses", joined(o.addresses)) + log_arg("gateway", joined(o.gateways)) +
           " masquerade=" + (o.masquerade ? "1" : "0") +
           " persistent=" + (o.persistent ? "1" : "0");
    reply(c, "AttachNamespace", args,
          service_.attach_namespace(c, name, peer, netns.get(), std::move(o)).status());
    return names::tap_object_path(name.str());
}

}  // namespace tapd
