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

// Entries are keyed by network (family, masked address, length), ordered so that the prefixes
// inside a network lie in one range after it. A query costs a lookup for each prefix length
// present below the one asked (its possible ancestors) and a scan of the range of its own
// network (the same prefix and those inside), which stops at the first hit. A key may have many
// holders (two links with the same prefix, an address and its prefix route, two routes of one
// destination); a holder may be there twice (what add() is given is counted, not merged).
class PrefixIndex {
  public:
    PrefixIndex() = default;
    // Moves keep the map's nodes, so the links' lists stay valid; a copy would not.
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
    // walk: a conflict check asks for both, and at 1,000 taps each lookup in the tree is a dozen
    // nodes, most of them out of the CPU's caches. It walks no further than the address query.
    std::optional<PrefixOverlap> find_address_or_route(const Prefix& w, int except_ifindex) const;
    // How many holders of kind HELD there are.
    size_t count(Held held) const { return counts_[static_cast<int>(held)]; }
    void clear();
    // Removes every holder of kind HELD (a walk of every entry).
    void clear(Held held);

  private:
    struct Key {
        int family = 0;
        std::array<uint8_t, 16> bytes{};
        uint8_t length = 0;
        auto operator<=>(const Key&) const = default;
    };
    using Entries = std::map<Key, std::vector<PrefixHolder>>;
    static Key key_of(const Prefix& p);
    // Calls LOOK(entry) for each entry overlapping W in find_overlap's order until it returns
    // true; whether one did.
    template <typename Look>
    bool walk_overlaps(const Prefix& w, Look&& look) const;
    static Prefix prefix_of(const Key& k);
    static const PrefixHolder* other_than(const std::vector<PrefixHolder>& holders, int except,
                                          Held held);
    // How many keys of LENGTH there are in FAMILY: the lengths a query looks at.
    uint32_t& keys_of_length(int family, uint8_t length) {
        return lengths_[family == AF_INET6 ? 1 : 0][length];
    }
    // Takes one holder away from IT (the one at AT), and IT itself once it has none left.
    void take(Entries::iterator it, std::vector<PrefixHolder>::iterator at);
    void forget_mention(int ifindex, Entries::iterator it);

    Entries entries_;
    // Each link's entries, once per holder on the link (map iterators stay valid until their
    // entry goes, which is when its last holder, and so its last mention, goes).
    std::unordered_map<int, std::vector<Entries::iterator>> by_link_;
    std::array<std::array<uint32_t, 129>, 2> lengths_{};
    std::array<size_t, 2> counts_{};
};

}  // namespace tapd
