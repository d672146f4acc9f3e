// tapctl's bash completion against the real tapctl and tapd: `tapctl delete <TAB>` offers the
// caller's own taps, as `tapctl list --json` prints them, and no other user's.
#include <string>

#include "harness.hpp"

namespace tapd::test {
namespace {

class Completion : public TapdTest {};

// The completion's replies, one a line, for the command line LINE (the cursor at its end), run
// as UID in bash with the build's tapctl first on PATH.
CommandResult complete_as(Env& env, uid_t uid, const std::string& line) {
    std::string tapctl_dir = tapctl_bin().substr(0, tapctl_bin().rfind('/'));
    std::string script = "PATH=" + tapctl_dir + ":$PATH; . " TAPD_TEST_COMPLETION "; COMP_LINE='" +
                         line +
                         "'; COMP_POINT=${#COMP_LINE}; COMP_WORDS=($COMP_LINE ''); "
                         "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _tapctl; "
                         "printf '%s\\n' \"${COMPREPLY[@]}\"";
    return env.as_user(uid, {"bash", "--norc", "--noprofile", "-c", script});
}

TEST_F(Completion, OffersTheCallersOwnTaps) {
    ASSERT_EQ(env_->tapctl({"create", "tap0"}, 65534).status, 0);
    ASSERT_EQ(env_->tapctl({"create", "tapz1"}, 65534).status, 0);
    ASSERT_EQ(env_->tapctl({"create", "tap9"}, 65533).status, 0);
    auto r = complete_as(*env_, 65534, "tapctl delete ");
    EXPECT_EQ(r.status, 0) << r.describe();
    EXPECT_EQ(r.out, "tap0\ntapz1\n") << r.describe();
    r = complete_as(*env_, 65533, "tapctl show ");
    EXPECT_EQ(r.out, "tap9\n") << r.describe();
    r = complete_as(*env_, 65534, "tapctl masquerade tapz");
    EXPECT_EQ(r.out, "tapz1\n") << r.describe();
}

}  // namespace
}  // namespace tapd::test
