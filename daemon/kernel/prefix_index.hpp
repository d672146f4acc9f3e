// PrefixIndex: prefixes in use, each with the links that hold it, answering "what overlaps P?"
// without walking every entry. Pure: tested from values.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "ip.hpp"

namespace tapd {

// In-use prefixes that a new address or route may not overlap. IPv6 link-local (fe80::/10) is
// scoped to its link, and a default route overlaps everything, so neither counts.
bool counts_for_conflicts(const Prefix& p);

// One holder of a prefix: a link's address, or a route's nexthop.
struct PrefixHolder {
    int ifindex = 0;
    Prefix shown;    // what a conflict names: the address with its host bits, or the route
    IpAddress peer;  // addresses: IFA_ADDRESS, which with the rest tells two addresses apart
    friend bool operator==(const PrefixHolder&, const PrefixHolder&) = default;
};

// The prefix a conflict found, and who holds it.
struct PrefixOverlap {
    Prefix network;
    PrefixHolder holder;
};

// Entries are keyed by network (family, masked address, length), ordered so that the prefixes
// inside a network lie in one range after it. A query costs a lookup for each prefix length
// present below the one asked (its possible ancestors) and a scan of the range of its own
// network (the same prefix and those inside), which stops at the first hit. A key may have many
// holders (two links with the same prefix, two routes of one destination); a holder may be
// there twice (what add() is given is counted, not merged).
class PrefixIndex {
  public:
    // Adds HOLDER of NETWORK's network (host bits cleared here).
    void add(const Prefix& network, const PrefixHolder& holder);
    // Removes one HOLDER equal to HOLDER from NETWORK's network; false if there was none.
    bool remove(const Prefix& network, const PrefixHolder& holder);
    // Whether NETWORK's network has a holder equal to HOLDER.
    bool contains(const Prefix& network, const PrefixHolder& holder) const;
    // Removes every holder on link IFINDEX (of FAMILY only, unless 0): the kernel has dropped
    // them without a word (a link that went down or away). Costs that link's entries only.
    void drop_link(int ifindex, int family = 0);
    // Whether link IFINDEX holds any entry of FAMILY.
    bool link_holds(int ifindex, int family) const;
    // The first entry that overlaps W (contains it, equals it or lies inside it) held by a link
    // other than EXCEPT_IFINDEX; nullopt if none.
    std::optional<PrefixOverlap> find_overlap(const Prefix& w, int except_ifindex) const;
    size_t size() const { return size_; }
    void clear();

  private:
    struct Key {
        int family = 0;
        std::array<uint8_t, 16> bytes{};
        uint8_t length = 0;
        auto operator<=>(const Key&) const = default;
    };
    static Key key_of(const Prefix& p);
    static Prefix prefix_of(const Key& k);
    const PrefixHolder* other_than(const std::vector<PrefixHolder>& holders, int except) const;
    // How many keys of LENGTH there are in FAMILY: the lengths a query looks at.
    uint32_t& keys_of_length(int family, uint8_t length) {
        return lengths_[family == AF_INET6 ? 1 : 0][length];
    }
    void erase_from_link(int ifindex, const Key& k);

    std::map<Key, std::vector<PrefixHolder>> entries_;
    std::unordered_map<int, std::vector<Key>> by_link_;  // a key once per holder on the link
    std::array<std::array<uint32_t, 129>, 2> lengths_{};
    size_t size_ = 0;
};

}  // namespace tapd
