// xtables state matches: their info decoded (pure), a rule dump that finds them, and the listing
// annotated with their nft equivalents.
#include "xt_matches.hpp"

// Before the linux/ headers, so that theirs give way to glibc's (linux/libc-compat.h).
#include <netinet/in.h>

#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_state.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "unique_fd.hpp"

namespace tapd::xt {

namespace {

using json = nlohmann::json;

// The state bits common to conntrack's state_mask and state's statemask (XT_STATE_BIT).
std::optional<std::vector<std::string>> states_of(unsigned mask, unsigned untracked_bit) {
    std::vector<std::string> out;
    const std::pair<unsigned, const char*> bits[] = {
        {XT_CONNTRACK_STATE_INVALID, "invalid"},
        {XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED), "established"},
        {XT_CONNTRACK_STATE_BIT(IP_CT_RELATED), "related"},
        {XT_CONNTRACK_STATE_BIT(IP_CT_NEW), "new"},
        {untracked_bit, "untracked"}};
    for (const auto& [bit, name] : bits) {
        if (mask & bit) out.push_back(name);
        mask &= ~bit;
    }
    // SNAT/DNAT pseudo-states are no ct state: leave such a match a "maybe".
    if (mask != 0 || out.empty()) return std::nullopt;
    return out;
}

// conntrack revisions 1-3 share the layout up to state_mask; 1 has 8-bit masks, 2 and 3 16-bit.
template <typename Info>
std::optional<std::vector<std::string>> conntrack_states(const void* info, size_t len) {
    if (len < sizeof(Info)) return std::nullopt;
    Info i;
    std::memcpy(&i, info, sizeof i);
    unsigned flags = i.match_flags & ~unsigned(XT_CONNTRACK_STATE_ALIAS);
    if (flags != XT_CONNTRACK_STATE || (i.invert_flags & XT_CONNTRACK_STATE)) return std::nullopt;
    return states_of(i.state_mask, XT_CONNTRACK_STATE_UNTRACKED);
}

struct Dump {
    RuleMatches out;
};

int on_expr(nftnl_expr* e, void* data) {
    auto* found = static_cast<std::vector<std::optional<std::vector<std::string>>>*>(data);
    const char* kind = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
    if (!kind || std::strcmp(kind, "match") != 0) return MNL_CB_OK;
    const char* name = nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME);
    uint32_t len = 0;
    const void* info = nftnl_expr_get(e, NFTNL_EXPR_MT_INFO, &len);
    found->push_back(name && info
                         ? match_states(name, nftnl_expr_get_u32(e, NFTNL_EXPR_MT_REV), info, len)
                         : std::nullopt);
    return MNL_CB_OK;
}

int on_rule(const nlmsghdr* nlh, void* data) {
    auto* dump = static_cast<Dump*>(data);
    std::unique_ptr<nftnl_rule, void (*)(const nftnl_rule*)> r(nftnl_rule_alloc(), nftnl_rule_free);
    if (!r || nftnl_rule_nlmsg_parse(nlh, r.get()) < 0) return MNL_CB_OK;
    std::vector<std::optional<std::vector<std::string>>> found;
    nftnl_expr_foreach(r.get(), on_expr, &found);
    const char* table = nftnl_rule_get_str(r.get(), NFTNL_RULE_TABLE);
    if (!found.empty() && table)
        dump->out[{table, nftnl_rule_get_u64(r.get(), NFTNL_RULE_HANDLE)}] = std::move(found);
    return MNL_CB_OK;
}

}  // namespace

std::optional<std::vector<std::string>> match_states(const std::string& name, uint32_t rev,
                                                     const void* info, size_t len) {
    if (name == "conntrack" && rev == 1) return conntrack_states<xt_conntrack_mtinfo1>(info, len);
    if (name == "conntrack" && rev == 2) return conntrack_states<xt_conntrack_mtinfo2>(info, len);
    if (name == "conntrack" && rev == 3) return conntrack_states<xt_conntrack_mtinfo3>(info, len);
    if (name == "state" && rev == 0 && len >= sizeof(xt_state_info)) {
        xt_state_info i;
        std::memcpy(&i, info, sizeof i);
        return states_of(i.statemask, XT_STATE_UNTRACKED);
    }
    return std::nullopt;
}

void annotate(json& ruleset, const RuleMatches& matches) {
    if (matches.empty() || !ruleset.is_object() || !ruleset.contains("nftables") ||
        !ruleset["nftables"].is_array())
        return;
    for (auto& item : ruleset["nftables"]) {
        if (!item.is_object() || !item.contains("rule") || !item["rule"].is_object()) continue;
        json& rule = item["rule"];
        if (rule.value("family", "") != "ip" || !rule.contains("expr") ||
            !rule["expr"].is_array() || !rule.contains("handle") ||
            !rule["handle"].is_number_unsigned())
            continue;
        auto it = matches.find({rule.value("table", ""), rule["handle"].get<uint64_t>()});
        if (it == matches.end()) continue;
        size_t n = 0;  // the xt matches of the rule, in order, as the dump gave them
        for (auto& e : rule["expr"]) {
            if (!e.is_object() || !e.contains("xt") || !e["xt"].is_object() ||
                e["xt"].value("type", "") != "match")
                continue;
            if (n >= it->second.size()) break;  // the rule changed between the two listings
            const auto& states = it->second[n++];
            std::string name = e["xt"].value("name", "");
            if (!states || (name != "conntrack" && name != "state")) continue;
            e = json{{"match",
                      {{"op", "in"}, {"left", {{"ct", {{"key", "state"}}}}}, {"right", *states}}}};
        }
    }
}

Result<RuleMatches> dump_ip_matches() {
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER));
    if (!fd) return errno_error(ErrorKind::Failed, "socket(NETLINK_NETFILTER)", errno);
    // A dump's datagrams grow up to 32 KiB (the kernel sizes them by the reader's last recv).
    std::vector<char> buf(32768);
    uint32_t seq = 1;
    nlmsghdr* nlh =
        nftnl_nlmsg_build_hdr(buf.data(), NFT_MSG_GETRULE, NFPROTO_IPV4, NLM_F_DUMP, seq);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd.get(), nlh, nlh->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
                 sizeof kernel) < 0)
        return errno_error(ErrorKind::Failed, "dumping ip rules", errno);
    Dump dump;
    // A dump ends with NLMSG_DONE (mnl_cb_run's MNL_CB_STOP); an error ends it too.
    for (;;) {
        ssize_t n = ::recv(fd.get(), buf.data(), buf.size(), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno_error(ErrorKind::Failed, "reading the ip rule dump", errno);
        int r = mnl_cb_run(buf.data(), static_cast<size_t>(n), seq, 0, on_rule, &dump);
        if (r == MNL_CB_STOP) break;
        if (r < 0)  // EINTR: interrupted by a change (NLM_F_DUMP_INTR); the next listing retries
            return errno_error(ErrorKind::Failed, "reading the ip rule dump", errno);
    }
    return std::move(dump.out);
}

}  // namespace tapd::xt
