// libnftables calls for tapd's table; errors are converted here, once.
#include "nft_table.hpp"

#include <fcntl.h>
// Before the linux/ headers, so that theirs give way to glibc's (linux/libc-compat.h).
#include <netinet/in.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <nftables/libnftables.h>

#include <cerrno>
#include <vector>

#include "log.hpp"
#include "netlink.hpp"
#include "nft_events.hpp"
#include "nft_set_dump.hpp"
#include "profile.hpp"

namespace tapd {

Result<std::unique_ptr<NftTable>> NftTable::open() {
    nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
    if (!ctx) return make_error(ErrorKind::Failed, "nft_ctx_new failed");
    // libnftables 1.0.6 parses JSON input only when JSON output is set.
    nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
    nft_ctx_buffer_output(ctx);
    nft_ctx_buffer_error(ctx);
    // libnftables re-reads its cache with several netlink dumps per batch (~0.3 ms); element
    // changes, the per-tap ones, go through this socket instead.
    auto elements = NftElementSocket::open();
    if (!elements)
        log::warn("nf_tables element fast path unavailable: " + elements.error().message);
    std::unique_ptr<NftTable> table(
        new NftTable(ctx, elements ? std::move(elements.value()) : nullptr));
    table->own_ports_ = own_netfilter_ports();
    return table;
}

NftTable::~NftTable() {
    nft_ctx_free(ctx_);
}

static std::string trimmed(const char* s) {
    std::string out = s ? s : "";
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

Status NftTable::run(const nlohmann::json& batch, const std::string& what) {
    std::string text = batch.dump();
    int rc = nft_run_cmd_from_buffer(ctx_, text.c_str());
    // libnftables may have opened its socket anew (it does after a netlink error).
    own_ports_ = own_netfilter_ports();
    if (rc != 0)
        return make_error(ErrorKind::Failed,
                          "nf_tables " + what + ": " + trimmed(nft_ctx_get_error_buffer(ctx_)));
    return {};
}

Status NftTable::apply(const nft::ElementBatch& batch, const std::string& what) {
    if (batch.ops && elements_) {
        bool refused = false;
        auto st = elements_->apply(*batch.ops, &refused);
        if (st) return st;
        // The transaction is atomic: a failed one changed nothing, so libnftables may redo it.
        if (refused)
            return make_error(st.error().kind, "nf_tables " + what + ": " + st.error().message);
        log::warn("nf_tables fast path failed (" + st.error().message +
                  "), using libnftables for " + what);
    }
    return run(batch.json(), what);
}

// Whether the sets that OPS flush and refill hold what it would leave in them already (a start
// after a crash or a restart, as a rule): their dumps cost a few ms at 1,000 taps where the
// refill took ~100 ms of kernel time on Linux 6.18, and notified every element twice.
static bool sets_hold_already(const std::vector<nft::ElementOp>& ops) {
    auto before = nft::ruleset_generation();
    std::vector<std::pair<std::string, std::vector<nft::Element>>> held;
    for (const auto& op : ops) {
        if (op.add || !op.elems.empty()) continue;  // not a flush
        auto elems = nft::dump_set(op.set);
        if (!elems) {
            log::warn(elems.error().message + "; refilling the sets");
            return false;
        }
        held.emplace_back(op.set, std::move(elems.value()));
    }
    // A change during the dumps may have torn one without a word: refilled then.
    auto after = nft::ruleset_generation();
    if (!before || !after || before.value() != after.value()) return false;
    return nft::sets_hold(ops, std::move(held));
}

Status NftTable::rebuild(const nft::TableState& state, const std::string& what) {
    StepClock clock("table rebuild");
    auto ops = nft::table_elements(state);
    if (elements_ && ops) {
        auto st = run(nft::chains_batch(), what + " (chains)");
        clock.mark("chains");
        if (st) {
            bool kept = sets_hold_already(*ops);
            clock.mark("sets compared");
            if (kept) return st;
            bool refused = false;
            st = elements_->apply(*ops, &refused);
            clock.mark("sets refilled");
            if (st) return st;
        }
        // A table someone changed in ways an "add" does not mend (a set of another type):
        // the whole table anew.
        log::warn("nf_tables " + what + ": " + st.error().message + "; rebuilding the whole table");
    }
    return run(nft::table_batch(state), what);
}

// Whether table inet tapd exists, asked of the kernel: NFT_MSG_GETTABLE, which it refuses with
// ENOENT when there is none. libnftables says so only in its message text.
static Result<bool> table_exists() {
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.data(), NFT_MSG_GETTABLE, NFPROTO_INET, NLM_F_ACK, 1);
    mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, nft::kTable);
    auto st = nft::netfilter_request("nf_tables: getting table inet " + std::string(nft::kTable),
                                     nlh, nullptr, nullptr);
    if (st) return true;
    if (st.error().err == ENOENT) return false;
    return st.error();
}

Result<nlohmann::json> NftTable::query(const std::string& command) {
    if (nft_run_cmd_from_buffer(ctx_, command.c_str()) != 0)
        return make_error(ErrorKind::Failed,
                          "nf_tables " + command + ": " + trimmed(nft_ctx_get_error_buffer(ctx_)));
    auto parsed = nlohmann::json::parse(nft_ctx_get_output_buffer(ctx_), nullptr, false);
    if (parsed.is_discarded())
        return make_error(ErrorKind::Failed, "nf_tables " + command + ": output is not JSON");
    return parsed;
}

Result<nlohmann::json> NftTable::list() {
    if (nft_run_cmd_from_buffer(ctx_, "list table inet tapd") != 0) {
        std::string err = trimmed(nft_ctx_get_error_buffer(ctx_));
        auto exists = table_exists();
        if (exists && !exists.value()) return nlohmann::json::object();
        return make_error(ErrorKind::Failed,
                          "nf_tables list table inet tapd: " + err +
                              (exists ? "" : " (" + exists.error().message + ")"));
    }
    auto parsed = nlohmann::json::parse(nft_ctx_get_output_buffer(ctx_), nullptr, false);
    if (parsed.is_discarded())
        return make_error(ErrorKind::Failed, "nf_tables list: output is not JSON");
    return parsed;
}

Result<nlohmann::json> NftTable::list_ruleset() {
    // Without named sets' elements (`nft -t`): tapd's own sets hold a few elements per tap, and
    // at 1,000 taps printing and parsing them was most of the listing's cost; the forward-chain
    // check reads rules and anonymous sets only.
    nft_ctx_output_set_flags(ctx_, NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_TERSE);
    int rc = nft_run_cmd_from_buffer(ctx_, "list ruleset");
    nft_ctx_output_set_flags(ctx_, NFT_CTX_OUTPUT_JSON);
    if (rc != 0)
        return make_error(ErrorKind::Failed,
                          "nf_tables list ruleset: " + trimmed(nft_ctx_get_error_buffer(ctx_)));
    auto parsed = nlohmann::json::parse(nft_ctx_get_output_buffer(ctx_), nullptr, false);
    if (parsed.is_discarded())
        return make_error(ErrorKind::Failed, "nf_tables list ruleset: output is not JSON");
    return parsed;
}

}  // namespace tapd
