// Taps: the records of the taps tapd made, with the indexes that keep every lookup independent
// of how many taps exist: by name, by ifindex (link notifications), by lease holder (Leases)
// and by owner (quotas, listings). Every index is a hash table: at 1,000 taps a lookup in an
// ordered tree visits a dozen nodes, most of them out of the CPU's caches after the kernel's
// calls, and a CreateTap makes a handful. What lists taps sorts them (sorted(), names_of()).
// Records change only through add() and remove(), which keep the indexes with them; a record's
// addresses, routes and masquerade flag may change in place.
#pragma once

#include <sys/types.h>

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "leases.hpp"
#include "state.hpp"

namespace tapd {

class Taps {
  public:
    const TapRecord* find(const std::string& name) const;
    TapRecord* find(const std::string& name);
    TapRecord* find_by_ifindex(int ifindex);
    TapRecord& add(const TapRecord& r);
    void remove(const std::string& name);

    // How many taps UID owns, and their names, sorted.
    size_t owned_by(uid_t uid) const;
    std::vector<std::string> names_of(uid_t uid) const;
    const Leases& leases() const { return leases_; }
    // Every record, by name, in no order.
    const std::unordered_map<std::string, TapRecord>& all() const { return taps_; }
    // Every record, sorted by name.
    std::vector<const TapRecord*> sorted() const;
    size_t size() const { return taps_.size(); }

  private:
    // (Its nodes stay put when it grows: find()'s pointers stay valid until the record goes.)
    std::unordered_map<std::string, TapRecord> taps_;
    std::unordered_map<int, std::string> by_ifindex_;
    std::unordered_map<uid_t, std::unordered_set<std::string>> by_owner_;
    Leases leases_;
};

}  // namespace tapd
