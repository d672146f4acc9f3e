// Taps: the records of the taps tapd made, with the indexes that keep every lookup independent
// of how many taps exist: by name, by ifindex (link notifications), by lease holder (Leases)
// and by owner (quotas, listings). Records change only through add() and remove(), which keep the
// indexes with them; a record's addresses, routes and masquerade flag may change in place.
#pragma once

#include <sys/types.h>

#include <map>
#include <set>
#include <string>
#include <unordered_map>

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

    // How many taps UID owns, and their names.
    size_t owned_by(uid_t uid) const;
    const std::set<std::string>& names_of(uid_t uid) const;
    const Leases& leases() const { return leases_; }
    // Every record, by name.
    const std::map<std::string, TapRecord>& all() const { return taps_; }
    size_t size() const { return taps_.size(); }

  private:
    std::map<std::string, TapRecord> taps_;
    std::unordered_map<int, std::string> by_ifindex_;
    std::unordered_map<uid_t, std::set<std::string>> by_owner_;
    Leases leases_;
};

}  // namespace tapd
