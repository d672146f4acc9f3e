// stderr logging: "<6>" style prefixes only when JOURNAL_STREAM says stderr is the journal.
#include "log.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "utf8.hpp"

namespace tapd::log {

static void emit(const char* prefix, const char* level, const std::string& line) {
    static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
    std::string out = journal ? std::string(prefix) : std::string("tapd: ") + level;
    // Whatever a line was built from (a policy path, a file's bytes, a kernel's name), it is one
    // line of valid UTF-8, bounded: journald and log readers get text, not bytes.
    out += printable_utf8(line, kMaxLine);
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

std::string value(std::string_view v, size_t max_bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    static constexpr std::string_view kCut = "...";
    max_bytes = std::max(max_bytes, kCut.size());
    bool plain = !v.empty();
    std::string out;
    size_t fits_with_cut = 0;  // as in printable_utf8(): cut between escapes, never inside one
    for (unsigned char c : v) {
        if (out.size() <= max_bytes - kCut.size()) fits_with_cut = out.size();
        if (c <= ' ' || c == '"' || c == '\\' || c >= 0x7f) plain = false;
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
        if (out.size() > max_bytes) {
            out.resize(fits_with_cut);
            out += kCut;
            plain = false;
            break;
        }
    }
    return plain ? out : "\"" + out + "\"";
}

}  // namespace tapd::log
