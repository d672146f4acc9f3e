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

void PrefixIndex::add(const Prefix& network, const PrefixHolder& holder) {
    Key k = key_of(network);
    auto [it, fresh] = entries_.try_emplace(k);
    if (fresh) ++keys_of_length(k.family, k.length);
    it->second.push_back(holder);
    by_link_[holder.ifindex].push_back(k);
    ++size_;
}

void PrefixIndex::erase_from_link(int ifindex, const Key& k) {
    auto l = by_link_.find(ifindex);
    if (l == by_link_.end()) return;
    auto& keys = l->second;
    if (auto i = std::find(keys.begin(), keys.end(), k); i != keys.end()) {
        *i = keys.back();
        keys.pop_back();
    }
    if (keys.empty()) by_link_.erase(l);
}

bool PrefixIndex::remove(const Prefix& network, const PrefixHolder& holder) {
    Key k = key_of(network);
    auto it = entries_.find(k);
    if (it == entries_.end()) return false;
    auto& holders = it->second;
    auto h = std::find(holders.begin(), holders.end(), holder);
    if (h == holders.end()) return false;
    holders.erase(h);
    erase_from_link(holder.ifindex, k);
    if (holders.empty()) {
        --keys_of_length(k.family, k.length);
        entries_.erase(it);
    }
    --size_;
    return true;
}

bool PrefixIndex::contains(const Prefix& network, const PrefixHolder& holder) const {
    auto it = entries_.find(key_of(network));
    return it != entries_.end() &&
           std::find(it->second.begin(), it->second.end(), holder) != it->second.end();
}

void PrefixIndex::drop_link(int ifindex, int family) {
    auto l = by_link_.find(ifindex);
    if (l == by_link_.end()) return;
    std::vector<Key> kept;
    // The link's list names a key once per holder on the link: one holder goes per mention.
    for (const Key& k : l->second) {
        if (family != 0 && k.family != family) {
            kept.push_back(k);
            continue;
        }
        auto it = entries_.find(k);
        if (it == entries_.end()) continue;
        auto& holders = it->second;
        auto h = std::find_if(holders.begin(), holders.end(),
                              [&](const PrefixHolder& x) { return x.ifindex == ifindex; });
        if (h == holders.end()) continue;
        holders.erase(h);
        --size_;
        if (holders.empty()) {
            --keys_of_length(k.family, k.length);
            entries_.erase(it);
        }
    }
    if (kept.empty())
        by_link_.erase(l);
    else
        l->second = std::move(kept);
}

bool PrefixIndex::link_holds(int ifindex, int family) const {
    auto l = by_link_.find(ifindex);
    return l != by_link_.end() && std::any_of(l->second.begin(), l->second.end(),
                                              [&](const Key& k) { return k.family == family; });
}

const PrefixHolder* PrefixIndex::other_than(const std::vector<PrefixHolder>& holders,
                                            int except) const {
    for (const auto& h : holders)
        if (h.ifindex != except) return &h;
    return nullptr;
}

std::optional<PrefixOverlap> PrefixIndex::find_overlap(const Prefix& w, int except_ifindex) const {
    Key wk = key_of(w);
    const auto& lengths = lengths_[wk.family == AF_INET6 ? 1 : 0];
    // What contains W: for each length present below W's, W's network at that length.
    Prefix up = w;
    for (int len = 0; len < wk.length; ++len) {
        if (lengths[len] == 0) continue;
        up.length = static_cast<uint8_t>(len);
        auto it = entries_.find(key_of(up));
        if (it == entries_.end()) continue;
        if (const PrefixHolder* h = other_than(it->second, except_ifindex))
            return PrefixOverlap{prefix_of(it->first), *h};
    }
    // W and what lies inside it: the keys from W's on whose address, cut to W's length, is W's
    // (ordered by address, then length: a shorter prefix at W's address sorts before W's key).
    for (auto it = entries_.lower_bound(wk); it != entries_.end(); ++it) {
        Prefix inside = prefix_of(it->first);
        if (inside.address.family != wk.family) break;
        inside.length = wk.length;
        if (inside.network().address.bytes != wk.bytes) break;
        if (const PrefixHolder* h = other_than(it->second, except_ifindex))
            return PrefixOverlap{prefix_of(it->first), *h};
    }
    return std::nullopt;
}

void PrefixIndex::clear() {
    entries_.clear();
    by_link_.clear();
    lengths_ = {};
    size_ = 0;
}

}  // namespace tapd
