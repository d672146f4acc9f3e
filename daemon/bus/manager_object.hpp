// ManagerObject: the D-Bus front's root object (/net/tapd1: net.tapd1.Manager, with
// ObjectManager) and the registry of the Tap objects below it. Its methods parse every argument
// into its strong type (IfName, options), take the caller from Callers, call the Service and
// reply through replies.hpp. What the service changed is exported, announced or withdrawn in
// after_call(), from the service's TapChanges: the service never calls up into the bus.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <sdbus-c++/sdbus-c++.h>

#include "callers.hpp"
#include "manager_adaptor.h"
#include "service.hpp"
#include "tap_object.hpp"

namespace tapd {

class ManagerObject final
    : public sdbus::AdaptorInterfaces<net::tapd1::Manager_adaptor, sdbus::ObjectManager_adaptor> {
  public:
    // Exports the objects of the taps SERVICE holds (those adopted at start).
    ManagerObject(sdbus::IConnection& conn, Service& service, Callers& callers);
    ~ManagerObject();

    Service& service() { return service_; }
    Callers& callers() { return callers_; }
    // OpenTap(Queues)/DeleteTap, for the Manager and the Tap object alike (METHOD names it in
    // the log). QUEUES: the method takes the queues option (OpenTapQueues, Tap.OpenQueues); else
    // one fd is returned. OBJECT: the Manager or Tap object handling the call (whose a{sv} is
    // checked for duplicate keys).
    std::vector<sdbus::UnixFd> open_tap(const Caller& c, const char* method,
                                        const std::string& name,
                                        const std::map<std::string, sdbus::Variant>& options,
                                        bool queues, const sdbus::IObject& object);
    void delete_tap(const Caller& c, const char* method, const std::string& name);
    // Runs between two calls, after the reply of the first has gone out (and after tapd's own
    // deletions: revocations, ended leases): applies the service's TapChanges. Exporting (vtable,
    // InterfacesAdded with every property) takes ~0.2 ms that the CreateTap caller need not wait
    // for; no later call can see the tap without its object. An object deleted by its own
    // method (Tap.Delete) is destroyed here, after that method returned.
    void after_call();

  private:
    sdbus::ObjectPath CreateTap(const std::string& name,
                                const std::map<std::string, sdbus::Variant>& options) override;
    sdbus::UnixFd OpenTap(const std::string& name,
                          const std::map<std::string, sdbus::Variant>& options) override;
    std::vector<sdbus::UnixFd> OpenTapQueues(
        const std::string& name, const std::map<std::string, sdbus::Variant>& options) override;
    void DeleteTap(const std::string& name) override;
    // manager_fds.cpp
    sdbus::UnixFd OpenRawSocket(const std::string& name, const int32_t& family,
                                const int32_t& protocol) override;
    // Answered later, by the streamer's report (Captures::Done).
    void OpenCapture(sdbus::Result<sdbus::UnixFd>&& result, std::string name,
                     std::map<std::string, sdbus::Variant> options) override;
    std::vector<sdbus::ObjectPath> ListTaps() override;
    std::vector<sdbus::ObjectPath> ListAllTaps() override;
    std::map<sdbus::ObjectPath, std::map<std::string, sdbus::Variant>> GetTaps(
        const bool& all) override;
    std::vector<std::string> Cleanup(const bool& all) override;
    // manager_netns.cpp
    sdbus::ObjectPath AttachNamespace(
        const sdbus::UnixFd& netns, const std::map<std::string, sdbus::Variant>& options) override;
    // manager_policy.cpp
    std::map<std::string, sdbus::Variant> GetPolicy() override;
    void Reload() override;
    std::string Version() override;
    // manager_findings.cpp
    std::vector<sdbus::Struct<std::string, std::string, std::string, std::string, std::string>>
    GetFindings() override;

    sdbus::IConnection& conn_;
    Service& service_;
    Callers& callers_;
    std::map<std::string, std::unique_ptr<TapObject>> objects_;
};

// The tap name argument NAME of METHOD: bounded, then parsed (logged and thrown if bad).
IfName tap_name(const Caller& c, const char* method, const std::string& name);

}  // namespace tapd
