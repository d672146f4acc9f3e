// TapRecord (what tapd made for whom) and StateFile (/run/tapd/state.json, written atomically).
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

nlohmann::json to_json(const State& state);
Result<State> state_from_json(const nlohmann::json& j);

class StateFile {
  public:
    explicit StateFile(std::string dir) : dir_(std::move(dir)) {}
    // Creates the directory (0700) if needed.
    Status prepare() const;
    // Writes state.json.tmp, fsyncs, renames over state.json, fsyncs the directory.
    Status save(const State& state) const;
    // The saved state; an empty State when there is no file.
    Result<State> load() const;
    std::string path() const { return dir_ + "/state.json"; }

  private:
    std::string dir_;
};

}  // namespace tapd
