// Policies from text, for the policy tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "policy.hpp"

namespace tapd {

// Parses TEXT as "policy.json"; the test fails if it is refused.
inline std::shared_ptr<const Policy> parsed(std::string_view text) {
    auto p = Policy::parse(text, "policy.json");
    EXPECT_TRUE(p.ok()) << p.error().message;
    return p.ok() ? p.value() : Policy::root_only();
}

// A version-1 policy with one rule whose body (the text between the braces) is BODY.
inline std::string with_rule(std::string_view body) {
    return "{\"version\": 1, \"rules\": [{" + std::string(body) + "}]}";
}

}  // namespace tapd
