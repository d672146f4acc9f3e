// Leases: which bus client holds which non-persistent taps. A tap without persistence lives as
// long as the bus connection that created it; when that client goes, its taps go (README
// "Lifecycle"). An index, so a client's exit costs the same at 1,000 taps as at 10, and the
// bus driver is asked about a vanished name only when that name holds a lease.
#pragma once

#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace tapd {

class Leases {
  public:
    void hold(const std::string& sender, const std::string& tap) { held_[sender].insert(tap); }
    void release(const std::string& sender, const std::string& tap) {
        auto it = held_.find(sender);
        if (it == held_.end()) return;
        it->second.erase(tap);
        if (it->second.empty()) held_.erase(it);
    }
    bool holds(const std::string& sender) const { return held_.count(sender) != 0; }
    // The taps SENDER holds, by name.
    std::vector<std::string> taps_of(const std::string& sender) const {
        auto it = held_.find(sender);
        if (it == held_.end()) return {};
        std::vector<std::string> out(it->second.begin(), it->second.end());
        std::sort(out.begin(), out.end());
        return out;
    }

  private:
    std::unordered_map<std::string, std::unordered_set<std::string>> held_;
};

}  // namespace tapd
