// dump_set: one NFT_MSG_GETSETELEM dump on a socket of its own; sets_hold: the comparison.
#include "nft_set_dump.hpp"

// Before the linux/ headers, so that theirs give way to glibc's (linux/libc-compat.h).
#include <netinet/in.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <tuple>

#include "unique_fd.hpp"

namespace tapd::nft {

namespace {
struct SetDeleter {
    void operator()(nftnl_set* s) const { nftnl_set_free(s); }
};
struct IterDeleter {
    void operator()(nftnl_set_elems_iter* i) const { nftnl_set_elems_iter_destroy(i); }
};
struct Dump {
    nftnl_set* set;
    bool interrupted = false;
};
int on_elements(const nlmsghdr* nlh, void* data) {
    auto* d = static_cast<Dump*>(data);
    if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) d->interrupted = true;
    return nftnl_set_elems_nlmsg_parse(nlh, d->set) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}
}  // namespace

Result<std::vector<Element>> dump_set(const std::string& name) {
    const std::string what = "nf_tables: listing set " + name + " of table inet " + kTable;
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER));
    if (!fd) return errno_error(ErrorKind::Failed, what + ": socket", errno);
    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;
    socklen_t len = sizeof addr;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 ||
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) < 0)
        return errno_error(ErrorKind::Failed, what + ": bind", errno);
    std::unique_ptr<nftnl_set, SetDeleter> set(nftnl_set_alloc());
    if (!set) return make_error(ErrorKind::Failed, what + ": out of memory");
    nftnl_set_set_str(set.get(), NFTNL_SET_TABLE, kTable);
    nftnl_set_set_str(set.get(), NFTNL_SET_NAME, name.c_str());
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE * 4);
    const uint32_t seq = 1;
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.data(), NFT_MSG_GETSETELEM, NFPROTO_INET,
                                          NLM_F_DUMP | NLM_F_ACK, seq);
    nftnl_set_elems_nlmsg_build_payload(nlh, set.get());
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd.get(), nlh, nlh->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
                 sizeof kernel) < 0)
        return errno_error(ErrorKind::Failed, what, errno);
    Dump dump{set.get()};
    for (;;) {
        ssize_t n = ::recv(fd.get(), buf.data(), buf.size(), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno_error(ErrorKind::Failed, what, errno);
        int r =
            mnl_cb_run(buf.data(), static_cast<size_t>(n), seq, addr.nl_pid, on_elements, &dump);
        if (r == MNL_CB_STOP) break;
        if (r == MNL_CB_ERROR) return errno_error(ErrorKind::Failed, what, errno);
    }
    if (dump.interrupted)
        return make_error(ErrorKind::Failed, what + ": interrupted by a change (NLM_F_DUMP_INTR)");
    std::vector<Element> out;
    std::unique_ptr<nftnl_set_elems_iter, IterDeleter> it(nftnl_set_elems_iter_create(set.get()));
    if (!it) return make_error(ErrorKind::Failed, what + ": out of memory");
    for (nftnl_set_elem* e = nftnl_set_elems_iter_next(it.get()); e;
         e = nftnl_set_elems_iter_next(it.get())) {
        Element el;
        uint32_t klen = 0;
        const void* key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &klen);
        if (key)
            el.key.assign(static_cast<const uint8_t*>(key),
                          static_cast<const uint8_t*>(key) + klen);
        if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS))
            el.flags = nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS);
        if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_CHAIN))
            el.jump = nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_CHAIN);
        out.push_back(std::move(el));
    }
    return out;
}

static auto as_tuple(const Element& e) {
    return std::tie(e.key, e.flags, e.jump);
}

bool sets_hold(const std::vector<ElementOp>& ops,
               const std::vector<std::pair<std::string, std::vector<Element>>>& held) {
    std::map<std::string, std::vector<Element>> want;
    for (const auto& [set, elems] : held) want[set];  // a set with nothing to add holds nothing
    for (const auto& op : ops) {
        auto& w = want[op.set];
        if (op.add) w.insert(w.end(), op.elems.begin(), op.elems.end());
    }
    if (want.size() != held.size()) return false;  // a set to fill that was not dumped
    auto less = [](const Element& a, const Element& b) { return as_tuple(a) < as_tuple(b); };
    auto same = [](const Element& a, const Element& b) { return as_tuple(a) == as_tuple(b); };
    for (auto [set, elems] : held) {
        auto& w = want[set];
        std::sort(w.begin(), w.end(), less);
        std::sort(elems.begin(), elems.end(), less);
        if (!std::equal(w.begin(), w.end(), elems.begin(), elems.end(), same)) return false;
    }
    return true;
}

}  // namespace tapd::nft
