// Interface-name rules: what tapd accepts as a tap name, checked before any policy match.
#pragma once

#include <string>
#include <string_view>

#include "result.hpp"

namespace tapd {

// Longest name the kernel stores (IFNAMSIZ 16 including the NUL).
inline constexpr size_t kMaxIfNameLength = 15;

// Accepts 1-15 bytes of [A-Za-z0-9_.-], starting with a letter or digit, not "." or "..".
// Refuses instead of truncating or rewriting: qemu-bridge-helper (CVE-2019-13164) checked a name
// and then used a truncated one. '%' is refused so the kernel never expands a "tap%d" template.
Status validate_ifname(std::string_view name);

// A name that passed validate_ifname(): what the daemon's handlers take, so that no path can
// skip the check.
class IfName {
  public:
    static Result<IfName> parse(std::string_view name) {
        if (auto st = validate_ifname(name); !st) return st.error();
        return IfName(std::string(name));
    }
    const std::string& str() const { return name_; }

  private:
    explicit IfName(std::string name) : name_(std::move(name)) {}
    std::string name_;
};

}  // namespace tapd
