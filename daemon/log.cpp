// stderr logging: "<6>" style prefixes only when JOURNAL_STREAM says stderr is the journal.
#include "log.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace tapd::log {

static void emit(const char* prefix, const char* level, const std::string& line) {
    static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
    std::string out = journal ? std::string(prefix) : std::string("tapd: ") + level;
    out += line;
    out += '\n';
    // One write per line so that concurrent writers never interleave within a line.
    ssize_t ignored = ::write(STDERR_FILENO, out.data(), out.size());
    (void)ignored;
}

void info(const std::string& line) {
    emit("<6>", "", line);
}
void warn(const std::string& line) {
    emit("<4>", "warning: ", line);
}
void error(const std::string& line) {
    emit("<3>", "error: ", line);
}

std::string value(const std::string& v) {
    bool plain = !v.empty();
    for (unsigned char c : v)
        if (c <= ' ' || c == '"' || c == '\\' || c >= 0x7f) plain = false;
    if (plain) return v;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (unsigned char c : v) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < ' ' || c >= 0x7f) {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

}  // namespace tapd::log
