// ManagerObject: the D-Bus front's root object (/net/tapd1: net.tapd1.Manager, with
// ObjectManager) and the registry of the Tap objects below it. Its methods parse every argument
// into its strong type (IfName, options), take the caller from Callers, call the Service and
// reply through replies.hpp. What the service changed is announced or withdrawn in after_call(),
// from the service's TapChanges: the service never calls up into the bus. A Tap object exists
// only while calls need it (tap_object.hpp): a message filter exports it before sd-bus
// dispatches a call to its path (every tap's, for an Introspect or GetManagedObjects above
// them), drop_objects() drops them once tapd is idle.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <sdbus-c++/sdbus-c++.h>

#include "callers.hpp"
#include "manager_adaptor.h"
#include "raw_bus.hpp"
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
    // deletions: revocations, ended leases): applies the service's TapChanges (InterfacesAdded
    // with every property, PropertiesChanged, InterfacesRemoved: ~0.1 ms that the caller need
    // not wait for); a deleted tap's object goes, one deleted by its own method (Tap.Delete)
    // after that method returned.
    void after_call();
    // Drops the Tap objects exported since the last time (tapd's main loop, once it has been idle
    // for 100 ms): during a burst of calls each is made once, and a flood of listings
    // (GetManagedObjects, Introspect, which export every tap) pays it once, not per call.
    void drop_objects() { objects_.clear(); }
    // How many taps the largest answer since the last take had (a listing, every tap's object)
    // if that is many, else 0: building and freeing it left thousands of heap chunks that glibc
    // sorts in the next large allocation, 2.5–3 ms into the next call at 1,000 taps. The main
    // loop sorts them after the reply instead (consolidate_heap).
    size_t take_heap_churn() { return std::exchange(heap_churn_, 0); }

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

    // The message filter: exports the Tap objects message M is for, before sd-bus looks for them.
    static int on_message(sd_bus_message* m, void* self, sd_bus_error* error);
    void export_for(sd_bus_message* m);
    void export_object(const std::string& name);
    // InterfacesAdded (with the tap's properties) or InterfacesRemoved for tap NAME; false if
    // there is nothing to announce (a tap added and gone before its announcement).
    bool announce(const std::string& name, bool added);
    // A call answers about COUNT taps (see take_heap_churn).
    void answered_about(size_t count) {
        if (count >= kChurnTaps) heap_churn_ = std::max(heap_churn_, count);
    }
    static constexpr size_t kChurnTaps = 64;

    sdbus::IConnection& conn_;
    Service& service_;
    Callers& callers_;
    std::map<std::string, std::unique_ptr<TapObject>> objects_;  // exported since tapd was idle
    UniqueSlot filter_;
    size_t heap_churn_ = 0;
};

// The tap name argument NAME of METHOD: bounded, then parsed (logged and thrown if bad).
IfName tap_name(const Caller& c, const char* method, const std::string& name);

}  // namespace tapd
