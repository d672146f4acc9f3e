// net.ipv4.ip_forward of tapd's network namespace: read and write.
#pragma once

#include "result.hpp"

namespace tapd {

// Reads /proc/sys/net/ipv4/ip_forward (the opener's namespace): 0 or 1.
Result<int> read_ip_forward();
Status write_ip_forward(int value);

}  // namespace tapd
