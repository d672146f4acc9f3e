// PrefixIndex: entries by network, their lists per link and their maps per length, and the
// overlap query over them.
#include "prefix_index.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

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

size_t PrefixIndex::KeyHash::operator()(const Key& k) const {
    // The address's 16 bytes, its length and its family, through the standard string hash.
    std::array<char, 18> text{};
    std::memcpy(text.data(), k.bytes.data(), 16);
    text[16] = static_cast<char>(k.length);
    text[17] = static_cast<char>(k.family == AF_INET6);
    return std::hash<std::string_view>{}(std::string_view(text.data(), text.size()));
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
    Entry* e = &*it;
    if (fresh) {
        Lengths& l = lengths_of(k.family);
        l.maps[k.length].emplace(k.bytes, e);
        l.present.set(k.length);
    }
    e->second.push_back(holder);
    by_link_[holder.ifindex].push_back(e);
    ++counts_[static_cast<int>(holder.held)];
}

void PrefixIndex::forget_mention(int ifindex, const Entry* e) {
    auto l = by_link_.find(ifindex);
    if (l == by_link_.end()) return;
    auto& mentions = l->second;
    if (auto i = std::find(mentions.begin(), mentions.end(), e); i != mentions.end()) {
        *i = mentions.back();
        mentions.pop_back();
    }
    if (mentions.empty()) by_link_.erase(l);
}

void PrefixIndex::take(Entry* e, std::vector<PrefixHolder>::iterator at) {
    --counts_[static_cast<int>(at->held)];
    e->second.erase(at);
    if (e->second.empty()) {
        const Key k = e->first;
        Lengths& l = lengths_of(k.family);
        l.maps[k.length].erase(k.bytes);
        if (l.maps[k.length].empty()) l.present.reset(k.length);
        entries_.erase(k);
    }
}

bool PrefixIndex::remove(const Prefix& network, const PrefixHolder& holder) {
    auto it = entries_.find(key_of(network));
    if (it == entries_.end()) return false;
    Entry* e = &*it;
    auto at = std::find(e->second.begin(), e->second.end(), holder);
    if (at == e->second.end()) return false;
    forget_mention(holder.ifindex, e);
    take(e, at);
    return true;
}

bool PrefixIndex::contains(const Prefix& network, const PrefixHolder& holder) const {
    const Entry* e = find(key_of(network));
    return e && std::find(e->second.begin(), e->second.end(), holder) != e->second.end();
}

void PrefixIndex::drop_link(int ifindex, int family, std::optional<Held> held) {
    auto l = by_link_.find(ifindex);
    if (l == by_link_.end()) return;
    std::vector<Entry*> kept;
    // One holder of the link goes per mention (an entry the link holds twice is mentioned twice,
    // and goes at its last holder, after its last mention).
    for (Entry* e : l->second) {
        if (family != 0 && e->first.family != family) {
            kept.push_back(e);
            continue;
        }
        auto& holders = e->second;
        auto at = std::find_if(holders.begin(), holders.end(), [&](const PrefixHolder& h) {
            return h.ifindex == ifindex && (!held || h.held == *held);
        });
        if (at == holders.end()) {
            kept.push_back(e);
            continue;
        }
        take(e, at);
    }
    if (kept.empty())
        by_link_.erase(l);
    else
        l->second = std::move(kept);
}

bool PrefixIndex::link_holds(int ifindex, int family, Held held) const {
    auto l = by_link_.find(ifindex);
    if (l == by_link_.end()) return false;
    for (const Entry* e : l->second)
        if (e->first.family == family)
            for (const auto& h : e->second)
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
    const Lengths& lengths = lengths_of(wk.family);
    // What contains W: for each length present below W's, W's network at that length.
    Prefix up = w;
    for (int len = 0; len < wk.length; ++len) {
        if (!lengths.present[len]) continue;
        up.length = static_cast<uint8_t>(len);
        if (const Entry* e = find(key_of(up)); e && look(*e)) return true;
    }
    // W's network itself.
    if (const Entry* e = find(wk); e && look(*e)) return true;
    // What lies inside W: at each longer length present, the addresses from W's that W's length
    // cuts back to W's (read from the map's keys: an entry is read only when it is inside).
    Prefix inside = w;
    for (size_t len = wk.length + 1u; len < lengths.maps.size(); ++len) {
        if (!lengths.present[len]) continue;
        const OfLength& of = lengths.maps[len];
        for (auto it = of.lower_bound(wk.bytes); it != of.end(); ++it) {
            inside.address.bytes = it->first;
            if (inside.network().address.bytes != wk.bytes) break;
            if (look(*it->second)) return true;
        }
    }
    return false;
}

std::optional<PrefixOverlap> PrefixIndex::find_overlap(const Prefix& w, int except_ifindex,
                                                       Held held) const {
    std::optional<PrefixOverlap> found;
    walk_overlaps(w, [&](const Entry& e) {
        if (const PrefixHolder* h = other_than(e.second, except_ifindex, held))
            found = PrefixOverlap{prefix_of(e.first), *h};
        return found.has_value();
    });
    return found;
}

std::optional<PrefixOverlap> PrefixIndex::find_address_or_route(const Prefix& w,
                                                                int except_ifindex) const {
    std::optional<PrefixOverlap> address, route;
    walk_overlaps(w, [&](const Entry& e) {
        if (const PrefixHolder* h = other_than(e.second, except_ifindex, Held::Address)) {
            address = PrefixOverlap{prefix_of(e.first), *h};
            return true;
        }
        if (!route)
            if (const PrefixHolder* h = other_than(e.second, except_ifindex, Held::Route))
                route = PrefixOverlap{prefix_of(e.first), *h};
        return false;
    });
    return address ? address : route;
}

void PrefixIndex::clear() {
    entries_.clear();
    by_link_.clear();
    for (auto& family : lengths_) {
        for (auto& of : family.maps) of.clear();
        family.present.reset();
    }
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
