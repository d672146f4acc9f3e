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

class TapObject final
    : public sdbus::AdaptorInterfaces<net::tapd1::Tap_adaptor, sdbus::ManagedObject_adaptor,
                                      sdbus::Properties_adaptor> {
  public:
    // ANNOUNCE: InterfacesAdded is sent (not for the taps adopted at start: the name net.tapd1
    // is not owned yet, so no client's match on it could receive the signal).
    TapObject(ManagerObject& manager, sdbus::IConnection& conn, const std::string& name,
              bool announce = true);
    ~TapObject();
    // PropertiesChanged for what a tap's calls change (addresses, routes, masquerade).
    void emit_changed();
    // Every property of net.tapd1.Tap by name, as GetAll returns them (Manager.GetTaps).
    std::map<std::string, sdbus::Variant> properties();

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
    // Calls F(property, value) for every property, from its getter; a getter whose type is not
    // its property's (common/tap_properties.hpp) does not compile.
    template <class F>
    void for_each_property(F&& f);
    // Add/Remove of an address (ADDRESS) or a route: bound, parse, call, reply.
    template <typename Arg, typename Fn>
    void change(const char* method, const char* key, const std::string& text, Fn fn);

    ManagerObject& manager_;
    std::string name_;
};

}  // namespace tapd
