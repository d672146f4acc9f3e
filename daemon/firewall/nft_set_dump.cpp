// netfilter_request, and on it dump_set and ruleset_generation; sets_hold: the comparison.
#include "nft_set_dump.hpp"

// Before the linux/ headers, so that theirs give way to glibc's (linux/libc-compat.h).
#include <netinet/in.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/gen.h>
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
struct GenDeleter {
    void operator()(nftnl_gen* g) const { nftnl_gen_free(g); }
};

// netfilter_request's state: the caller's callback, and whether a part said the dump was torn.
struct Request {
    mnl_cb_t on_data;
    void* data;
    bool interrupted = false;  // NLM_F_DUMP_INTR on a part or on NLMSG_DONE
};

int on_error(const nlmsghdr* nlh, void*) {
    if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) {
        errno = EBADMSG;
        return MNL_CB_ERROR;
    }
    int err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh))->error;
    if (err == 0) return MNL_CB_STOP;  // the ack
    errno = -err;
    return MNL_CB_ERROR;
}

int on_done(const nlmsghdr* nlh, void* data) {
    if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) static_cast<Request*>(data)->interrupted = true;
    if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
        int err = *static_cast<const int*>(mnl_nlmsg_get_payload(nlh));
        if (err < 0) {
            errno = -err;
            return MNL_CB_ERROR;
        }
    }
    return MNL_CB_STOP;
}

int on_part(const nlmsghdr* nlh, void* data) {
    auto* r = static_cast<Request*>(data);
    if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) r->interrupted = true;
    return r->on_data ? r->on_data(nlh, r->data) : MNL_CB_OK;
}

}  // namespace

Status netfilter_request(const std::string& what, const nlmsghdr* request, mnl_cb_t on_data,
                         void* data) {
    Request r{on_data, data};
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER));
    if (!fd) return errno_error(ErrorKind::Failed, what + ": socket", errno);
    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;
    socklen_t len = sizeof addr;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 ||
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) < 0)
        return errno_error(ErrorKind::Failed, what + ": bind", errno);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd.get(), request, request->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
                 sizeof kernel) < 0)
        return errno_error(ErrorKind::Failed, what, errno);
    mnl_cb_t control[NLMSG_MIN_TYPE] = {};
    control[NLMSG_ERROR] = on_error;
    control[NLMSG_DONE] = on_done;
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE * 4);
    for (;;) {
        ssize_t n = ::recv(fd.get(), buf.data(), buf.size(), MSG_TRUNC);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno_error(ErrorKind::Failed, what, errno);
        if (static_cast<size_t>(n) > buf.size())
            return make_error(ErrorKind::Failed, what + ": a reply larger than its buffer");
        int rc = mnl_cb_run2(buf.data(), static_cast<size_t>(n), request->nlmsg_seq, addr.nl_pid,
                             on_part, &r, control, NLMSG_MIN_TYPE);
        if (rc == MNL_CB_STOP) break;
        if (rc == MNL_CB_ERROR) return errno_error(ErrorKind::Failed, what, errno);
    }
    if (r.interrupted)
        return make_error(ErrorKind::Failed, what + ": interrupted by a change (NLM_F_DUMP_INTR)");
    return {};
}

namespace {

int on_elements(const nlmsghdr* nlh, void* set) {
    return nftnl_set_elems_nlmsg_parse(nlh, static_cast<nftnl_set*>(set)) < 0 ? MNL_CB_ERROR
                                                                              : MNL_CB_OK;
}

int on_generation(const nlmsghdr* nlh, void* gen) {
    return nftnl_gen_nlmsg_parse(nlh, static_cast<nftnl_gen*>(gen)) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}
}  // namespace

Result<uint32_t> ruleset_generation() {
    const std::string what = "nf_tables: getting the ruleset's generation";
    std::unique_ptr<nftnl_gen, GenDeleter> gen(nftnl_gen_alloc());
    if (!gen) return make_error(ErrorKind::Failed, what + ": out of memory");
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.data(), NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK, 1);
    if (auto st = netfilter_request(what, nlh, on_generation, gen.get()); !st) return st.error();
    if (!nftnl_gen_is_set(gen.get(), NFTNL_GEN_ID))
        return make_error(ErrorKind::Failed, what + ": no generation in the reply");
    return nftnl_gen_get_u32(gen.get(), NFTNL_GEN_ID);
}

Result<std::vector<Element>> dump_set(const std::string& name) {
    const std::string what = "nf_tables: listing set " + name + " of table inet " + kTable;
    std::unique_ptr<nftnl_set, SetDeleter> set(nftnl_set_alloc());
    if (!set) return make_error(ErrorKind::Failed, what + ": out of memory");
    nftnl_set_set_str(set.get(), NFTNL_SET_TABLE, kTable);
    nftnl_set_set_str(set.get(), NFTNL_SET_NAME, name.c_str());
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.data(), NFT_MSG_GETSETELEM, NFPROTO_INET,
                                          NLM_F_DUMP | NLM_F_ACK, 1);
    nftnl_set_elems_nlmsg_build_payload(nlh, set.get());
    if (auto st = netfilter_request(what, nlh, on_elements, set.get()); !st) return st.error();
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
        // tapd's map only jumps: any other verdict (goto, a bare accept) is no element of its.
        if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_VERDICT)) {
            auto verdict = static_cast<int32_t>(nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_VERDICT));
            if (verdict != NFT_JUMP) el.jump = "verdict " + std::to_string(verdict) + " " + el.jump;
        }
        out.push_back(std::move(el));
    }
    return out;
}

static auto as_tuple(const Element& e) {
    return std::tie(e.key, e.flags, e.jump);
}

bool sets_hold(const std::vector<ElementOp>& ops,
               std::vector<std::pair<std::string, std::vector<Element>>> held) {
    std::map<std::string, std::vector<Element>> want;
    for (const auto& [set, elems] : held) want[set];  // a set with nothing to add holds nothing
    for (const auto& op : ops) {
        auto& w = want[op.set];
        if (op.add) w.insert(w.end(), op.elems.begin(), op.elems.end());
    }
    if (want.size() != held.size()) return false;  // a set to fill that was not dumped
    auto less = [](const Element& a, const Element& b) { return as_tuple(a) < as_tuple(b); };
    auto same = [](const Element& a, const Element& b) { return as_tuple(a) == as_tuple(b); };
    for (auto& [set, elems] : held) {
        auto& w = want[set];
        std::sort(w.begin(), w.end(), less);
        std::sort(elems.begin(), elems.end(), less);
        if (!std::equal(w.begin(), w.end(), elems.begin(), elems.end(), same)) return false;
    }
    return true;
}

}  // namespace tapd::nft
