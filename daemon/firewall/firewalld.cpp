// firewalld zones of tapd's taps, through org.fedoraproject.FirewallD1 (asynchronous calls).
#include "firewalld.hpp"

#include "log.hpp"

namespace tapd {

namespace {
constexpr const char* kDriver = "org.freedesktop.DBus";
constexpr const char* kDriverPath = "/org/freedesktop/DBus";
constexpr const char* kFirewalldInterface = "org.fedoraproject.FirewallD1";
}  // namespace

FirewalldZones::FirewalldZones(sdbus::IConnection& conn,
                               std::function<std::vector<std::string>()> taps)
    : conn_(conn),
      taps_(std::move(taps)),
      firewalld_(sdbus::createProxy(conn, kFirewalldName, kFirewalldPath)),
      driver_(sdbus::createProxy(conn, kDriver, kDriverPath)) {
    firewalld_->finishRegistration();
    // firewalld (re)started: it holds no runtime binding of tapd's.
    conn_.addMatch(
        std::string("type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
                    "member='NameOwnerChanged',path='/org/freedesktop/DBus',arg0='") +
            kFirewalldName + "'",
        [this](sdbus::Message& msg) {
            if (msg.getSender() != kDriver) return;  // a peer's forged unicast
            std::string name, old_owner, new_owner;
            try {
                msg >> name >> old_owner >> new_owner;
            } catch (const sdbus::Error&) {
                return;
            }
            if (name != kFirewalldName) return;
            running_ = !new_owner.empty();
            if (running_) put_all("firewalld started");
        },
        sdbus::floating_slot);
    // A reload (FlushAllOnReload=yes) forgets runtime bindings. Putting a tap into the zone it is
    // in changes nothing, so a forged signal costs only calls.
    conn_.addMatch(
        std::string("type='signal',interface='") + kFirewalldInterface +
            "',member='Reloaded',path='" + kFirewalldPath + "'",
        [this](sdbus::Message&) {
            running_ = true;
            put_all("firewalld reloaded");
        },
        sdbus::floating_slot);
}

bool FirewalldZones::running() {
    try {
        bool has = false;
        driver_->callMethod("NameHasOwner")
            .onInterface(kDriver)
            .withArguments(std::string(kFirewalldName))
            .storeResultsTo(has);
        running_ = has;
    } catch (const sdbus::Error& e) {
        log::error("firewalld integration: asking the bus whether firewalld runs: " +
                   log::value(e.getMessage()));
    }
    return running_;
}

void FirewalldZones::set_zone(const std::string& zone) {
    if (zone == zone_) return;
    std::string old = zone_;
    zone_ = zone;
    log::info("firewalld integration: " +
              (zone.empty() ? std::string("off") : "zone " + log::value(zone)));
    if (!running()) {
        if (!zone.empty())
            log::info("firewalld integration: firewalld is not on the bus (" +
                      std::string(kFirewalldName) + "); taps go into zone " + log::value(zone) +
                      " when it starts");
        return;
    }
    if (zone.empty()) {
        for (const auto& tap : taps_()) take_out(old, tap);
        return;
    }
    put_all("zone " + log::value(zone) + " set by the policy");
}

void FirewalldZones::put_all(const std::string& why) {
    if (zone_.empty()) return;
    auto taps = taps_();
    if (!taps.empty())
        log::info("firewalld integration: " + why + ": putting " + std::to_string(taps.size()) +
                  " tap(s) into zone " + log::value(zone_));
    for (const auto& tap : taps) put(zone_, tap);
}

void FirewalldZones::added(const std::string& tap) {
    if (zone_.empty()) return;
    if (!running_) {
        log::info("firewalld integration: firewalld is not on the bus; tap=" + tap +
                  " goes into zone " + log::value(zone_) + " when it starts");
        return;
    }
    put(zone_, tap);
}

void FirewalldZones::removed(const std::string& tap) {
    if (zone_.empty() || !running_) return;
    take_out(zone_, tap);
}

void FirewalldZones::put(const std::string& zone, const std::string& tap) {
    try {
        firewalld_->callMethodAsync("changeZoneOfInterface")
            .onInterface(kFirewalldZoneInterface)
            .withArguments(zone, tap)
            .uponReplyInvoke([zone, tap](const sdbus::Error* e, std::string) {
                if (e)
                    log::error("firewalld integration: putting tap=" + tap + " into zone " +
                               log::value(zone) + " failed: " + e->getName() + ": " +
                               log::value(e->getMessage()));
                else
                    log::info("firewalld integration: tap=" + tap + " in zone " + log::value(zone));
            });
    } catch (const sdbus::Error& e) {
        log::error("firewalld integration: putting tap=" + tap + " into zone " + log::value(zone) +
                   ": " + e.getName() + ": " + log::value(e.getMessage()));
    }
}

void FirewalldZones::take_out(const std::string& zone, const std::string& tap) {
    try {
        // "" takes it out of whichever zone it is in (firewalld's remove_interface).
        firewalld_->callMethodAsync("removeInterface")
            .onInterface(kFirewalldZoneInterface)
            .withArguments(std::string(), tap)
            .uponReplyInvoke([zone, tap](const sdbus::Error* e, std::string) {
                if (e)
                    log::warn("firewalld integration: taking tap=" + tap + " out of zone " +
                              log::value(zone) + " failed: " + e->getName() + ": " +
                              log::value(e->getMessage()));
                else
                    log::info("firewalld integration: tap=" + tap + " out of zone " +
                              log::value(zone));
            });
    } catch (const sdbus::Error& e) {
        log::error("firewalld integration: taking tap=" + tap + " out of zone " + log::value(zone) +
                   ": " + e.getName() + ": " + log::value(e.getMessage()));
    }
}

}  // namespace tapd
