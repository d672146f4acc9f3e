// libtapd's TapEvents: a program watching tapd sees taps added, changed and removed, from tapd's
// own signals (Client::watch, Client::process_events).
#include <fstream>
#include <sstream>

#include "harness.hpp"

namespace tapd::test {
namespace {

std::string read_file(const std::string& path) {
    std::stringstream out;
    out << std::ifstream(path).rdbuf();
    return out.str();
}

class TapEvents : public TapdTest {};

TEST_F(TapEvents, AWatcherSeesTapsAddedChangedAndRemoved) {
    const std::string log = env_->dir() + "/watch.log";
    pid_t watcher =
        env_->spawn_as_user(65533, {std::string(TAPD_TEST_SUPPORT) + "/tap_watch"}, log);
    ASSERT_GT(watcher, 0);
    ASSERT_TRUE(eventually([&] { return read_file(log).find("ready") != std::string::npos; }))
        << read_file(log);
    ASSERT_EQ(env_->tapctl({"create", "tap7", "--address", "192.168.69.1/24"}).status, 0);
    ASSERT_EQ(env_->tapctl({"addr", "add", "tap7", "fdaa::1/64"}).status, 0);
    ASSERT_EQ(env_->tapctl({"masquerade", "tap7", "on"}).status, 0);
    ASSERT_EQ(env_->tapctl({"delete", "tap7"}).status, 0);
    EXPECT_TRUE(eventually([&] {
        return read_file(log).find("removed tap7") != std::string::npos;
    })) << read_file(log);
    std::string out = read_file(log);
    kill_group(watcher);
    auto added = out.find("added tap7 addresses=1 masquerade=0");
    auto changed = out.find("changed tap7 addresses=2 masquerade=0");
    auto masq = out.find("changed tap7 addresses=2 masquerade=1");
    auto removed = out.find("removed tap7");
    ASSERT_NE(added, std::string::npos) << out;
    ASSERT_NE(changed, std::string::npos) << out;
    ASSERT_NE(masq, std::string::npos) << out;
    EXPECT_LT(added, changed) << out;
    EXPECT_LT(changed, masq) << out;
    EXPECT_LT(masq, removed) << out;
}

}  // namespace
}  // namespace tapd::test
