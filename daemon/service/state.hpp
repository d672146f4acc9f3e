// TapRecord (what tapd made for whom) and StateFile (/run/tapd: state.json, written atomically,
// and state.journal, the changes since, appended).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ip.hpp"
#include "result.hpp"

namespace tapd {

struct TapRecord {
    std::string name;
    int ifindex = 0;
    uid_t owner = 0;
    std::vector<Prefix> addresses;
    std::vector<Prefix> routes;
    bool masquerade = false;
    bool persistent = false;
    bool owner_access = false;
    bool vnet_hdr = false;
    bool multi_queue = false;
    uint32_t mtu = 0;
    std::string mac;
    std::string lease;  // unique bus name holding a non-persistent tap ("" when persistent)
    // A namespace's link (AttachNamespace): the host side of a veth pair, not a tap. ADDRESSES
    // are then the host side's (the gateways), PEER_ADDRESSES the peer's in the namespace.
    bool veth = false;
    std::string peer_name;
    std::vector<Prefix> peer_addresses;

    // IPv4 networks masqueraded for this tap (its IPv4 addresses with host bits cleared).
    std::vector<Prefix> masquerade_subnets() const;
    // The tun owner tapd gives the tap: the user with owner_access, else root. tapd sets no
    // group.
    uid_t tun_owner() const { return owner_access ? owner : 0; }
};

// The interface alias tapd writes on every tap it creates; with the link kind ("tun") it lets
// tapd recognise its own links from the kernel alone after a crash.
std::string tap_alias(const TapRecord& record);
// Parses an alias written by tap_alias(); nullopt for any other alias (a foreign link).
struct AliasInfo {
    uid_t owner = 0;
    bool persistent = false;
};
std::optional<AliasInfo> parse_tap_alias(const std::string& alias);

struct State {
    std::vector<TapRecord> taps;
    // ip_forward before tapd turned it on, while a masquerading tap exists.
    std::optional<int> saved_ip_forward;
};

// RECORD as JSON text, written straight into a string (keys sorted, as nlohmann writes them):
// what a call appends to the journal. Building a JSON value took a CreateTap's state step 40 or
// so allocations, a fifth of the call's own instructions. The one writer of records: to_json()
// and state_json_text() are made from it.
std::string record_json_text(const TapRecord& record);
nlohmann::json to_json(const TapRecord& record);
Result<TapRecord> record_from_json(const nlohmann::json& j);
// STATE as the text of state.json (a record per line), and as JSON.
std::string state_json_text(const State& state);
nlohmann::json to_json(const State& state);
Result<State> state_from_json(const nlohmann::json& j);

// What tapd has made, kept so that a restarted tapd knows it: state.json holds the whole state as
// of its writing; state.journal the changes since, one JSON line each ({"put": RECORD},
// {"erase": NAME}, {"saved_ip_forward": N or null}), appended and fsynced before the call that
// made them replies. A call's cost does not grow with the number of taps: it appends one line;
// save() folds the journal into state.json when tapd is idle (Service::idle_work).
// A line cut short by a crash (no newline) is ignored: its call never replied.
class StateFile {
  public:
    explicit StateFile(std::string dir) : dir_(std::move(dir)) {}
    // Creates the directory (0700) if needed.
    Status prepare() const;
    // Writes state.json.tmp, fsyncs, renames over state.json, fsyncs the directory; then empties
    // the journal (a crash in between replays it onto the new state.json: same result).
    Status save(const State& state);
    // Appends to the journal: RECORD as it now is, NAME's record gone, the saved ip_forward.
    Status put(const TapRecord& record);
    Status erase(const std::string& name);
    Status put_saved_ip_forward(std::optional<int> value);
    // Lines in the journal since the last save() (or load()).
    size_t journal_lines() const { return journal_lines_; }
    // state.json with the journal replayed onto it; an empty State when there is neither.
    Result<State> load();
    // The journal load() read ends in a line a crash cut short (save() before appending).
    bool torn_tail() const { return torn_tail_; }
    std::string path() const { return dir_ + "/state.json"; }
    std::string journal_path() const { return dir_ + "/state.journal"; }

  private:
    Status append(const nlohmann::json& entry);
    // Appends LINE, which ends in a newline.
    Status append_line(const std::string& line);
    std::string dir_;
    size_t journal_lines_ = 0;
    bool torn_tail_ = false;
};

}  // namespace tapd
