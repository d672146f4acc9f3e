// Helpers for the netlink tests: a checked message from bytes, bytes as numbers to compare.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
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

inline std::vector<std::byte> to_bytes(const std::vector<uint8_t>& in) {
    std::vector<std::byte> out;
    for (uint8_t b : in) out.push_back(std::byte{b});
    return out;
}

// A message as the kernel sends it: header (nlmsg_len set), then PAYLOAD, padded to 4 bytes.
inline std::vector<std::byte> kernel_message(uint16_t type, uint16_t flags, uint32_t seq,
                                             const std::vector<uint8_t>& payload = {}) {
    nlmsghdr h{};
    h.nlmsg_len = static_cast<uint32_t>(NLMSG_HDRLEN + payload.size());
    h.nlmsg_type = type;
    h.nlmsg_flags = flags;
    h.nlmsg_seq = seq;
    std::vector<std::byte> out(sizeof h);
    std::memcpy(out.data(), &h, sizeof h);
    for (uint8_t b : payload) out.push_back(std::byte{b});
    out.resize(NLMSG_ALIGN(h.nlmsg_len), std::byte{0});
    return out;
}

// An int (nlmsgerr's error, NLMSG_DONE's code) as payload bytes.
inline std::vector<uint8_t> int_bytes(int v) {
    std::vector<uint8_t> out(sizeof v);
    std::memcpy(out.data(), &v, sizeof v);
    return out;
}

// Datagrams joined one after the other.
inline std::vector<std::byte> join(std::initializer_list<std::vector<std::byte>> parts) {
    std::vector<std::byte> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

}  // namespace tapd
