// Element operations for sets masq4, taps, rawallow and map guardmode, and their libnftnl sender.
#include "nft_elements.hpp"

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

#include "profile.hpp"

namespace tapd::nft {

static Element ipv4_key(uint32_t host_order, uint32_t flags) {
    Element e;
    for (int shift = 24; shift >= 0; shift -= 8) e.key.push_back(uint8_t(host_order >> shift));
    e.flags = flags;
    return e;
}

// IFNAMSIZ bytes, zero-padded: nft's ifname type is a 16-byte string.
static void append_ifname(std::vector<uint8_t>& key, const std::string& name) {
    size_t at = key.size();
    key.resize(at + 16, 0);
    std::memcpy(key.data() + at, name.data(), std::min<size_t>(name.size(), 15));
}

ElementBatch masquerade_elements(bool add, const MasqueradeEntry& entry) {
    ElementBatch out{{[add, entry] { return masquerade_batch(add, entry); }},
                     std::vector<ElementOp>{}};
    auto& ops = *out.ops;
    for (const auto& p : entry.subnets) {
        uint32_t start = 0;
        for (int i = 0; i < 4; ++i) start = start << 8 | p.address.bytes[i];
        uint64_t end = uint64_t(start) + (uint64_t(1) << (32 - p.length));
        // nft encodes a prefix at 0.0.0.0 without its leading end element, and one reaching
        // 255.255.255.255 as an open interval with userdata; tapd never masquerades either, so
        // such a change is left to libnftables rather than imitated here.
        if (p.address.family != AF_INET || start == 0 || end > 0xffffffffu) {
            out.ops.reset();
            return out;
        }
        ElementOp op{add, "masq4", {}, p.str()};
        // nft puts an interval-end element at 0.0.0.0 into an interval set with its first
        // element (the gap below the first interval) and never deletes it; re-adding it is a
        // no-op, so every add carries it and the kernel holds what nft would have left.
        if (add && ops.empty()) op.elems.push_back(ipv4_key(0, NFT_SET_ELEM_INTERVAL_END));
        op.elems.push_back(ipv4_key(start, 0));
        op.elems.push_back(ipv4_key(uint32_t(end), NFT_SET_ELEM_INTERVAL_END));
        ops.push_back(std::move(op));
    }
    ElementOp tap{add, "taps", {Element{}}, entry.ifname};
    append_ifname(tap.elems[0].key, entry.ifname);
    ops.push_back(std::move(tap));
    return out;
}

ElementBatch raw_elements(bool add, const RawEntry& entry) {
    // mark . ifname: the mark in host order (meta mark loads it so), then the 16-byte name.
    Element e;
    e.key.resize(4);
    std::memcpy(e.key.data(), &entry.mark, 4);
    append_ifname(e.key, entry.ifname);
    ElementOp op{
        add, "rawallow", {std::move(e)}, std::to_string(entry.mark) + " . " + entry.ifname};
    return ElementBatch{{[add, entry] { return raw_batch(add, entry); }},
                        std::vector<ElementOp>{std::move(op)}};
}

ElementBatch guard_elements(bool on) {
    // nf_proto is one byte: NFPROTO_IPV4.
    Element e{{uint8_t(NFPROTO_IPV4)}, 0, "guard4"};
    ElementOp op{on, "guardmode", {std::move(e)}, "ipv4 : jump guard4"};
    return ElementBatch{{[on] { return guard_batch(on); }}, std::vector<ElementOp>{std::move(op)}};
}

std::optional<std::vector<ElementOp>> table_elements(const TableState& state) {
    std::vector<ElementOp> out;
    // DELSETELEM without elements flushes a set ("nft flush set").
    for (const char* set : {"masq4", "taps", "rawallow", "guardmode"})
        out.push_back({false, set, {}, "every element"});
    // Elements to add, a few hundred per message: a message's element list is one netlink
    // attribute, whose length is 16 bits.
    constexpr size_t kPerMessage = 256;
    std::map<std::string, size_t> open;  // set -> index in OUT of the message being filled
    bool zero_end = false;               // masq4's interval end at 0.0.0.0, once
    auto add = [&](const ElementOp& op) {
        auto it = open.find(op.set);
        if (it == open.end() || out[it->second].elems.size() >= kPerMessage) {
            out.push_back({true, op.set, {}, ""});
            it = open.insert_or_assign(op.set, out.size() - 1).first;
        }
        ElementOp& msg = out[it->second];
        for (const auto& e : op.elems) {
            bool is_zero_end = op.set == "masq4" && e.flags == NFT_SET_ELEM_INTERVAL_END &&
                               e.key == std::vector<uint8_t>(4, 0);
            if (is_zero_end && std::exchange(zero_end, true)) continue;
            msg.elems.push_back(e);
        }
        // Errors name the message's first element, then "..." (a message holds hundreds).
        if (msg.what.empty())
            msg.what = op.what;
        else if (!msg.what.ends_with(" ..."))
            msg.what += " ...";
    };
    for (const auto& entry : state.entries) {
        auto batch = masquerade_elements(true, entry);
        if (!batch.ops) return std::nullopt;
        for (const auto& op : *batch.ops) add(op);
    }
    // Each batch named: a range-for over a member of a temporary would dangle (C++20).
    if (state.guard) {
        auto guard = guard_elements(true);
        for (const auto& op : *guard.ops) add(op);
    }
    for (const auto& raw : state.raw) {
        auto batch = raw_elements(true, raw);
        for (const auto& op : *batch.ops) add(op);
    }
    return out;
}

nlohmann::json ElementBatch::json() const {
    nlohmann::json out{{"nftables", nlohmann::json::array()}};
    for (const auto& part : json_parts) {
        nlohmann::json j = part();
        for (auto& c : j["nftables"]) out["nftables"].push_back(std::move(c));
    }
    return out;
}

void ElementBatch::join(ElementBatch&& more) {
    json_parts.insert(json_parts.end(), std::make_move_iterator(more.json_parts.begin()),
                      std::make_move_iterator(more.json_parts.end()));
    if (!more.ops)
        ops.reset();
    else if (ops)
        ops->insert(ops->end(), std::make_move_iterator(more.ops->begin()),
                    std::make_move_iterator(more.ops->end()));
}

ElementBatch join_elements(std::initializer_list<ElementBatch> batches) {
    ElementBatch out{{}, std::vector<ElementOp>{}};
    for (ElementBatch b : batches) out.join(std::move(b));
    return out;
}

}  // namespace tapd::nft

