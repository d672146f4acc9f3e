// Client disconnections from the bus driver: NameOwnerChanged, checked and confirmed.
#include "lease_watcher.hpp"

#include "log.hpp"

namespace tapd {

namespace {
constexpr const char* kDriver = "org.freedesktop.DBus";
constexpr const char* kDriverPath = "/org/freedesktop/DBus";
}  // namespace

LeaseWatcher::LeaseWatcher(sdbus::IConnection& conn)
    : conn_(conn), driver_(sdbus::createProxy(conn, kDriver, kDriverPath)) {
    conn_.addMatch(
        "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
        "member='NameOwnerChanged',path='/org/freedesktop/DBus'",
        [this](sdbus::Message& msg) { on_signal(msg); }, sdbus::floating_slot);
}

bool LeaseWatcher::alive(const std::string& name) {
    try {
        bool has = false;
        driver_->callMethod("NameHasOwner")
            .onInterface(kDriver)
            .withArguments(name)
            .storeResultsTo(has);
        return has;
    } catch (const sdbus::Error& e) {
        log::error("asking the bus whether " + log::value(name) +
                   " is connected: " + log::value(e.getMessage()) + "; its leases stay");
        return true;
    }
}

std::optional<std::unordered_set<std::string>> LeaseWatcher::connected() {
    try {
        std::vector<std::string> names;
        driver_->callMethod("ListNames").onInterface(kDriver).storeResultsTo(names);
        return std::unordered_set<std::string>(names.begin(), names.end());
    } catch (const sdbus::Error& e) {
        log::error("asking the bus for its names: " + log::value(e.getMessage()) +
                   "; asking name by name");
        return std::nullopt;
    }
}

void LeaseWatcher::on_signal(sdbus::Message& msg) {
    // Forged (a peer's unicast signal) or malformed: ignored without a log line, which a
    // hostile peer could otherwise fill at will.
    if (msg.getSender() != kDriver) return;
    std::string name, old_owner, new_owner;
    try {
        msg >> name >> old_owner >> new_owner;
    } catch (const sdbus::Error&) {
        return;
    }
    if (name.empty() || name[0] != ':' || !new_owner.empty()) return;
    if (handler_) handler_(name);
}

}  // namespace tapd
