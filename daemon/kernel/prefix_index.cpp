// PrefixIndex: entries by network, their lists per link and counts per length, and the overlap
// query over them.
#include "prefix_index.hpp"

#include <algorithm>

namespace tapd {

bool counts_for_conflicts(const Prefix& p) {
    if (p.length == 0) return false;
    if (p.address.family == AF_INET6 && p.address.is_link_local()) return false;
    return true;
}

PrefixIndex::Key PrefixIndex::key_of(const Prefix& p) {
    Prefix n = p.network();
    return Key{n.address.family, n.address.bytes, n.length};
}

Prefix PrefixIndex::prefix_of(const Key& k) {
    Prefix p;
    p.address.family = k.family;
    p.address.bytes = k.bytes;
    p.length = k.length;
    return p;
}

Prefix PrefixOverlap::shown() const {
    if (holder.held == Held::Route) return network;
    Prefix p = network;
    p.address.bytes = holder.address;
    return p;
}

void PrefixIndex::add(const Prefix& network, const PrefixHolder& holder) {
    Key k = key_of(network);
    auto [it, fresh] = entries_.try_emplace(k);
    if (fresh) ++keys_of_length(k.family, k.length);
    it->second.push_back(holder);
    by_link_[holder.ifindex].push_back(it);
    ++counts_[static_cast<int>(holder.held)];
}

void PrefixIndex::forget_mention(int ifindex, Entries::iterator it) {
    auto l = by_link_.find(ifindex);
    if (l == by_link_.end()) return;
    auto& mentions = l->second;
    if (auto i = std::find(mentions.begin(), mentions.end(), it); i != mentions.end()) {
        *i = mentions.back();
        mentions.pop_back();
    }
    if (mentions.empty()) by_link_.erase(l);
}

void PrefixIndex::take(Entries::iterator it, std::vector<PrefixHolder>::iterator at) {
    --counts_[static_cast<int>(at->held)];
    it->second.erase(at);
    if (it->second.empty()) {
        --keys_of_length(it->first.family, it->first.length);
        entries_.erase(it);
    }
}

bool PrefixIndex::remove(const Prefix& network, const PrefixHolder& holder) {
    auto it = entries_.find(key_of(network));
    if (it == entries_.end()) return false;
    auto at = std::find(it->second.begin(), it->second.end(), holder);
    if (at == it->second.end()) return false;
    forget_mention(holder.ifindex, it);
    take(it, at);
    return true;
}

bool PrefixIndex::contains(const Prefix& network, const PrefixHolder& holder) const {
    auto it = entries_.find(key_of(network));
    return it != entries_.end() &&
           std::find(it->second.begin(), it->second.end(), holder) != it->second.end();
}

void PrefixIndex::drop_link(int ifindex, int family, std::optional<Held> held) {
    auto l = by_link_.find(ifindex);
    if (l == by_link_.end()) return;
    std::vector<Entries::iterator> kept;
    // One holder of the link goes per mention (an entry the link holds twice is mentioned twice,
    // and goes at its last holder, after its last mention).
    for (auto it : l->second) {
        if (family != 0 && it->first.family != family) {
            kept.push_back(it);
            continue;
        }
        auto& holders = it->second;
        auto at = std::find_if(holders.begin(), holders.end(), [&](const PrefixHolder& h) {
            return h.ifindex == ifindex && (!held || h.held == *held);
        });
        if (at == holders.end()) {
            kept.push_back(it);
            continue;
        }
        take(it, at);
    }
    if (kept.empty())
        by_link_.erase(l);
    else
        l->second = std::move(kept);
}

bool PrefixIndex::link_holds(int ifindex, int family, Held held) const {
    auto l = by_link_.find(ifindex);
    if (l == by_link_.end()) return false;
    for (auto it : l->second)
        if (it->first.family == family)
            for (const auto& h : it->second)
                if (h.ifindex == ifindex && h.held == held) return true;
    return false;
}

const PrefixHolder* PrefixIndex::other_than(const std::vector<PrefixHolder>& holders, int except,
                                            Held held) {
    for (const auto& h : holders)
        if (h.ifindex != except && h.held == held) return &h;
    return nullptr;
}

template <typename Look>
bool PrefixIndex::walk_overlaps(const Prefix& w, Look&& look) const {
    Key wk = key_of(w);
    const auto& lengths = lengths_[wk.family == AF_INET6 ? 1 : 0];
    // What contains W: for each length present below W's, W's network at that length.
    Prefix up = w;
    for (int len = 0; len < wk.length; ++len) {
        if (lengths[len] == 0) continue;
        up.length = static_cast<uint8_t>(len);
        auto it = entries_.find(key_of(up));
        if (it != entries_.end() && look(it)) return true;
    }
    // W and what lies inside it: the keys from W's on whose address, cut to W's length, is W's
    // (ordered by address, then length: a shorter prefix at W's address sorts before W's key).
    for (auto it = entries_.lower_bound(wk); it != entries_.end(); ++it) {
        Prefix inside = prefix_of(it->first);
        if (inside.address.family != wk.family) break;
        inside.length = wk.length;
        if (inside.network().address.bytes != wk.bytes) break;
        if (look(it)) return true;
    }
    return false;
}

std::optional<PrefixOverlap> PrefixIndex::find_overlap(const Prefix& w, int except_ifindex,
                                                       Held held) const {
    std::optional<PrefixOverlap> found;
    walk_overlaps(w, [&](Entries::const_iterator it) {
        if (const PrefixHolder* h = other_than(it->second, except_ifindex, held))
            found = PrefixOverlap{prefix_of(it->first), *h};
        return found.has_value();
    });
    return found;
}

std::optional<PrefixOverlap> PrefixIndex::find_address_or_route(const Prefix& w,
                                                                int except_ifindex) const {
    std::optional<PrefixOverlap> address, route;
    walk_overlaps(w, [&](Entries::const_iterator it) {
        if (const PrefixHolder* h = other_than(it->second, except_ifindex, Held::Address)) {
            address = PrefixOverlap{prefix_of(it->first), *h};
            return true;
        }
        if (!route)
            if (const PrefixHolder* h = other_than(it->second, except_ifindex, Held::Route))
                route = PrefixOverlap{prefix_of(it->first), *h};
        return false;
    });
    return address ? address : route;
}

void PrefixIndex::clear() {
    entries_.clear();
    by_link_.clear();
    lengths_ = {};
    counts_ = {};
}

void PrefixIndex::clear(Held held) {
    std::vector<std::pair<Prefix, PrefixHolder>> kept;
    for (const auto& [k, holders] : entries_)
        for (const auto& h : holders)
            if (h.held != held) kept.emplace_back(prefix_of(k), h);
    clear();
    for (const auto& [p, h] : kept) add(p, h);
}

}  // namespace tapd
