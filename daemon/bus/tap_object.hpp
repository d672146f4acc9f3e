// TapObject: the D-Bus object of one tap (/net/tapd1/tap/NAME, interface net.tapd1.Tap): its
// methods parse their arguments and call the service; its properties read the tap's record.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <sdbus-c++/sdbus-c++.h>

#include "tap_adaptor.h"

namespace tapd {

class ManagerObject;
struct TapRecord;

// Every property of net.tapd1.Tap of the tap R by name, as GetAll returns them (Manager.GetTaps,
// InterfacesAdded).
std::map<std::string, sdbus::Variant> tap_properties(const TapRecord& r);

// Exported only while calls need it: ManagerObject makes it when a call to it (or a listing of
// the objects) arrives and drops it once tapd is idle, so that a tap costs no vtable, closures
// or sd-bus nodes at rest (~6 KiB and ~40 us each: at 1,000 taps a third of tapd's memory and
// of its start). It sends no InterfacesAdded/Removed of its own: the manager announces taps.
class TapObject final
    : public sdbus::AdaptorInterfaces<net::tapd1::Tap_adaptor, sdbus::Properties_adaptor> {
  public:
    TapObject(ManagerObject& manager, sdbus::IConnection& conn, const std::string& name);
    ~TapObject();
    // PropertiesChanged for what a tap's calls change (addresses, routes, masquerade).
    void emit_changed();

  private:
    void AddAddress(const std::string& address) override;
    void RemoveAddress(const std::string& address) override;
    void AddRoute(const std::string& route) override;
    void RemoveRoute(const std::string& route) override;
    void SetMasquerade(const bool& enabled) override;
    sdbus::UnixFd Open(const std::map<std::string, sdbus::Variant>& options) override;
    std::vector<sdbus::UnixFd> OpenQueues(
        const std::map<std::string, sdbus::Variant>& options) override;
    void Delete() override;
    std::string Name() override { return name_; }
    uint32_t Index() override;
    uint32_t OwnerUid() override;
    std::vector<std::string> Addresses() override;
    std::vector<std::string> Routes() override;
    bool Masquerade() override;
    bool Persistent() override;
    uint32_t MTU() override;
    std::string MAC() override;
    std::string Kind() override;
    const TapRecord& record();
    // Add/Remove of an address (ADDRESS) or a route: bound, parse, call, reply.
    template <typename Arg, typename Fn>
    void change(const char* method, const char* key, const std::string& text, Fn fn);

    ManagerObject& manager_;
    std::string name_;
};

}  // namespace tapd
