// How tapd answers a call: one log line per call (method, caller, arguments, outcome), and a
// refusal as the named D-Bus error of its kind. Every refusal, from the adaptor's parsing or the
// service, goes through reply(): the one path that logs them.
#pragma once

#include <string>

#include <sdbus-c++/sdbus-c++.h>

#include "caller.hpp"
#include "result.hpp"

namespace tapd {

// The longest error message tapd sends (and logs as a call's reason): room for a policy error
// naming a long path, far less than a hostile caller's argument.
inline constexpr size_t kMaxErrorText = 1024;

// The named D-Bus error for E, its message made valid UTF-8 of at most kMaxErrorText bytes.
sdbus::Error bus_error(const Error& e);
// Throws bus_error(E).
[[noreturn]] void throw_error(const Error& e);

// Logs METHOD's outcome ST for caller C with ARGS (log_arg()s) on one line; an error is then
// thrown as its D-Bus error.
void reply(const Caller& c, const char* method, const std::string& args, const Status& st);
// reply() for a call answered after its handler returned (an Async method): logs the outcome
// ST and returns, leaving the answer (bus_error() for an error) to the caller.
void log_reply(const Caller& c, const char* method, const std::string& args, const Status& st);
// reply() for a step before the call's outcome: logs and throws only if ST is an error.
inline void require(const Caller& c, const char* method, const std::string& args,
                    const Status& st) {
    if (!st) reply(c, method, args, st);
}
// The value of R, or (logged, thrown) its error.
template <typename T>
T required(const Caller& c, const char* method, const std::string& args, Result<T> r) {
    if (!r) reply(c, method, args, r.error());
    return std::move(r.value());
}

// Every string argument is bounded at the adaptor, before it is parsed, logged or echoed: a name
// by the kernel's limit, anything else by kMaxOptionString.
Status check_name_length(const std::string& name);
// A key given twice in the a{sv} of the call that OBJECT is handling.
Status check_option_keys(const sdbus::IObject& object);
// " KEY=VALUE" for a call's log line, VALUE bounded (log::value) so a hostile caller cannot flood
// the log.
std::string log_arg(const std::string& key, const std::string& v);

}  // namespace tapd
