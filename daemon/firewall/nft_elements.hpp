// Fast path for tapd's set elements: a pure builder of element operations and a libnftnl sender
// that applies them as one nf_tables transaction without libnftables' cache dumps.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nft_batches.hpp"
#include "result.hpp"
#include "unique_fd.hpp"

namespace tapd::nft {

// One element as the kernel stores it: key bytes exactly as nft 1.0.6 encodes them (IPv4 in
// network order, ifname zero-padded to 16 bytes, a mark in host order), the element flags
// (NFT_SET_ELEM_INTERVAL_END) and, for the verdict map, the chain it jumps to.
struct Element {
    std::vector<uint8_t> key;
    uint32_t flags = 0;
    std::string jump;  // non-empty: data is the verdict "jump JUMP"
};

// One NEWSETELEM or DELSETELEM message: one logical element of one set (a prefix is two kernel
// elements), so that the kernel's error for it names what failed.
struct ElementOp {
    bool add = true;
    std::string set;
    std::vector<Element> elems;
    std::string what;  // "192.168.69.0/24", "tap0", ... for error messages
};

// The same change in both forms: the element operations when they can express it exactly as nft
// would, and the JSON batch for libnftables (the fallback, and the only form otherwise). The JSON
// is built only when asked for: on the fast path nobody does (building it took ~0.03 ms of a
// CreateTap's 0.5).
struct ElementBatch {
    std::vector<std::function<nlohmann::json()>> json_parts;
    std::optional<std::vector<ElementOp>> ops;

    // {"nftables": [...]}: every part's commands, in order.
    nlohmann::json json() const;
    // Appends MORE's changes (moved: a copy of a batch is a dozen allocations, all freed after
    // the kernel's call, when they are out of the CPU's caches).
    void join(ElementBatch&& more);
};

ElementBatch masquerade_elements(bool add, const MasqueradeEntry& entry);
ElementBatch raw_elements(bool add, const RawEntry& entry);
ElementBatch guard_elements(bool on);
// Every element of STATE, replacing what the sets and map hold: a flush of each, then the
// elements, a few hundred per message (one transaction: nobody sees the sets half-filled). Run
// after chains_batch, it completes the table as table_batch makes it. nullopt when an element
// has no exact form here (see masquerade_elements): then table_batch.
std::optional<std::vector<ElementOp>> table_elements(const TableState& state);
// Joins changes into one transaction; the ops only if every part has them.
ElementBatch join_elements(std::initializer_list<ElementBatch> batches);

}  // namespace tapd::nft

namespace tapd {

// A NETLINK_NETFILTER socket kept for the daemon's life; apply() sends one batch
// (BATCH_BEGIN, the element messages with NLM_F_ACK, BATCH_END) and checks every ack.
class NftElementSocket {
  public:
    static Result<std::unique_ptr<NftElementSocket>> open();

    // A kernel refusal of an element (ENOENT, EEXIST, ...) sets *refused: libnftables would
    // be refused too. Any other failure (transport, unexpected reply) leaves it false.
    Status apply(const std::vector<nft::ElementOp>& ops, bool* refused);

  private:
    explicit NftElementSocket(UniqueFd fd, uint32_t portid) : fd_(std::move(fd)), portid_(portid) {}
    UniqueFd fd_;
    uint32_t portid_;
    uint32_t seq_ = 0;
    size_t sndbuf_ = 0;  // the send buffer size set so far (0: the default)
    // apply()'s batch (up to kKeptBytes) and acks, kept between calls.
    static constexpr size_t kKeptBytes = 64 << 10;
    std::vector<char> send_buf_, recv_buf_;
};

}  // namespace tapd
