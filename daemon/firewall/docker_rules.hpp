// Docker integration ("integrations": {"docker": true}): tapd's accept rules for its masquerading
// taps in Docker's chain DOCKER-USER of table ip filter, whose FORWARD policy Docker sets to drop
// (in nftables a drop in any base chain at a hook is final, so tapd's own accept cannot help).
//
// Theory of operation: per masquerading tap, two rules at the head of DOCKER-USER, both with the
// comment "tapd:<tap>" and made of what iptables-nft itself writes, so that `iptables -L`,
// `iptables-save` and Docker's own `iptables -C/-A/-D` keep working on the table:
//     -i TAP -m comment --comment tapd:TAP -j ACCEPT
//     -o TAP -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment tapd:TAP -j ACCEPT
// (a native nft "ct state" makes iptables-nft 1.8.9 refuse the whole chain as incompatible, so
// the state match is the xtables conntrack match, built here with libnftnl; libnftables cannot
// write xtables matches). tapd creates nothing of Docker's: without table ip filter and chain
// DOCKER-USER it does nothing and says so once. sync() compares the chain with the taps and adds
// what is missing, deletes what is tapd's and stale: it runs at each change of the masquerading
// taps and whenever someone else changed nf_tables (Docker's restart re-creates its chains).
// It adds only to a chain that holds a rule of someone else's (Docker's own "-j RETURN" at
// least): an emptied chain is being reset (`iptables -F; iptables -X` would fail on a chain
// that tapd filled in between), and Docker puts its RETURN back when it starts.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nft_table.hpp"
#include "result.hpp"
#include "unique_fd.hpp"

struct nftnl_rule;

namespace tapd::docker {

inline constexpr const char* kFamily = "ip";
inline constexpr const char* kTable = "filter";
inline constexpr const char* kChain = "DOCKER-USER";
inline constexpr const char* kCommentPrefix = "tapd:";

// The comment of TAP's rules: "tapd:TAP".
std::string comment(const std::string& tap);

// What DOCKER-USER holds of tapd's, from `nft -j list chain ip filter DOCKER-USER`.
struct Listed {
    bool chain = false;                                    // the chain was listed
    size_t others = 0;                                     // rules that are not tapd's
    std::map<std::string, std::vector<uint64_t>> handles;  // tapd's rules by tap, their handles
};
Listed parse_listing(const nlohmann::json& listed);

// Deletes the rules HANDLES of DOCKER-USER in one batch.
nlohmann::json delete_batch(const std::vector<uint64_t>& handles);

// TAP's two rules (see above) as libnftnl rules for NFT_MSG_NEWRULE in DOCKER-USER, the reply
// rule first; null pointers if out of memory.
struct RuleDeleter {
    void operator()(nftnl_rule* r) const;
};
using RulePtr = std::unique_ptr<nftnl_rule, RuleDeleter>;
std::vector<RulePtr> tap_rules(const std::string& tap);

}  // namespace tapd::docker

namespace tapd {

class DockerRules {
  public:
    // TABLE: tapd's libnftables context (listing and deletion); the rules are added through a
    // netlink socket of this object's own.
    static Result<std::unique_ptr<DockerRules>> open(NftTable& table);
    DockerRules(const DockerRules&) = delete;
    DockerRules& operator=(const DockerRules&) = delete;

    // Makes DOCKER-USER hold exactly TAPS' rules of tapd's (none when the integration is off),
    // if the chain exists; logs what it changed and every failure. True if it changed the chain
    // (its own notifications do not wake tapd: a listing of the ruleset is then out of date).
    bool sync(const std::set<std::string>& taps);

  private:
    DockerRules(NftTable& table, UniqueFd fd, uint32_t portid)
        : table_(table), fd_(std::move(fd)), portid_(portid) {}
    Result<docker::Listed> list();
    Status add(const std::vector<std::string>& taps);

    NftTable& table_;
    UniqueFd fd_;
    uint32_t portid_;
    uint32_t seq_ = 0;
    // Why tapd could not add its rules, as last logged (each said once until rules go in).
    enum class Said { Nothing, NoChain, Emptied } said_ = Said::Nothing;
};

}  // namespace tapd
