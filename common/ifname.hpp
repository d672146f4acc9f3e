// Interface-name rules: what tapd accepts as a tap name, checked before any policy match.
#pragma once

#include <string_view>

#include "result.hpp"

namespace tapd {

// Longest name the kernel stores (IFNAMSIZ 16 including the NUL).
inline constexpr size_t kMaxIfNameLength = 15;

// Accepts 1-15 bytes of [A-Za-z0-9_.-], starting with a letter or digit, not "." or "..".
// Refuses instead of truncating or rewriting: qemu-bridge-helper (CVE-2019-13164) checked a name
// and then used a truncated one. '%' is refused so the kernel never expands a "tap%d" template.
Status validate_ifname(std::string_view name);

}  // namespace tapd
