// Helpers for the netlink tests: a checked message from bytes, bytes as numbers to compare.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

#include "netlink_message.hpp"

namespace tapd {

// The message at the start of BYTES, which the test built to be one.
inline NlMessage message_of(NlBytes bytes) {
    auto m = NlMessage::checked(bytes);
    if (!m) {
        ADD_FAILURE() << "not a whole netlink message";
        std::abort();
    }
    return *m;
}

inline std::vector<uint8_t> to_u8(NlBytes bytes) {
    std::vector<uint8_t> out;
    for (std::byte b : bytes) out.push_back(static_cast<uint8_t>(b));
    return out;
}

}  // namespace tapd
