// What the bus says about tapd's properties: those that never change during an object's life are
// marked const (clients may cache them), the others announce their changes.
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

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
    for (const char* name : {"Name", "Index", "OwnerUid", "Persistent", "MTU", "MAC", "Kind"})
        EXPECT_EQ(flags_of(tap.out, name), "const") << name << "\n" << tap.out;
    for (const char* name : {"Addresses", "Routes", "Masquerade"})
        EXPECT_EQ(flags_of(tap.out, name), "emits-change") << name << "\n" << tap.out;
    auto manager = env_->as_user(65534, {"busctl", "--system", "introspect", "net.tapd1",
                                         "/net/tapd1", "net.tapd1.Manager"});
    ASSERT_EQ(manager.status, 0) << manager.describe();
    EXPECT_EQ(flags_of(manager.out, "Version"), "const") << manager.out;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
}

// Method calls to net.tapd1 in a `busctl monitor` log.
int calls_to_tapd(const std::string& log) {
    int n = 0;
    std::istringstream in(log);
    std::string line;
    bool call = false;  // in a message block that is a method call
    while (std::getline(in, line)) {
        if (line.find("Type=") != std::string::npos)
            call = line.find("Type=method_call") != std::string::npos;
        if (call && line.find("Destination=net.tapd1 ") != std::string::npos) ++n;
    }
    return n;
}

// A listing is one call whatever the number of taps (issue 12: it was 1 + n GetAll calls, then
// ListTaps + GetManagedObjects), with every property of each tap.
TEST_F(Properties, ListAllIsOneCallWithEveryProperty) {
    for (const char* name : {"tap0", "tap1"})
        ASSERT_EQ(env_->tapctl({"create", name, "--address",
                                std::string("192.168.69.") + (name[3] == '0' ? "1" : "5") + "/30"})
                      .status,
                  0);
    ASSERT_EQ(env_->tapctl({"create", "tap2"}, 65533).status, 0);
    std::string log = env_->dir() + "/monitor.log";
    pid_t monitor = env_->spawn_as_user(
        0, {"busctl", "--address=" + env_->bus_address(), "monitor", "net.tapd1"}, log);
    ASSERT_GT(monitor, 0);
    ASSERT_TRUE(eventually([&] {
        return read_text(log).find("Monitoring bus message stream.") != std::string::npos;
    }));
    auto all = env_->tapctl({"list", "--all", "--json"}, 0);
    auto mine = env_->tapctl({"list", "--json"});
    // The monitor has seen both listings once the second call's reply is in its log.
    bool seen = eventually([&] { return calls_to_tapd(read_text(log)) >= 2; }, 5);
    kill_group(monitor);
    ASSERT_EQ(all.status, 0) << all.describe();
    ASSERT_EQ(mine.status, 0) << mine.describe();
    EXPECT_TRUE(seen);
    EXPECT_EQ(calls_to_tapd(read_text(log)), 2) << read_text(log);
    auto taps = nlohmann::json::parse(all.out);
    ASSERT_EQ(taps.size(), 3u) << all.out;
    EXPECT_EQ(taps[1]["name"], "tap1");
    EXPECT_EQ(taps[1]["addresses"], nlohmann::json::array({"192.168.69.5/30"}));
    EXPECT_EQ(taps[2]["owner_uid"], 65533);
    EXPECT_EQ(nlohmann::json::parse(mine.out).size(), 2u) << mine.out;
}

// GetTaps(all=true) is root's, as ListAllTaps is.
TEST_F(Properties, GetTapsOfAllUsersIsForRoot) {
    ASSERT_EQ(env_->tapctl({"create", "tap0"}).status, 0);
    auto refused = env_->busctl(65534, {"/net/tapd1", "net.tapd1.Manager", "GetTaps", "b", "true"});
    EXPECT_NE(refused.status, 0);
    EXPECT_NE(refused.err.find("only root may list every user's taps"), std::string::npos)
        << refused.describe();
    auto own = env_->busctl(65534, {"/net/tapd1", "net.tapd1.Manager", "GetTaps", "b", "false"});
    ASSERT_EQ(own.status, 0) << own.describe();
    EXPECT_NE(own.out.find("\"/net/tapd1/tap/tap0\""), std::string::npos) << own.out;
}

// A tap's object is exported for the call at hand only (it costs nothing at rest): after a start
// that adopts taps, each answers on its own path, and every listing of the objects (the tree,
// GetManagedObjects) shows every tap with its properties; an unknown tap has no object.
TEST_F(Properties, AdoptedTapsAnswerOnTheirPathsAndInEveryListing) {
    ASSERT_EQ(env_->tapctl({"create", "tap0", "--address", "192.168.69.1/30"}).status, 0);
    ASSERT_EQ(env_->tapctl({"create", "tap1", "--address", "192.168.69.5/30"}).status, 0);
    env_->stop_tapd(SIGKILL);
    env_->start_tapd();
    auto get = env_->as_user(65534, {"busctl", "--system", "get-property", "net.tapd1",
                                     "/net/tapd1/tap/tap1", "net.tapd1.Tap", "Addresses"});
    ASSERT_EQ(get.status, 0) << get.describe();
    EXPECT_EQ(get.out, "as 1 \"192.168.69.5/30\"\n");
    auto tree = env_->as_user(65534, {"busctl", "--system", "tree", "--list", "net.tapd1"});
    ASSERT_EQ(tree.status, 0) << tree.describe();
    EXPECT_NE(tree.out.find("/net/tapd1/tap/tap0\n"), std::string::npos) << tree.out;
    EXPECT_NE(tree.out.find("/net/tapd1/tap/tap1\n"), std::string::npos) << tree.out;
    auto managed = env_->busctl(
        65534, {"/net/tapd1", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects"});
    ASSERT_EQ(managed.status, 0) << managed.describe();
    for (const char* want : {"\"/net/tapd1/tap/tap0\"", "\"/net/tapd1/tap/tap1\"",
                             "\"192.168.69.1/30\"", "\"192.168.69.5/30\""})
        EXPECT_NE(managed.out.find(want), std::string::npos) << want << "\n" << managed.out;
    // A call through a tap's own object, then again: exported anew for each call.
    for (int i = 0; i < 2; ++i) {
        auto add = env_->busctl(
            65534, {"/net/tapd1/tap/tap0", "net.tapd1.Tap", "AddRoute", "s", "fdaa::/64"});
        EXPECT_EQ(add.status, i == 0 ? 0 : 1) << add.describe();
    }
    auto unknown = env_->as_user(65534, {"busctl", "--system", "get-property", "net.tapd1",
                                         "/net/tapd1/tap/tap9", "net.tapd1.Tap", "Name"});
    EXPECT_NE(unknown.status, 0);
    EXPECT_NE(unknown.err.find("Unknown object"), std::string::npos) << unknown.describe();
}

}  // namespace
}  // namespace tapd::test
