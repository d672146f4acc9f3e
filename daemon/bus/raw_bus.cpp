// raw_bus: sdbus::Message keeps its sd_bus_message in a protected member; a class derived from
// it may name that member (a pointer to member of the base, applied to any Message).
#include "raw_bus.hpp"

namespace tapd {

namespace {
struct MessageHandle : sdbus::Message {
    static sd_bus_message* of(const sdbus::Message& m) {
        return static_cast<sd_bus_message*>(m.*(&MessageHandle::msg_));
    }
};
}  // namespace

sd_bus* raw_bus(sdbus::IObject& object) {
    sdbus::Signal probe = object.createSignal("org.freedesktop.DBus.Peer", "Probe");
    return sd_bus_message_get_bus(MessageHandle::of(probe));
}

}  // namespace tapd
