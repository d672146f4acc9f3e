// The fixture of the doctor tests (doctor_test, doctor_tap_test, doctor_host_test): tapd in a
// host namespace whose uplink leads to an "internet" namespace (nat_e2e_test's world), tapctl
// doctor run as uid 65534, its lines read by check name.
#pragma once

#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"

namespace tapd::test {

class Doctor : public ::testing::Test {
  protected:
    void SetUp() override {
        TAPD_REQUIRE_PRIVILEGES();
        env_ = std::make_unique<Env>();
        inet_ = env_->add_ns("inet");
        user_ = env_->add_ns("user");
        ok({"ip", "-n", env_->ns(), "link", "add", "uplink", "type", "veth", "peer", "name", "wan",
            "netns", inet_});
        ok({"ip", "-n", env_->ns(), "addr", "add", "203.0.113.2/24", "dev", "uplink"});
        ok({"ip", "-n", env_->ns(), "link", "set", "uplink", "up"});
        ok({"ip", "-n", env_->ns(), "route", "add", "default", "via", "203.0.113.1"});
        ok({"ip", "-n", inet_, "addr", "add", "203.0.113.1/24", "dev", "wan"});
        ok({"ip", "-n", inet_, "link", "set", "wan", "up"});
    }
    void ok(const std::vector<std::string>& argv) {
        auto r = run(argv);
        ASSERT_EQ(r.status, 0) << r.describe();
    }
    // A command in the host namespace, as root.
    void host(const std::vector<std::string>& argv) {
        auto r = env_->in_ns(argv);
        ASSERT_EQ(r.status, 0) << r.describe();
    }
    CommandResult create_masquerading() {
        return env_->tapctl({"create", "tap0", "--address", "192.168.69.100/24", "--masquerade"});
    }
    CommandResult doctor(const std::vector<std::string>& args = {"tap0"}) {
        std::vector<std::string> a = {"doctor"};
        a.insert(a.end(), args.begin(), args.end());
        return env_->tapctl(a);
    }
    // The doctor's line about CHECK (its text after the status), "" if there is none.
    static std::string line(const CommandResult& r, const std::string& check) {
        std::istringstream in(r.out);
        std::string l;
        while (std::getline(in, l))
            if (l.find("  " + check + ": ") != std::string::npos) return l;
        return "";
    }
    // One UDP datagram from a client holding only tap0's fd to the internet and back.
    bool nat_roundtrip(std::string* why) {
        CommandResult server;
        std::thread echo([&] {
            server = env_->in_ns({example_bin("udp_echo"), "203.0.113.1", "7777", "1"}, inet_);
        });
        bool bound = eventually([&] {
            return !env_->in_ns({"ss", "-Hlun", "sport = :7777"}, inet_).out.empty();
        });
        auto client =
            env_->as_user(65534,
                          {tapctl_bin(), "exec", "tap0", "--", example_bin("tap_udp_client"),
                           "192.168.69.1", "192.168.69.100", "203.0.113.1", "7777", "ping"},
                          user_);
        // A server that got nothing (the traffic was dropped) ends with a datagram of its own
        // namespace's; one that got the client's has ended already.
        env_->in_ns({"bash", "-c", "echo stop > /dev/udp/203.0.113.1/7777"}, inet_);
        echo.join();
        *why = client.describe() + server.describe();
        return bound && client.status == 0 &&
               server.out.find("from 203.0.113.2:40000: ping") != std::string::npos;
    }
    std::unique_ptr<Env> env_;
    std::string inet_, user_;
};

}  // namespace tapd::test
