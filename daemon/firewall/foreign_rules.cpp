// Foreign forward rules: the index of a listed ruleset and the walk of its forward base chains.
#include "foreign_rules.hpp"

#include <optional>
#include <utility>

#include "foreign_match.hpp"

namespace tapd::nft {

namespace {

using json = nlohmann::json;

// The comment of tapd's own rules in other tables (docker_rules.hpp: "tapd:TAP").
constexpr const char* kTapdCommentPrefix = "tapd:";

// nf_tables refuses jumps deeper than this (NFT_JUMP_STACK_SIZE).
constexpr int kMaxDepth = 16;

// What may become of a packet in a chain: accepted, dropped (where: the first drop seen), or
// returned to the caller (falls off the end; the base chain's policy then decides).
struct Outcomes {
    bool accept = false, drop = false, ret = false;
    std::string where;
    void merge(const Outcomes& o) {
        accept |= o.accept;
        ret |= o.ret;
        if (o.drop && !drop) where = o.where;
        drop |= o.drop;
    }
};

struct Walk {
    const ForwardRuleset::Table& table;
    const Direction& dir;
    std::map<std::string, Outcomes> done;  // by chain: each walked once

    Outcomes chain(const std::string& name, int depth) {
        if (auto it = done.find(name); it != done.end()) return it->second;
        Outcomes out;
        auto it = table.chains.find(name);
        if (depth > kMaxDepth || it == table.chains.end()) {
            out.accept = out.ret = out.drop = true;
            out.where = depth > kMaxDepth ? "jumps deeper than " + std::to_string(kMaxDepth)
                                          : "a jump to missing chain " + name;
            return out;
        }
        bool finished = false;
        for (const json* rule : it->second.rules) {
            if (rule_applies(name, *rule, depth, out)) {
                finished = true;
                break;
            }
        }
        if (!finished) out.ret = true;
        done[name] = out;
        return out;
    }

    // Adds what VERDICT does to OUT; true if it surely ends the chain (COND is Always).
    bool verdict(const std::string& chain, const json& rule, const json& v, Tri cond, int depth,
                 Outcomes& out) {
        if (cond == Tri::Never || !v.is_object() || v.empty()) return false;
        const std::string& kind = v.begin().key();
        Outcomes r;
        bool continues = false;
        if (kind == "accept") {
            r.accept = true;
        } else if (kind == "drop" || kind == "reject") {
            r.drop = true;
            r.where = "rule handle " + std::to_string(rule.value("handle", 0)) + " (" + kind +
                      ") in chain " + chain;
        } else if (kind == "return") {
            r.ret = true;
        } else if (kind == "jump" || kind == "goto") {
            r = this->chain(v[kind].value("target", ""), depth + 1);
            if (kind == "jump") {
                continues = r.ret;  // back in this chain after the jump
                r.ret = false;
            }
        } else {
            return false;
        }
        out.merge(r);
        return cond == Tri::Always && !continues;
    }

    // Whether RULE is one of tapd's rules for the tap of this direction (comment "tapd:TAP",
    // the Docker integration's).
    bool tapds_own(const json& rule) const {
        const std::string& tap = dir.established ? dir.oif : dir.iif;
        auto c = rule.find("comment");
        return !tap.empty() && c != rule.end() && c->is_string() &&
               c->get_ref<const std::string&>() == kTapdCommentPrefix + tap;
    }

