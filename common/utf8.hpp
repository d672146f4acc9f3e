// Text that tapd sends (D-Bus error messages, property strings) or logs: always valid UTF-8 and
// bounded, whatever bytes a caller, a policy file or the kernel handed over.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tapd {

// How many bytes of a caller's value an error message shows (printable_utf8(value, kShownBytes)):
// enough to recognise it, never enough to flood a reply or a log line.
inline constexpr size_t kShownBytes = 64;

// TEXT as valid UTF-8 (RFC 3629) of at most MAX_BYTES bytes. Each byte that does not belong to a
// well-formed character (a stray continuation byte, a truncated sequence, an overlong encoding, a
// UTF-16 surrogate, anything above U+10FFFF, 0xc0/0xc1/0xf5-0xff) and each ASCII control byte
// (0x00-0x1f, 0x7f: a NUL ends a C string, a newline forges a log line) becomes the four
// characters "\xNN". Text that does not fit is cut at a character boundary (never inside a
// character or an escape) and ends in "..." within MAX_BYTES (at least 3).
//
// Why: sd-bus refuses to send a string that is not valid UTF-8, so an error message cut inside a
// character was never sent and its caller waited for its own timeout.
std::string printable_utf8(std::string_view text, size_t max_bytes);

}  // namespace tapd
