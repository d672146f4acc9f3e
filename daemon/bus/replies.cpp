// Replies: the call log line and the named D-Bus errors.
#include "replies.hpp"

#include "ifname.hpp"
#include "log.hpp"
#include "names.hpp"
#include "options.hpp"
#include "utf8.hpp"

namespace tapd {

std::string log_arg(const std::string& key, const std::string& v) {
    return " " + key + "=" + log::value(v);
}

sdbus::Error bus_error(const Error& e) {
    // sd-bus does not send a message that is not valid UTF-8: its caller would wait in vain.
    return sdbus::Error(names::error_name(e.kind), printable_utf8(e.message, kMaxErrorText));
}

void throw_error(const Error& e) {
    throw bus_error(e);
}

Status check_name_length(const std::string& name) {
    return check_length("interface name", name, kMaxIfNameLength);
}

Status check_option_keys(const sdbus::IObject& object) {
    return check_unique_option_keys(*object.getCurrentlyProcessedMessage());
}

void reply(const Caller& c, const char* method, const std::string& args, const Status& st) {
    log_reply(c, method, args, st);
    if (!st) throw_error(st.error());
}

void log_reply(const Caller& c, const char* method, const std::string& args, const Status& st) {
    std::string line = std::string("method=") + method + " uid=" + std::to_string(c.uid) +
                       " pid=" + std::to_string(c.pid) + " client=" + c.sender + args;
    if (st) {
        log::info(line + " result=ok");
        return;
    }
    log::info(line + " result=" + names::error_name(st.error().kind) +
              " reason=" + log::value(st.error().message, kMaxErrorText));
}

}  // namespace tapd
