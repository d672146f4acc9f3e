// LeaseWatcher: which bus clients are still connected, and the news that one has gone, from the
// bus driver only. Leases (ephemeral taps) end with their holder's connection.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <unordered_set>

#include <sdbus-c++/sdbus-c++.h>

namespace tapd {

// Theory of operation: the match on NameOwnerChanged is registered with the bus at construction,
// before reconcile asks whether any lease holder is still connected, so a holder that goes in
// between is still seen: its signal waits in the connection until the loop dispatches it, after
// on_gone() has set the handler. The bus enforces a match's sender only for broadcasts: anyone
// may send tapd a unicast NameOwnerChanged (DESIGN "Found by the second review"). A signal counts
// only if the bus driver sent it (the bus daemon stamps every message's sender; no client can
// claim org.freedesktop.DBus); before a lease ends on it, alive() confirms with the bus.
class LeaseWatcher {
  public:
    explicit LeaseWatcher(sdbus::IConnection& conn);
    LeaseWatcher(const LeaseWatcher&) = delete;
    LeaseWatcher& operator=(const LeaseWatcher&) = delete;

    // Whether unique bus NAME is connected, asked of the bus driver (one round trip). An error
    // from the bus counts as connected: a lease is never ended on a guess.
    bool alive(const std::string& name);
    // Every name on the bus, in one round trip (ListNames), for a start that checks many leases;
    // nullopt if the bus did not answer (then ask alive() name by name).
    std::optional<std::unordered_set<std::string>> connected();
    // HANDLER is called, from the bus loop, with each unique name whose connection the bus
    // driver says has gone.
    void on_gone(std::function<void(const std::string&)> handler) { handler_ = std::move(handler); }

  private:
    void on_signal(sdbus::Message& msg);

    sdbus::IConnection& conn_;
    std::unique_ptr<sdbus::IProxy> driver_;
    std::function<void(const std::string&)> handler_;
};

}  // namespace tapd
