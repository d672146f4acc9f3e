// Taps: records and their indexes.
#include "taps.hpp"

#include <algorithm>

namespace tapd {

const TapRecord* Taps::find(const std::string& name) const {
    auto it = taps_.find(name);
    return it == taps_.end() ? nullptr : &it->second;
}

TapRecord* Taps::find(const std::string& name) {
    auto it = taps_.find(name);
    return it == taps_.end() ? nullptr : &it->second;
}

TapRecord* Taps::find_by_ifindex(int ifindex) {
    auto it = by_ifindex_.find(ifindex);
    return it == by_ifindex_.end() ? nullptr : find(it->second);
}

TapRecord& Taps::add(const TapRecord& r) {
    remove(r.name);
    TapRecord& stored = taps_[r.name] = r;
    by_ifindex_[r.ifindex] = r.name;
    by_owner_[r.owner].insert(r.name);
    if (!r.persistent && !r.lease.empty()) leases_.hold(r.lease, r.name);
    return stored;
}

void Taps::remove(const std::string& name) {
    auto it = taps_.find(name);
    if (it == taps_.end()) return;
    const TapRecord& r = it->second;
    by_ifindex_.erase(r.ifindex);
    if (auto o = by_owner_.find(r.owner); o != by_owner_.end()) {
        o->second.erase(r.name);
        if (o->second.empty()) by_owner_.erase(o);
    }
    if (!r.persistent && !r.lease.empty()) leases_.release(r.lease, r.name);
    taps_.erase(it);
}

size_t Taps::owned_by(uid_t uid) const {
    auto it = by_owner_.find(uid);
    return it == by_owner_.end() ? 0 : it->second.size();
}

std::vector<std::string> Taps::names_of(uid_t uid) const {
    std::vector<std::string> out;
    if (auto it = by_owner_.find(uid); it != by_owner_.end())
        out.assign(it->second.begin(), it->second.end());
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<const TapRecord*> Taps::sorted() const {
    std::vector<const TapRecord*> out;
    out.reserve(taps_.size());
    for (const auto& [name, r] : taps_) out.push_back(&r);
    std::sort(out.begin(), out.end(),
              [](const TapRecord* a, const TapRecord* b) { return a->name < b->name; });
    return out;
}

}  // namespace tapd
