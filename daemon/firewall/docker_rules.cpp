// tapd's rules in Docker's DOCKER-USER chain: the pure builders and the owner that keeps them.
#include "docker_rules.hpp"

// Before the linux/ headers, so that theirs give way to glibc's (linux/libc-compat.h).
#include <netinet/in.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_conntrack.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "log.hpp"

namespace tapd::docker {

using nlohmann::json;

std::string comment(const std::string& tap) {
    return kCommentPrefix + tap;
}

Listed parse_listing(const json& listed) {
    Listed out;
    if (!listed.is_object() || !listed.contains("nftables") || !listed["nftables"].is_array())
        return out;
    for (const auto& item : listed["nftables"]) {
        if (item.contains("chain") && item["chain"].value("table", "") == kTable &&
            item["chain"].value("name", "") == kChain)
            out.chain = true;
        if (!item.contains("rule")) continue;
        const auto& r = item["rule"];
        if (r.value("chain", "") != kChain) continue;
        std::string c = r.contains("comment") && r["comment"].is_string()
                            ? r["comment"].get<std::string>()
                            : std::string();
        if (c.rfind(kCommentPrefix, 0) != 0 || !r.contains("handle")) {
            ++out.others;
            continue;
        }
        out.handles[c.substr(std::strlen(kCommentPrefix))].push_back(r["handle"].get<uint64_t>());
    }
    return out;
}

json delete_batch(const std::vector<uint64_t>& handles) {
    json cmds = json::array();
    for (uint64_t h : handles)
        cmds.push_back(
            {{"delete",
              {{"rule",
                {{"family", kFamily}, {"table", kTable}, {"chain", kChain}, {"handle", h}}}}}});
    return json{{"nftables", cmds}};
}

void RuleDeleter::operator()(nftnl_rule* r) const {
    nftnl_rule_free(r);
}

namespace {

// meta load KEY => reg 1; cmp eq reg 1 NAME (with its NUL, as iptables-nft matches -i/-o).
bool add_ifname(nftnl_rule* r, uint32_t key, const std::string& name) {
    nftnl_expr* meta = nftnl_expr_alloc("meta");
    nftnl_expr* cmp = nftnl_expr_alloc("cmp");
    if (!meta || !cmp) {
        if (meta) nftnl_expr_free(meta);
        if (cmp) nftnl_expr_free(cmp);
        return false;
    }
    nftnl_expr_set_u32(meta, NFTNL_EXPR_META_KEY, key);
    nftnl_expr_set_u32(meta, NFTNL_EXPR_META_DREG, NFT_REG_1);
    nftnl_rule_add_expr(r, meta);
    nftnl_expr_set_u32(cmp, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
    nftnl_expr_set_u32(cmp, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
    nftnl_expr_set(cmp, NFTNL_EXPR_CMP_DATA, name.c_str(), name.size() + 1);
    nftnl_rule_add_expr(r, cmp);
    return true;
}

// The xtables match "-m conntrack --ctstate RELATED,ESTABLISHED" (revision 3, as iptables 1.8.9
// writes it).
bool add_ctstate(nftnl_rule* r) {
    nftnl_expr* mt = nftnl_expr_alloc("match");
    if (!mt) return false;
    size_t size = XT_ALIGN(sizeof(xt_conntrack_mtinfo3));
    // libnftnl takes the info's ownership and frees it with free().
    auto* info = static_cast<xt_conntrack_mtinfo3*>(std::calloc(1, size));
    if (!info) {
        nftnl_expr_free(mt);
        return false;
    }
    info->match_flags = XT_CONNTRACK_STATE;
    info->state_mask =
        XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED) | XT_CONNTRACK_STATE_BIT(IP_CT_RELATED);
    nftnl_expr_set_str(mt, NFTNL_EXPR_MT_NAME, "conntrack");
    nftnl_expr_set_u32(mt, NFTNL_EXPR_MT_REV, 3);
    nftnl_expr_set(mt, NFTNL_EXPR_MT_INFO, info, static_cast<uint32_t>(size));
    nftnl_rule_add_expr(r, mt);
    return true;
}

// counter; accept (iptables-nft gives every rule a counter: `iptables -L -v` shows it).
bool add_accept(nftnl_rule* r) {
    nftnl_expr* counter = nftnl_expr_alloc("counter");
    nftnl_expr* verdict = nftnl_expr_alloc("immediate");
    if (!counter || !verdict) {
        if (counter) nftnl_expr_free(counter);
        if (verdict) nftnl_expr_free(verdict);
        return false;
    }
    nftnl_rule_add_expr(r, counter);
    nftnl_expr_set_u32(verdict, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
    nftnl_expr_set_u32(verdict, NFTNL_EXPR_IMM_VERDICT, NF_ACCEPT);
    nftnl_rule_add_expr(r, verdict);
    return true;
}

// The comment as nft and iptables-nft store it: the rule's user data.
bool add_comment(nftnl_rule* r, const std::string& text) {
    nftnl_udata_buf* buf = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
    if (!buf) return false;
    bool ok = nftnl_udata_put_strz(buf, NFTNL_UDATA_RULE_COMMENT, text.c_str());
    if (ok)
        nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(buf),
                            nftnl_udata_buf_len(buf));
    nftnl_udata_buf_free(buf);
    return ok;
}

RulePtr new_rule(const std::string& tap, bool reply) {
    RulePtr r(nftnl_rule_alloc());
    if (!r) return r;
    nftnl_rule_set_u32(r.get(), NFTNL_RULE_FAMILY, NFPROTO_IPV4);
    nftnl_rule_set_str(r.get(), NFTNL_RULE_TABLE, kTable);
    nftnl_rule_set_str(r.get(), NFTNL_RULE_CHAIN, kChain);
    bool ok = add_ifname(r.get(), reply ? NFT_META_OIFNAME : NFT_META_IIFNAME, tap) &&
              (!reply || add_ctstate(r.get())) && add_accept(r.get()) &&
              add_comment(r.get(), comment(tap));
    if (!ok) r.reset();
    return r;
}

}  // namespace

std::vector<RulePtr> tap_rules(const std::string& tap) {
    std::vector<RulePtr> out;
    out.push_back(new_rule(tap, true));
    out.push_back(new_rule(tap, false));
    return out;
}

}  // namespace tapd::docker

namespace tapd {

Result<std::unique_ptr<DockerRules>> DockerRules::open(NftTable& table) {
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER));
    if (!fd) return errno_error(ErrorKind::Failed, "socket(NETLINK_NETFILTER)", errno);
    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;
    socklen_t len = sizeof addr;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 ||
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) < 0)
        return errno_error(ErrorKind::Failed, "bind(NETLINK_NETFILTER)", errno);
    return std::unique_ptr<DockerRules>(new DockerRules(table, std::move(fd), addr.nl_pid));
}

