// The policy: built from a file or as root only, and the grant it gives a caller.
#include "policy.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "users.hpp"

namespace tapd {

namespace {

template <class T>
void add_unique(std::vector<T>& to, const std::vector<T>& from) {
    for (const auto& x : from)
        if (std::find(to.begin(), to.end(), x) == to.end()) to.push_back(x);
}

// Root's grant: unlimited, and every field as permissive as it can be expressed.
Grant root_grant() {
    Grant g;
    g.unlimited = true;
    g.max_taps = g.max_captures = g.max_raw_sockets = std::numeric_limits<size_t>::max();
    g.prefixes = {parse_network("0.0.0.0/0").value(), parse_network("::/0").value()};
    g.masquerade = g.persistent = g.owner_access = g.raw_sockets = g.capture = true;
    g.default_route = true;
    return g;
}

}  // namespace

Policy::Policy(std::string source, std::vector<Rule> rules, Limits limits, bool from_file,
               Integrations integrations)
    : source(std::move(source)),
      rules(std::move(rules)),
      limits(limits),
      from_file(from_file),
      integrations(std::move(integrations)) {}

Result<std::shared_ptr<const Policy>> Policy::load(const std::string& path, LoadTime when) {
    auto text = read_policy_file(path, when);
    if (!text) return text.error();
    if (!text.value()) return root_only();
    return parse(*text.value(), path);
}

Result<std::shared_ptr<const Policy>> Policy::parse(std::string_view text,
                                                    const std::string& path) {
    auto contents = parse_policy_file(text, path);
    if (!contents) return contents.error();
    return std::shared_ptr<const Policy>(new Policy(path, std::move(contents->rules),
                                                    contents->limits, true,
                                                    std::move(contents->integrations)));
}

std::shared_ptr<const Policy> Policy::root_only() {
    return std::shared_ptr<const Policy>(
        new Policy("built-in default (root only)", {}, Limits{}, false));
}

Grant Policy::grant_for(uid_t uid, const std::vector<gid_t>& groups) const {
    if (uid == 0) return root_grant();
    Grant g;
    for (size_t i = 0; i < rules.size(); ++i) {
        const Rule& r = rules[i];
        bool by_uid = std::find(r.uids.begin(), r.uids.end(), uid) != r.uids.end();
        bool by_group = std::any_of(r.gids.begin(), r.gids.end(), [&](gid_t gid) {
            return std::find(groups.begin(), groups.end(), gid) != groups.end();
        });
        if (!by_uid && !by_group) continue;
        // The union: each matching rule can only add to what the others allow.
        g.matched_rules.push_back(i);
        g.max_taps = std::max(g.max_taps, r.max_taps);
        add_unique(g.name_prefixes, {r.name_prefix});
        add_unique(g.prefixes, r.prefixes);
        g.add(r);
        // A count comes with its permission: a rule that does not grant capture cannot raise
        // the limit another rule set for it.
        if (r.capture) g.max_captures = std::max(g.max_captures, r.max_captures);
        if (r.raw_sockets) g.max_raw_sockets = std::max(g.max_raw_sockets, r.max_raw_sockets);
    }
    return g;
}

Grant Policy::grant_for(const Caller& caller) const {
    if (caller.groups) return grant_for(caller.uid, *caller.groups);
    return grant_for(caller.uid, groups_of(caller.uid));
}

}  // namespace tapd