    // Adds what RULE of CHAIN may do to OUT; true if it surely ends the chain.
    bool rule_applies(const std::string& chain, const json& rule, int depth, Outcomes& out) {
        if (!rule.contains("expr") || !rule["expr"].is_array()) return false;
        Tri cond = Tri::Always;
        for (const auto& e : rule["expr"]) {
            if (!e.is_object() || e.empty()) continue;
            const std::string& kind = e.begin().key();
            const json& body = e.begin().value();
            if (kind == "match") {
                cond = both(cond, match_applies(body, dir));
            } else if (kind == "accept" || kind == "drop" || kind == "reject" || kind == "return" ||
                       kind == "jump" || kind == "goto") {
                return verdict(chain, rule, e, cond, depth, out);
            } else if (kind == "vmap" && body.is_object() && body.contains("data") &&
                       body["data"].is_object() && body["data"].contains("set")) {
                // A verdict map: each element a rule of its own, in order.
                for (const auto& pair : body["data"]["set"]) {
                    if (!pair.is_array() || pair.size() != 2) continue;
                    json m{{"op", "=="}, {"left", body.value("key", json())}, {"right", pair[0]}};
                    Tri c = both(cond, match_applies(m, dir));
                    if (verdict(chain, rule, pair[1], c, depth, out)) return true;
                }
                return false;
            } else if (kind == "xt" && body.is_object() && body.value("type", "") == "target") {
                // iptables-nft's targets it cannot express natively (REJECT among them).
                std::string target = body.value("name", "");
                if (target == "REJECT" || target == "DROP")
                    return verdict(chain, rule, json{{"reject", nullptr}}, cond, depth, out);
                if (target == "ACCEPT")
                    return verdict(chain, rule, json{{"accept", nullptr}}, cond, depth, out);
            } else if (kind == "xt" && body.is_object() && body.value("type", "") == "match" &&
                       body.value("name", "") == "conntrack" && tapds_own(rule)) {
                // tapd's own rule for this tap in DOCKER-USER (docker_rules.hpp): its match is
                // "--ctstate RELATED,ESTABLISHED", as tapd wrote it (nft lists no xt details).
                cond = both(cond, dir.established ? Tri::Always : Tri::Never);
            } else if (kind == "counter" || kind == "log" || kind == "mangle" ||
                       kind == "notrack" || kind == "set" || kind == "comment") {
                // Statements that do not decide whether the rule applies.
            } else {
                cond = both(cond, Tri::Maybe);  // limit, quota, xt matches, anything unknown
            }
            if (cond == Tri::Never) return false;
        }
        return false;
    }
};

const json* object_of(const json& item, const char* kind) {
    auto it = item.find(kind);
    return it != item.end() && it->is_object() ? &*it : nullptr;
}

}  // namespace

ForwardRuleset::ForwardRuleset(const json& ruleset, const std::string& skip_family,
                               const std::string& skip_table) {
    if (!ruleset.is_object() || !ruleset.contains("nftables") || !ruleset["nftables"].is_array())
        return;
    // One pass; items come table, its chains, then its rules (nft lists them so), but the index
    // does not rely on that order.
    std::map<std::pair<std::string, std::string>, Table> all;
    for (const auto& item : ruleset["nftables"]) {
        if (!item.is_object()) continue;
        const json* chain = object_of(item, "chain");
        const json* rule = chain ? nullptr : object_of(item, "rule");
        const json* o = chain ? chain : rule;
        if (!o) continue;
        std::string family = o->value("family", ""), table = o->value("table", "");
        if (family == skip_family && table == skip_table) continue;
        // Forwarded IPv4 passes ip and inet tables only.
        if (family != "ip" && family != "inet") continue;
        Table& t = all[{family, table}];
        t.family = family;
        t.name = table;
        if (chain) {
            Chain& c = t.chains[chain->value("name", "")];
            if (chain->contains("hook")) {
                c.base = true;
                c.policy = chain->value("policy", "accept");
                if (chain->value("hook", "") == "forward" && chain->value("type", "") == "filter")
                    t.forward.push_back(chain->value("name", ""));
            }
        } else {
            t.chains[rule->value("chain", "")].rules.push_back(rule);
        }
    }
    for (auto& [key, t] : all)
        if (!t.forward.empty()) tables_.push_back(std::move(t));
}

std::vector<ForeignDrop> ForwardRuleset::drops(const TapTraffic& traffic) const {
    std::vector<ForeignDrop> out;
    Direction outgoing{traffic.tap, traffic.uplink, &traffic.subnets, nullptr, false};
    Direction replies{traffic.uplink, traffic.tap, nullptr, &traffic.subnets, true};
    for (const auto& t : tables_) {
        Walk walks[2] = {{t, outgoing, {}}, {t, replies, {}}};
        for (const auto& base : t.forward) {
            ForeignDrop d;
            d.family = t.family;
            d.table = t.name;
            d.chain = base;
            d.iptables = base == "FORWARD" && t.name == "filter";
            d.docker_user = t.chains.count("DOCKER-USER") != 0;
            d.ufw = t.chains.count("ufw-before-forward") != 0;
            d.firewalld = t.family == "inet" && t.name == "firewalld";
            // The directions surely dropped, else those that may be.
            std::string sure, maybe, sure_where, maybe_where;
            const char* names[2] = {"outgoing", "replies"};
            for (int i = 0; i < 2; ++i) {
                Outcomes o = walks[i].chain(base, 0);
                const std::string& policy = t.chains.at(base).policy;
                if (o.ret && policy == "drop" && !o.drop) o.where = "policy drop";
                if (o.ret && policy == "drop") o.drop = true;
                if (!o.drop) continue;
                bool certain = !o.accept && !(o.ret && policy != "drop");
                std::string& into = certain ? sure : maybe;
                if (into.empty()) (certain ? sure_where : maybe_where) = o.where;
                into += std::string(into.empty() ? "" : " and ") + names[i];
            }
            d.certain = !sure.empty();
            d.directions = d.certain ? sure : maybe;
            d.culprit = d.certain ? sure_where : maybe_where;
            bool any = !d.directions.empty();
            if (any) out.push_back(std::move(d));
        }
    }
    return out;
}

}  // namespace tapd::nft