Result<docker::Listed> DockerRules::list() {
    auto listed =
        table_.query(std::string("list chain ip ") + docker::kTable + " " + docker::kChain);
    if (listed) return docker::parse_listing(listed.value());
    // Absent (the usual case without Docker) or a real failure: the table's chains tell.
    auto chains = table_.query("list chains ip");
    if (!chains) return listed.error();
    if (docker::parse_listing(chains.value()).chain) return listed.error();
    return docker::Listed{};
}

bool DockerRules::sync(const std::set<std::string>& taps) {
    auto listed = list();
    if (!listed) {
        log::error("docker integration: " + listed.error().message);
        return false;
    }
    if (!listed->chain) {
        if (!taps.empty() && said_ != Said::NoChain)
            log::info(
                "docker integration: no chain DOCKER-USER in table ip filter (Docker not "
                "running?); nothing added, tapd adds its rules when Docker creates it");
        if (!taps.empty()) said_ = Said::NoChain;
        return false;
    }
    std::vector<uint64_t> stale;
    std::vector<std::string> missing;
    for (const auto& [tap, handles] : listed->handles)
        if (!taps.count(tap) || handles.size() != 2)
            stale.insert(stale.end(), handles.begin(), handles.end());
    for (const auto& tap : taps) {
        auto it = listed->handles.find(tap);
        if (it == listed->handles.end() || it->second.size() != 2) missing.push_back(tap);
    }
    bool changed = false;
    if (!stale.empty()) {
        auto st = table_.run(docker::delete_batch(stale), "deleting tapd's rules in DOCKER-USER");
        if (!st) log::error("docker integration: " + st.error().message);
        changed = true;  // a refused batch changed nothing, but a listing costs little
    }
    if (missing.empty()) return changed;
    if (listed->others == 0) {
        if (said_ != Said::Emptied)
            log::info(
                "docker integration: chain DOCKER-USER holds no rule of Docker's (being "
                "reset?); tapd adds its rules when Docker puts its own back");
        said_ = Said::Emptied;
        return changed;
    }
    said_ = Said::Nothing;
    if (auto st = add(missing); !st) {
        log::error("docker integration: " + st.error().message);
        return true;
    }
    std::string names;
    for (const auto& t : missing) names += (names.empty() ? "" : " ") + t;
    log::info("docker integration: accept rules for " + names +
              " in chain DOCKER-USER of table ip filter");
    return true;
}

