// The sd_bus under an sdbus-c++ 1.2 connection, which that version does not expose (2.x has
// IConnection::getSdBusInterface): tapd needs it for a message filter (ManagerObject).
#pragma once

#include <systemd/sd-bus.h>

#include <memory>

#include <sdbus-c++/sdbus-c++.h>

namespace tapd {

// The bus connection of OBJECT, taken from a signal message created on it and never sent. Not
// referenced: it lives as long as OBJECT's connection.
sd_bus* raw_bus(sdbus::IObject& object);

struct SlotUnref {
    void operator()(sd_bus_slot* s) const { sd_bus_slot_unref(s); }
};
using UniqueSlot = std::unique_ptr<sd_bus_slot, SlotUnref>;

}  // namespace tapd
