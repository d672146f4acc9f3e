// Helpers shared by the unit tests: addresses and networks from literals, and refusals checked by
// their message.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "ip.hpp"

namespace tapd {

// Passes when R failed with InvalidArgument and its message holds TEXT.
template <class R>
::testing::AssertionResult RefusedNaming(const R& r, std::string_view text) {
    if (r.ok()) return ::testing::AssertionFailure() << "was accepted";
    if (r.error().kind != ErrorKind::InvalidArgument)
        return ::testing::AssertionFailure() << "wrong error kind: " << r.error().message;
    if (r.error().message.find(text) == std::string::npos)
        return ::testing::AssertionFailure()
               << "message \"" << r.error().message << "\" does not hold \"" << text << "\"";
    return ::testing::AssertionSuccess();
}

// TEXT as a network (no host bits); the test fails if it is refused.
inline Prefix net(std::string_view text) {
    auto p = parse_network(text);
    EXPECT_TRUE(p.ok()) << text << ": " << p.error().message;
    return p.ok() ? p.value() : Prefix{};
}

// TEXT as an interface address (host bits kept); the test fails if it is refused.
inline Prefix addr(std::string_view text) {
    auto p = parse_interface_address(text);
    EXPECT_TRUE(p.ok()) << text << ": " << p.error().message;
    return p.ok() ? p.value() : Prefix{};
}

}  // namespace tapd