Status DockerRules::add(const std::vector<std::string>& taps) {
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE * 2);
    mnl_nlmsg_batch* batch = mnl_nlmsg_batch_start(buf.data(), buf.size());
    if (!batch) return make_error(ErrorKind::Failed, "nf_tables batch: out of memory");
    uint32_t first = seq_ + 1;
    nftnl_batch_begin(static_cast<char*>(mnl_nlmsg_batch_current(batch)), ++seq_);
    mnl_nlmsg_batch_next(batch);
    size_t messages = 0;
    for (const auto& tap : taps) {
        for (auto& rule : docker::tap_rules(tap)) {
            if (!rule) {
                mnl_nlmsg_batch_stop(batch);
                return make_error(ErrorKind::Failed, "building the rules of " + tap);
            }
            // No NLM_F_APPEND: at the head of the chain, before Docker's "-j RETURN".
            nlmsghdr* nlh = nftnl_nlmsg_build_hdr(
                static_cast<char*>(mnl_nlmsg_batch_current(batch)), NFT_MSG_NEWRULE, NFPROTO_IPV4,
                NLM_F_CREATE | NLM_F_ACK, ++seq_);
            nftnl_rule_nlmsg_build_payload(nlh, rule.get());
            ++messages;
            if (!mnl_nlmsg_batch_next(batch)) {
                mnl_nlmsg_batch_stop(batch);
                return make_error(ErrorKind::Failed, "nf_tables batch: too many rules");
            }
        }
    }
    nftnl_batch_end(static_cast<char*>(mnl_nlmsg_batch_current(batch)), ++seq_);
    mnl_nlmsg_batch_next(batch);
    uint32_t last = seq_;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    size_t size = mnl_nlmsg_batch_size(batch);
    ssize_t sent = ::sendto(fd_.get(), mnl_nlmsg_batch_head(batch), size, 0,
                            reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
    mnl_nlmsg_batch_stop(batch);
    if (sent < 0 || size_t(sent) != size)
        return errno_error(ErrorKind::Failed, "sending the rules for DOCKER-USER", errno);
    // The batch is atomic: the first error is the answer; all acks otherwise.
    size_t acked = 0;
    std::vector<char> rbuf(MNL_SOCKET_BUFFER_SIZE);
    while (acked < messages) {
        pollfd p{fd_.get(), POLLIN, 0};
        int r = ::poll(&p, 1, 1000);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        ssize_t n = ::recv(fd_.get(), rbuf.data(), rbuf.size(), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno_error(ErrorKind::Failed, "reading nf_tables acks", errno);
        for (auto* nlh = reinterpret_cast<nlmsghdr*>(rbuf.data()); NLMSG_OK(nlh, size_t(n));
             nlh = NLMSG_NEXT(nlh, n)) {
            if (nlh->nlmsg_seq < first || nlh->nlmsg_seq > last) continue;
            if (nlh->nlmsg_type != NLMSG_ERROR) continue;
            auto* err = static_cast<nlmsgerr*>(NLMSG_DATA(nlh));
            if (err->error != 0)
                return errno_error(ErrorKind::Failed, "adding rules to chain DOCKER-USER",
                                   -err->error);
            ++acked;
        }
    }
    if (acked < messages)
        return make_error(ErrorKind::Failed,
                          "adding rules to chain DOCKER-USER: " + std::to_string(acked) + " of " +
                              std::to_string(messages) + " acks received");
    return {};
}

}  // namespace tapd
