// libtapd's events: tapd's ObjectManager and PropertiesChanged signals as TapEvents, and the
// connection's poll loop for a program that waits on them.
#include <poll.h>

#include <sdbus-c++/sdbus-c++.h>

#include "client.hpp"
#include "client_sdbus.hpp"
#include "names.hpp"

namespace tapd {

void Client::watch(std::function<void(const TapEvent&)> handler) {
    try {
        on_event_ = std::move(handler);
        auto bus = sdbus::createProxy(*conn_, "org.freedesktop.DBus", "/org/freedesktop/DBus");
        bus->callMethod("GetNameOwner")
            .onInterface("org.freedesktop.DBus")
            .withArguments(std::string(names::kBusName))
            .storeResultsTo(tapd_sender_);
        auto from_tapd = [this](sdbus::Message& m) { return m.getSender() == tapd_sender_; };
        conn_->addMatch(
            std::string("type='signal',sender='") + names::kBusName +
                "',interface='org.freedesktop.DBus.ObjectManager',path='" + names::kManagerPath +
                "'",
            [this, from_tapd](sdbus::Message& m) {
                if (!from_tapd(m) || !on_event_) return;
                sdbus::ObjectPath path;
                m >> path;
                TapEvent e;
                e.name = names::tap_name_from_path(path);
                if (e.name.empty()) return;
                if (m.getMemberName() == std::string("InterfacesAdded")) {
                    std::map<std::string, std::map<std::string, sdbus::Variant>> ifs;
                    m >> ifs;
                    auto it = ifs.find(names::kTapInterface);
                    if (it == ifs.end()) return;
                    e.kind = TapEvent::Kind::Added;
                    e.info = info_from(path, it->second);
                } else if (m.getMemberName() == std::string("InterfacesRemoved")) {
                    e.kind = TapEvent::Kind::Removed;
                } else {
                    return;
                }
                on_event_(e);
            },
            sdbus::floating_slot);
        conn_->addMatch(
            std::string("type='signal',sender='") + names::kBusName +
                "',interface='org.freedesktop.DBus.Properties',member='"
                "PropertiesChanged',path_namespace='" +
                names::kManagerPath + "/tap'",
            [this, from_tapd](sdbus::Message& m) {
                if (!from_tapd(m) || !on_event_) return;
                TapEvent e;
                e.kind = TapEvent::Kind::Changed;
                std::string path = m.getPath();
                e.name = names::tap_name_from_path(path);
                if (e.name.empty()) return;
                // The signal names what changed; the tap as it is now is one GetAll.
                auto found = infos({sdbus::ObjectPath(path)});
                if (!found.empty()) e.info = found.front();
                on_event_(e);
            },
            sdbus::floating_slot);
    } catch (const sdbus::Error& e) {
        rethrow(e);
    }
}

bool Client::process_events(int timeout_ms) {
    try {
        bool any = false;
        while (conn_->processPendingRequest()) any = true;
        if (any || timeout_ms == 0) return any;
        auto pd = conn_->getEventLoopPollData();
        pollfd p{pd.fd, static_cast<short>(pd.events), 0};
        if (::poll(&p, 1, timeout_ms) <= 0) return false;
        while (conn_->processPendingRequest()) any = true;
        return any;
    } catch (const sdbus::Error& e) {
        rethrow(e);
    }
}

int Client::event_fd() {
    return conn_->getEventLoopPollData().fd;
}

}  // namespace tapd
