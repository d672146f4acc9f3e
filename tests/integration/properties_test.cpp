// What the bus says about tapd's properties: those that never change during an object's life are
// marked const (clients may cache them), the others announce their changes.
#include <sstream>
#include <string>

#include "harness.hpp"

namespace tapd::test {
namespace {

// The flags column of `busctl introspect` for property .NAME (e.g. "const", "emits-change").
std::string flags_of(const std::string& introspect, const std::string& name) {
    std::istringstream in(introspect);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string member, kind;
        words >> member >> kind;
        if (member != "." + name || kind != "property") continue;
        auto last = line.find_last_of(' ');
        return line.substr(last + 1);
    }
    return "(no property ." + name + ")";
}

class Properties : public TapdTest {};

TEST_F(Properties, ConstantOnesAreMarkedConst) {
    auto r = env_->tapctl({"create", "tap0", "--address", "192.168.69.100/24"});
    ASSERT_EQ(r.status, 0) << r.describe();
    auto tap = env_->as_user(65534, {"busctl", "--system", "introspect", "net.tapd1",
                                     "/net/tapd1/tap/tap0", "net.tapd1.Tap"});
    ASSERT_EQ(tap.status, 0) << tap.describe();
    for (const char* name : {"Name", "Index", "OwnerUid", "Persistent", "MTU", "MAC"})
        EXPECT_EQ(flags_of(tap.out, name), "const") << name << "\n" << tap.out;
    for (const char* name : {"Addresses", "Routes", "Masquerade"})
        EXPECT_EQ(flags_of(tap.out, name), "emits-change") << name << "\n" << tap.out;
    auto manager = env_->as_user(65534, {"busctl", "--system", "introspect", "net.tapd1",
                                         "/net/tapd1", "net.tapd1.Manager"});
    ASSERT_EQ(manager.status, 0) << manager.describe();
    EXPECT_EQ(flags_of(manager.out, "Version"), "const") << manager.out;
}

}  // namespace
}  // namespace tapd::test
