// Tests for daemon/policy/users: names to ids and a uid's groups, from the system user database.
#include "users.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace tapd {
namespace {

TEST(PolicyUsers, LooksUpUserAndGroupNames) {
    auto root = look_up_user("root");
    ASSERT_TRUE(root.id.has_value());
    EXPECT_EQ(*root.id, 0u);
    EXPECT_EQ(root.err, 0);
    auto nogroup = look_up_group("nogroup");
    ASSERT_TRUE(nogroup.id.has_value());
    EXPECT_EQ(*nogroup.id, 65534u);
}

TEST(PolicyUsers, FindsNoIdForAnUnknownNameWithoutAnError) {
    for (auto found : {look_up_user("no-such-user-tapd"), look_up_group("no-such-group-tapd")}) {
        EXPECT_FALSE(found.id.has_value());
        EXPECT_EQ(found.err, 0);
    }
}

TEST(PolicyGroupsOf, ListsThePrimaryGroupFirst) {
    auto groups = groups_of(0);
    ASSERT_FALSE(groups.empty());
    EXPECT_EQ(groups[0], 0u);
    EXPECT_EQ(std::count(groups.begin(), groups.end(), 0u), 1);
    auto nobody = groups_of(65534);
    ASSERT_FALSE(nobody.empty());
    EXPECT_EQ(nobody[0], 65534u);
}

TEST(PolicyGroupsOf, IsEmptyForAUidWithoutAPasswdEntry) {
    EXPECT_TRUE(groups_of(4000000123u).empty());
}

}  // namespace
}  // namespace tapd
