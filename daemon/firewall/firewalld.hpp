// firewalld integration ("integrations": {"firewalld_zone": "trusted"}): tapd's taps in a
// firewalld zone, through firewalld's D-Bus API (runtime configuration only).
//
// Theory of operation: firewalld's nftables backend rejects forwarded traffic of interfaces in
// no zone that allows it, and tapd cannot override another table's reject. So each tap is put
// into the configured zone with org.fedoraproject.FirewallD1.zone.changeZoneOfInterface (a no-op
// when it is there already; it moves a tap that something else put elsewhere) when it is
// created, and taken out with removeInterface when it goes. firewalld forgets runtime bindings on
// a reload (FlushAllOnReload=yes, Debian's default) and on a restart: its Reloaded signal and its
// bus name's NameOwnerChanged make tapd put every tap back. Calls are asynchronous, so a slow or
// hung firewalld never delays tapd; each failure is logged with the zone and firewalld's error.
// Nothing is sent while firewalld is not on the bus: a call would start it by bus activation.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <sdbus-c++/sdbus-c++.h>

namespace tapd {

inline constexpr const char* kFirewalldName = "org.fedoraproject.FirewallD1";
inline constexpr const char* kFirewalldPath = "/org/fedoraproject/FirewallD1";
inline constexpr const char* kFirewalldZoneInterface = "org.fedoraproject.FirewallD1.zone";

class FirewalldZones {
  public:
    // Watches firewalld on CONN; TAPS lists every tap tapd holds (for a re-add after a reload).
    FirewalldZones(sdbus::IConnection& conn, std::function<std::vector<std::string>()> taps);
    FirewalldZones(const FirewalldZones&) = delete;
    FirewalldZones& operator=(const FirewalldZones&) = delete;

    // The zone from the policy ("" = off). A new zone takes every tap; off takes every tap out
    // of the old one.
    void set_zone(const std::string& zone);
    // A tap was created / is gone.
    void added(const std::string& tap);
    void removed(const std::string& tap);

  private:
    void put(const std::string& zone, const std::string& tap);
    void take_out(const std::string& zone, const std::string& tap);
    void put_all(const std::string& why);
    bool running();

    sdbus::IConnection& conn_;
    std::function<std::vector<std::string>()> taps_;
    std::unique_ptr<sdbus::IProxy> firewalld_;
    std::unique_ptr<sdbus::IProxy> driver_;
    std::string zone_;
    bool running_ = false;  // firewalld's name has an owner, as last seen
};

}  // namespace tapd
