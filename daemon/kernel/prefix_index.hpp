// PrefixIndex: prefixes in use, each with the links that hold it, answering "what overlaps P?"
// without walking every entry. Pure: tested from values.
#pragma once

#include <sys/socket.h>

#include <array>
#include <bitset>
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

// Who holds a prefix: a link's address, or a route through a link.
enum class Held : uint8_t { Address, Route };

struct PrefixHolder {
    int ifindex = 0;
    Held held = Held::Address;
    // Addresses: the address with its host bits (what a conflict names) and IFA_ADDRESS (which
    // with the rest tells two of the kernel's addresses apart). Zero for routes.
    std::array<uint8_t, 16> address{}, peer{};

    static PrefixHolder address_of(int ifindex, const Prefix& address, const IpAddress& peer) {
        return {ifindex, Held::Address, address.address.bytes, peer.bytes};
    }
    static PrefixHolder route_via(int ifindex) { return {ifindex, Held::Route, {}, {}}; }
    friend bool operator==(const PrefixHolder&, const PrefixHolder&) = default;
};

// The prefix a conflict found, and who holds it.
struct PrefixOverlap {
    Prefix network;
    PrefixHolder holder;
    // What a conflict names: the address with its host bits, or the route.
    Prefix shown() const;
};

// Entries are keyed by network (family, masked address, length) in a hash table, and listed by
// address in an ordered map per family and length. A query costs a hash lookup for each prefix
// length present below the one asked (its possible ancestors) and one for its own network, then,
// for each longer length present, one lookup in that length's map: what lies inside the prefix
// asked at that length is one range there, which the walk stops at the first hit. At 1,000 taps
// a lookup in one ordered map of every entry visited a dozen nodes, most of them out of the
// CPU's caches after the kernel's calls; a hash lookup touches two or three, and a length's map
// (a /128 or two among thousands of /64s) few. A key may have many holders (two links with the
// same prefix, an address and its prefix route, two routes of one destination); a holder may be
// there twice (what add() is given is counted, not merged).
class PrefixIndex {
  public:
    PrefixIndex() = default;
    // Moves keep the tables' nodes, so the links' lists and the lengths' maps stay valid; a copy
    // would not.
    PrefixIndex(PrefixIndex&&) = default;
    PrefixIndex& operator=(PrefixIndex&&) = default;
    PrefixIndex(const PrefixIndex&) = delete;
    PrefixIndex& operator=(const PrefixIndex&) = delete;

    // Adds HOLDER of NETWORK's network (host bits cleared here).
    void add(const Prefix& network, const PrefixHolder& holder);
    // Removes one holder equal to HOLDER from NETWORK's network; false if there was none.
    bool remove(const Prefix& network, const PrefixHolder& holder);
    // Whether NETWORK's network has a holder equal to HOLDER.
    bool contains(const Prefix& network, const PrefixHolder& holder) const;
    // Removes every holder on link IFINDEX (of FAMILY only unless 0, of kind HELD only if
    // given): the kernel has dropped them without a word (a link that went down or away).
    // Costs that link's entries only.
    void drop_link(int ifindex, int family = 0, std::optional<Held> held = std::nullopt);
    // Whether link IFINDEX holds any entry of FAMILY of kind HELD.
    bool link_holds(int ifindex, int family, Held held) const;
    // The first entry of kind HELD that overlaps W (contains it, equals it or lies inside it)
    // held by a link other than EXCEPT_IFINDEX; nullopt if none.
    std::optional<PrefixOverlap> find_overlap(const Prefix& w, int except_ifindex, Held held) const;
    // find_overlap(W, EXCEPT_IFINDEX, Held::Address), else the same for Held::Route, in one
    // walk: a conflict check asks for both, and at 1,000 taps each lookup touches memory out of
    // the CPU's caches. It walks no further than the address query.
    std::optional<PrefixOverlap> find_address_or_route(const Prefix& w, int except_ifindex) const;
    // How many holders of kind HELD there are.
    size_t count(Held held) const { return counts_[static_cast<int>(held)]; }
    void clear();
    // Removes every holder of kind HELD (a walk of every entry).
    void clear(Held held);

  private:
    using Bytes = std::array<uint8_t, 16>;
    struct Key {
        int family = 0;
        Bytes bytes{};
        uint8_t length = 0;
        friend bool operator==(const Key&, const Key&) = default;
    };
    struct KeyHash {
        size_t operator()(const Key& k) const;
    };
    using Entries = std::unordered_map<Key, std::vector<PrefixHolder>, KeyHash>;
    // An entry: a node of Entries, whose address stays until it is erased (rehashing and moves
    // of the table included).
    using Entry = Entries::value_type;
    // The entries of one family and length by address.
    using OfLength = std::map<Bytes, Entry*>;
    // A family's maps, one per length, and which of them hold entries: a query reads the 129
    // bits (three cache lines' worth of map headers otherwise, most of them empty).
    struct Lengths {
        std::array<OfLength, 129> maps;
        std::bitset<129> present;
    };
    static int family_index(int family) { return family == AF_INET6 ? 1 : 0; }
    Lengths& lengths_of(int family) { return lengths_[family_index(family)]; }
    const Lengths& lengths_of(int family) const { return lengths_[family_index(family)]; }
    static Key key_of(const Prefix& p);
    static Prefix prefix_of(const Key& k);
    const Entry* find(const Key& k) const {
        auto it = entries_.find(k);
        return it == entries_.end() ? nullptr : &*it;
    }
    // Calls LOOK(entry) for each entry overlapping W in find_overlap's order until it returns
    // true; whether one did.
    template <typename Look>
    bool walk_overlaps(const Prefix& w, Look&& look) const;
    static const PrefixHolder* other_than(const std::vector<PrefixHolder>& holders, int except,
                                          Held held);
    // Takes one holder away from E (the one at AT), and E itself once it has none left.
    void take(Entry* e, std::vector<PrefixHolder>::iterator at);
    void forget_mention(int ifindex, const Entry* e);

    Entries entries_;
    // Each link's entries, once per holder on the link (an entry stays until its last holder,
    // and so its last mention, goes).
    std::unordered_map<int, std::vector<Entry*>> by_link_;
    std::array<Lengths, 2> lengths_{};
    std::array<size_t, 2> counts_{};
};

}  // namespace tapd