namespace tapd {

Result<std::unique_ptr<NftElementSocket>> NftElementSocket::open() {
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER));
    if (!fd) return errno_error(ErrorKind::Failed, "socket(NETLINK_NETFILTER)", errno);
    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
        return errno_error(ErrorKind::Failed, "bind(NETLINK_NETFILTER)", errno);
    socklen_t len = sizeof addr;
    if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) < 0)
        return errno_error(ErrorKind::Failed, "getsockname(NETLINK_NETFILTER)", errno);
    // An error ack without the request it answers (which can be a large element message).
    int one = 1;
    ::setsockopt(fd.get(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    return std::unique_ptr<NftElementSocket>(new NftElementSocket(std::move(fd), addr.nl_pid));
}

namespace {
struct SetDeleter {
    void operator()(nftnl_set* s) const { nftnl_set_free(s); }
};
}  // namespace

// Errors with which the kernel refuses an element itself; nft would get the same.
static bool element_refusal(int err) {
    return err == ENOENT || err == EEXIST || err == ENOTEMPTY || err == EBUSY || err == ENOSPC ||
           err == E2BIG || err == ENFILE;
}

Status NftElementSocket::apply(const std::vector<nft::ElementOp>& ops, bool* refused) {
    *refused = false;
    if (ops.empty()) return {};
    // Room for every message: a header each, and per element its key, flags and verdict.
    size_t need = 4096;
    for (const auto& op : ops) {
        need += 256 + op.set.size();
        for (const auto& e : op.elems) need += 96 + e.key.size() + e.jump.size();
    }
    // A call's buffers stay from call to call (a create's batch takes 16 KiB): a fresh
    // allocation of that size searched glibc's free chunks, which a host of 1,000 taps leaves
    // many of. A larger batch (a start's refill) has its own, gone with the call.
    size_t bytes = std::max<size_t>(need, MNL_SOCKET_BUFFER_SIZE * 2);
    std::vector<char> large;
    std::vector<char>& buf = bytes <= kKeptBytes ? send_buf_ : large;
    buf.resize(bytes);
    // A batch is one datagram: the socket's send buffer must hold it (SO_SNDBUFFORCE: tapd has
    // CAP_NET_ADMIN; the plain SO_SNDBUF is capped by net.core.wmem_max).
    if (buf.size() > sndbuf_) {
        int size = static_cast<int>(buf.size());
        if (::setsockopt(fd_.get(), SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0 &&
            ::setsockopt(fd_.get(), SOL_SOCKET, SO_SNDBUF, &size, sizeof size) < 0)
            return errno_error(ErrorKind::Failed, "nf_tables batch: SO_SNDBUF", errno);
        sndbuf_ = buf.size();
    }
    mnl_nlmsg_batch* batch = mnl_nlmsg_batch_start(buf.data(), buf.size());
    if (!batch) return make_error(ErrorKind::Failed, "nf_tables batch: out of memory");
    uint32_t first = seq_ + 1;
    nftnl_batch_begin(static_cast<char*>(mnl_nlmsg_batch_current(batch)), ++seq_);
    mnl_nlmsg_batch_next(batch);
    for (const auto& op : ops) {
        std::unique_ptr<nftnl_set, SetDeleter> set(nftnl_set_alloc());
        if (!set) {
            mnl_nlmsg_batch_stop(batch);
            return make_error(ErrorKind::Failed, "nftnl_set_alloc: out of memory");
        }
        nftnl_set_set_str(set.get(), NFTNL_SET_TABLE, nft::kTable);
        nftnl_set_set_str(set.get(), NFTNL_SET_NAME, op.set.c_str());
        for (const auto& el : op.elems) {
            nftnl_set_elem* e = nftnl_set_elem_alloc();
            if (!e) {
                mnl_nlmsg_batch_stop(batch);
                return make_error(ErrorKind::Failed, "nftnl_set_elem_alloc: out of memory");
            }
            nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, el.key.data(), el.key.size());
            if (el.flags) nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, el.flags);
            if (!el.jump.empty()) {
                nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, uint32_t(NFT_JUMP));
                nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, el.jump.c_str());
            }
            nftnl_set_elem_add(set.get(), e);  // the set owns it now
        }
        uint16_t type = op.add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM;
        uint16_t flags = NLM_F_ACK | (op.add ? NLM_F_CREATE : 0);
        nlmsghdr* nlh = nftnl_nlmsg_build_hdr(static_cast<char*>(mnl_nlmsg_batch_current(batch)),
                                              type, NFPROTO_INET, flags, ++seq_);
        nftnl_set_elems_nlmsg_build_payload(nlh, set.get());
        if (!mnl_nlmsg_batch_next(batch)) {
            mnl_nlmsg_batch_stop(batch);
            return make_error(ErrorKind::Failed, "nf_tables batch: too many elements");
        }
    }
    nftnl_batch_end(static_cast<char*>(mnl_nlmsg_batch_current(batch)), ++seq_);
    mnl_nlmsg_batch_next(batch);
    uint32_t last = seq_;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    ssize_t sent;
    {
        KernelCall call;  // the kernel applies the whole batch in here
        sent = ::sendto(fd_.get(), mnl_nlmsg_batch_head(batch), mnl_nlmsg_batch_size(batch), 0,
                        reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
    }
    size_t size = mnl_nlmsg_batch_size(batch);
    mnl_nlmsg_batch_stop(batch);
    if (sent < 0 || size_t(sent) != size)
        return errno_error(ErrorKind::Failed, "sending nf_tables batch", errno);

    // The kernel handles the batch inside sendto, so its acks are queued already; the poll
    // only guards against a kernel that would not answer at all.
    size_t acked = 0;
    Status first_error;
    std::vector<char>& rbuf = recv_buf_;
    rbuf.resize(MNL_SOCKET_BUFFER_SIZE);
    while (acked < ops.size()) {
        ssize_t n;
        {
            KernelCall call;
            n = ::recv(fd_.get(), rbuf.data(), rbuf.size(), MSG_DONTWAIT);
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
            pollfd p{fd_.get(), POLLIN, 0};
            int r;
            {
                KernelCall call;  // waiting for the kernel's acks
                r = ::poll(&p, 1, 1000);
            }
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            continue;
        }
        if (n < 0) return errno_error(ErrorKind::Failed, "reading nf_tables acks", errno);
        for (auto* nlh = reinterpret_cast<nlmsghdr*>(rbuf.data()); NLMSG_OK(nlh, size_t(n));
             nlh = NLMSG_NEXT(nlh, n)) {
            if (nlh->nlmsg_seq < first || nlh->nlmsg_seq > last) continue;  // a stale reply
            if (nlh->nlmsg_type != NLMSG_ERROR) continue;
            auto* err = static_cast<nlmsgerr*>(NLMSG_DATA(nlh));
            uint32_t index = nlh->nlmsg_seq - first;  // 0 is BATCH_BEGIN
            if (index >= 1 && index <= ops.size()) ++acked;
            if (err->error == 0 || !first_error) continue;
            int e = -err->error;
            if (index >= 1 && index <= ops.size()) {
                const auto& op = ops[index - 1];
                *refused = element_refusal(e);
                first_error =
                    errno_error(ErrorKind::Failed,
                                std::string(op.add ? "adding " : "deleting ") + "element " +
                                    op.what + (op.add ? " to" : " from") + " set " + op.set,
                                e);
            } else {
                first_error = errno_error(ErrorKind::Failed, "nf_tables batch refused", e);
            }
            if (!*refused) return first_error;  // no need to wait for the rest
        }
    }
    if (!first_error) return first_error;
    if (acked < ops.size())
        return make_error(ErrorKind::Failed, "nf_tables batch: " + std::to_string(acked) + " of " +
                                                 std::to_string(ops.size()) + " acks received");
    return {};
}

}  // namespace tapd
