// NftTable: tapd's nf_tables table through ONE libnftables context kept for the daemon's life
// (a fresh context costs ~14 ms per call, a reused one ~0.3 ms per batch).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "nft_batches.hpp"
#include "nft_elements.hpp"
#include "result.hpp"
#include "unique_fd.hpp"

struct nft_ctx;

namespace tapd {

class NftTable {
  public:
    static Result<std::unique_ptr<NftTable>> open();
    ~NftTable();
    NftTable(const NftTable&) = delete;
    NftTable& operator=(const NftTable&) = delete;

    // Runs one batch atomically; the error carries nft's own message.
    Status run(const nlohmann::json& batch, const std::string& what);
    // Adds or deletes set elements through the fast path (libnftnl, one transaction) when the
    // change has element operations, else, or when that path fails unexpectedly, through run().
    Status apply(const nft::ElementBatch& batch, const std::string& what);
    // The whole table from STATE, as run(table_batch(STATE)) makes it, in two transactions
    // where the fast path exists: chains_batch (rules anew; elements kept meanwhile), then
    // table_elements (every set flushed and refilled at once). For 1,000 taps ~5 ms where
    // libnftables takes ~30.
    Status rebuild(const nft::TableState& state, const std::string& what);
    // The netlink ports of tapd's nf_tables sockets (libnftables' and the fast path's): the
    // senders that notifications of tapd's own changes name.
    const std::vector<uint32_t>& own_ports() const { return own_ports_; }
    // The JSON output of a listing COMMAND ("list chain ip filter DOCKER-USER"); the error
    // carries nft's own message.
    Result<nlohmann::json> query(const std::string& command);
    // "nft list table inet tapd" as JSON; an empty result if the table does not exist.
    Result<nlohmann::json> list();
    // "nft -j -t list ruleset": every table, named sets without their elements, for the
    // foreign rule check (foreign_rules.hpp).
    Result<nlohmann::json> list_ruleset();

  private:
    NftTable(nft_ctx* ctx, std::unique_ptr<NftElementSocket> elements)
        : ctx_(ctx), elements_(std::move(elements)) {}
    nft_ctx* ctx_;
    std::unique_ptr<NftElementSocket> elements_;  // null: libnftables only
    std::vector<uint32_t> own_ports_;
};

}  // namespace tapd
