// The D-Bus front: Manager object (/net/tapd1, with ObjectManager) and one Tap object per tap.
// Exceptions exist only here: a Service Error becomes the named D-Bus error of its kind.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <sdbus-c++/sdbus-c++.h>

#include "lease_watcher.hpp"
#include "manager_adaptor.h"
#include "service.hpp"
#include "tap_adaptor.h"

namespace tapd {

class Bus;

class TapObject final
    : public sdbus::AdaptorInterfaces<net::tapd1::Tap_adaptor, sdbus::ManagedObject_adaptor,
                                      sdbus::Properties_adaptor> {
  public:
    TapObject(Bus& bus, sdbus::IConnection& conn, const std::string& name);
    ~TapObject();
    void emit_changed();

  private:
    void AddAddress(const std::string& address) override;
    void RemoveAddress(const std::string& address) override;
    void AddRoute(const std::string& route) override;
    void RemoveRoute(const std::string& route) override;
    void SetMasquerade(const bool& enabled) override;
    sdbus::UnixFd Open(const std::map<std::string, sdbus::Variant>& options) override;
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
    const TapRecord& record();

    Bus& bus_;
    std::string name_;
};

class Bus final
    : public sdbus::AdaptorInterfaces<net::tapd1::Manager_adaptor, sdbus::ObjectManager_adaptor> {
  public:
    // Ends the leases of the clients LEASES reports gone.
    Bus(sdbus::IConnection& conn, Service& service, LeaseWatcher& leases, std::string policy_path);
    ~Bus();

    Service& service() { return service_; }
    // The caller of the message being handled, from the bus (kernel-verified uid).
    Caller caller(const sdbus::IObject& object) const;
    // Logs method, caller, arguments and outcome on one line, turns an Error into a
    // named D-Bus error (throws).
    void check(const Caller& c, const char* method, const std::string& args, const Status& st);
    // check() for a step before the call's outcome: logs and throws only if ST is an error.
    void require(const Caller& c, const char* method, const std::string& args, const Status& st);
    // OpenTap/DeleteTap, for the Manager and the Tap object alike (METHOD names it in the log).
    // OBJECT: the Manager or Tap object handling the call (whose a{sv} is checked for duplicate
    // keys).
    sdbus::UnixFd open_tap(const Caller& c, const char* method, const std::string& name,
                           const std::map<std::string, sdbus::Variant>& options,
                           const sdbus::IObject& object);
    void delete_tap(const Caller& c, const char* method, const std::string& name);
    // Runs between two calls, after the reply of the first has gone out: destroys Tap objects
    // removed while one of their own methods ran, and exports the objects of taps created by
    // it. Exporting (vtable, InterfacesAdded with every property) takes ~0.2 ms that the
    // CreateTap caller need not wait for; no later call can see the tap without its object.
    void after_call();

  private:
    sdbus::ObjectPath CreateTap(const std::string& name,
                                const std::map<std::string, sdbus::Variant>& options) override;
    sdbus::UnixFd OpenTap(const std::string& name,
                          const std::map<std::string, sdbus::Variant>& options) override;
    void DeleteTap(const std::string& name) override;
    // bus_fds.cpp
    sdbus::UnixFd OpenRawSocket(const std::string& name, const int32_t& family,
                                const int32_t& protocol) override;
    sdbus::UnixFd OpenCapture(const std::string& name,
                              const std::map<std::string, sdbus::Variant>& options) override;
    std::vector<sdbus::ObjectPath> ListTaps() override;
    std::vector<sdbus::ObjectPath> ListAllTaps() override;
    std::vector<std::string> Cleanup(const bool& all) override;
    std::map<std::string, sdbus::Variant> GetPolicy() override;
    std::string Version() override;
    void Reload() override;

    sdbus::IConnection& conn_;
    Service& service_;
    LeaseWatcher& leases_;
    std::string policy_path_;
    std::map<std::string, std::unique_ptr<TapObject>> objects_;
    // Credentials per unique bus name: fixed for a connection's life (the bus reads them from
    // the socket at connect), so each client costs the bus round trips once; dropped when the
    // name goes (NameOwnerChanged). The uid's groups are read from the user database at the
    // same time and kept as long: a change of group membership applies to new connections, as
    // it applies to new login sessions.
    struct Creds {
        uid_t uid;
        pid_t pid;
        std::vector<gid_t> groups;
    };
    mutable std::map<std::string, Creds> creds_;
    std::vector<std::unique_ptr<TapObject>> dying_;
    std::vector<std::string> born_;
};

// The longest error message tapd sends (and logs as a call's reason): room for a policy error
// naming a long path, far less than a hostile caller's argument.
inline constexpr size_t kMaxErrorText = 1024;

// Throws the named D-Bus error for E, its message made valid UTF-8 of at most kMaxErrorText bytes.
[[noreturn]] void throw_error(const Error& e);
// Every string argument is bounded at the adaptor, before it is parsed, logged or echoed: a name
// by the kernel's limit (check_name_length), anything else by kMaxOptionString (check_length).
Status check_name_length(const std::string& name);
// A key given twice in the a{sv} of the call that OBJECT is handling.
Status check_option_keys(const sdbus::IObject& object);
// " KEY=VALUE" for a call's log line, VALUE bounded (log::value) so a hostile caller cannot flood
// the log.
std::string log_arg(const std::string& key, const std::string& v);

}  // namespace tapd
