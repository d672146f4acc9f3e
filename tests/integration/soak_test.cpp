// Soak: random operations (create, open, delete, client kill, daemon kill and restart) against a
// tapd in a namespace; the kernel must match tapd's report after every batch, and nothing of
// tapd's may be left once all clients are gone. TAPD_SOAK_OPS and TAPD_SOAK_SEED tune a run.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "harness.hpp"

namespace tapd::test {
namespace {

struct Tap {
    uid_t uid = 0;
    bool persistent = false;
    bool masquerade = false;
    pid_t holder = -1;  // tapctl exec keeping an ephemeral tap (process group)
};

std::string subnet_of(const std::string& name) {
    // tapa0..tapa5, tapb0..tapb5 → 10.<1|2>.<digit>.1/24: no two taps overlap.
    return "10." + std::string(name[3] == 'a' ? "1" : "2") + "." + name.substr(4) + ".1/24";
}

class Soak : public TapdTest {
  protected:
    void TearDown() override {
        for (auto& [name, t] : model_)
            if (t.holder > 0) kill_group(t.holder);
        for (pid_t p : orphans_) kill_group(p);
    }
    // tapd's view (root: every tap) must equal the model and the kernel.
    bool consistent(std::string* why) {
        auto listed = env_->tapctl({"list", "--all", "--json"}, 0);
        if (listed.status != 0) return *why = "list failed: " + listed.describe(), false;
        auto taps = nlohmann::json::parse(listed.out, nullptr, false);
        std::set<std::string> reported, modelled, kernel;
        std::set<std::string> masq_expected;
        for (const auto& t : taps) reported.insert(t["name"].get<std::string>());
        for (const auto& [name, t] : model_) {
            modelled.insert(name);
            if (t.masquerade) {
                auto s = subnet_of(name);
                masq_expected.insert(s.substr(0, s.rfind('.')) + ".0/24");
            }
        }
        for (const auto& l : env_->ip_json({"-d", "link", "show", "type", "tun"}))
            kernel.insert(l["ifname"].get<std::string>());
        if (reported != modelled)
            return *why = "tapd reports " + nlohmann::json(reported).dump() + ", model " +
                          nlohmann::json(modelled).dump(),
                   false;
        if (kernel != modelled)
            return *why = "kernel has " + nlohmann::json(kernel).dump() + ", model " +
                          nlohmann::json(modelled).dump(),
                   false;
        auto masq = env_->nft_set("masq4");
        if (std::set<std::string>(masq.begin(), masq.end()) != masq_expected)
            return *why = "masq4 holds " + nlohmann::json(masq).dump(), false;
        int fwd = env_->ip_forward();
        if (fwd != (masq_expected.empty() ? 0 : 1))
            return *why = "ip_forward " + std::to_string(fwd), false;
        // Every address tapd reports is on the link.
        for (const auto& t : taps)
            for (const auto& a : t["addresses"]) {
                auto addrs = env_->ip_json({"addr", "show", "dev", t["name"].get<std::string>()});
                if (addrs.dump().find(a.get<std::string>().substr(
                        0, a.get<std::string>().find('/'))) == std::string::npos)
                    return *why = "address " + a.get<std::string>() + " missing", false;
            }
        return true;
    }

    bool eventually_consistent(std::string* why) {
        return eventually([&] { return consistent(why); });
    }

    size_t owned(uid_t uid) const {
        return std::count_if(model_.begin(), model_.end(),
                             [&](const auto& e) { return e.second.uid == uid; });
    }

    std::map<std::string, Tap> model_;
    std::vector<pid_t> orphans_;
};

TEST_F(Soak, RandomOperationsKeepKernelAndTapdInAgreementAndLeakNothing) {
    const int ops = std::getenv("TAPD_SOAK_OPS") ? std::atoi(std::getenv("TAPD_SOAK_OPS")) : 1000;
    const unsigned seed =
        std::getenv("TAPD_SOAK_SEED") ? std::atoi(std::getenv("TAPD_SOAK_SEED")) : 20261127;
    std::mt19937 rng(seed);
    std::map<std::string, int> count;
    int mismatches = 0;
    std::vector<std::string> names;
    for (char fam : {'a', 'b'})
        for (int i = 0; i < 6; ++i) names.push_back(std::string("tap") + fam + std::to_string(i));

    for (int op = 0; op < ops; ++op) {
        const std::string name = names[rng() % names.size()];
        const uid_t uid = name[3] == 'a' ? 65534 : 65533;
        const bool exists = model_.count(name) > 0;
        const bool masq = rng() % 2;
        int kind = rng() % 100;
        std::vector<std::string> create_opts = {"--address", subnet_of(name)};
        if (masq) create_opts.push_back("--masquerade");
        if (kind < 30) {  // persistent create
            std::vector<std::string> args = {"create", name};
            args.insert(args.end(), create_opts.begin(), create_opts.end());
            auto r = env_->tapctl(args, uid);
            bool want_ok = !exists && owned(uid) < 4;
            ASSERT_EQ(r.status == 0, want_ok)
                << "op " << op << " create " << name << ": " << r.describe();
            if (!want_ok) {
                EXPECT_NE(r.err.find(exists ? "Conflict" : "QuotaExceeded"), std::string::npos)
                    << r.describe();
            }
            if (want_ok) model_[name] = Tap{uid, true, masq, -1};
            ++count["create"];
        } else if (kind < 50) {  // ephemeral create held by a running program
            if (exists || owned(uid) >= 4) continue;
            std::vector<std::string> argv = {tapctl_bin(), "exec", name};
            argv.insert(argv.end(), create_opts.begin(), create_opts.end());
            argv.insert(argv.end(), {"--", "sleep", "600"});
            pid_t pid = env_->spawn_as_user(uid, argv);
            // The link appears at TUNSETIFF, before tapd has recorded and answered the create;
            // the program runs only once tapctl has the answer.
            ASSERT_TRUE(eventually([&] { return program_started(pid); }))
                << "op " << op << ": ephemeral " << name << " never started its program\n"
                << env_->tapd_log();
            model_[name] = Tap{uid, false, masq, pid};
            ++count["exec (ephemeral)"];
        } else if (kind < 60) {  // open
            auto r = env_->tapctl({"exec", name, "--", "true"}, uid);
            // exec on a new name makes an ephemeral tap for the run (quota permitting).
            if (!exists && owned(uid) < 4)
                EXPECT_EQ(r.status, 0) << r.describe();
            else if (!exists)
                EXPECT_NE(r.err.find("QuotaExceeded"), std::string::npos) << r.describe();
            else if (model_[name].holder > 0)
                EXPECT_NE(r.err.find("already open"), std::string::npos) << r.describe();
            else
                EXPECT_EQ(r.status, 0) << r.describe();
            ++count["open"];
        } else if (kind < 80) {  // delete
            auto r = env_->tapctl({"delete", name}, uid);
            ASSERT_EQ(r.status == 0, exists)
                << "op " << op << " delete " << name << ": " << r.describe();
            if (exists) {
                if (model_[name].holder > 0) orphans_.push_back(model_[name].holder);
                model_.erase(name);
            }
            ++count["delete"];
        } else if (kind < 92) {  // client kill: the lease holder dies without a word
            auto it = std::find_if(model_.begin(), model_.end(),
                                   [](const auto& e) { return e.second.holder > 0; });
            if (it == model_.end()) continue;
            kill(it->second.holder, SIGKILL);  // tapctl only; its program keeps the fd a moment
            orphans_.push_back(it->second.holder);
            std::string gone = it->first;
            model_.erase(it);
            // The lease ends asynchronously (NameOwnerChanged); later ops expect it ended.
            auto removed = [&] { return env_->ip_json({"link", "show", gone}).empty(); };
            ASSERT_TRUE(eventually(removed))
                << "op " << op << ": killed client's tap " << gone << " stayed\n"
                << env_->tapd_log();
            ++count["client kill"];
        } else {  // daemon kill and restart
            env_->stop_tapd(SIGKILL);
            env_->start_tapd();
            ++count["daemon kill+restart"];
        }
        if (op % 25 == 24 || op == ops - 1) {
            std::string why;
            if (!eventually_consistent(&why)) {
                ++mismatches;
                ADD_FAILURE() << "after op " << op << ": " << why << "\n" << env_->tapd_log();
                break;
            }
        }
    }
    // All clients go: leases end, persistent taps are deleted by their owners.
    for (auto& [name, t] : model_)
        if (t.holder > 0) {
            kill(t.holder, SIGKILL);
            orphans_.push_back(t.holder);
        }
    for (auto it = model_.begin(); it != model_.end();) {
        if (it->second.persistent) {
            EXPECT_EQ(env_->tapctl({"delete", it->first}, it->second.uid).status, 0);
        }
        it = model_.erase(it);
    }
    std::string why;
    EXPECT_TRUE(eventually_consistent(&why)) << why;
    // Nothing of tapd's is left.
    int leaks = 0;
    leaks += env_->ip_json({"-d", "link", "show", "type", "tun"}).size();
    leaks += env_->ip_json({"route", "show", "proto", "177"}).size();
    leaks += env_->ip_json({"-6", "route", "show", "proto", "177"}).size();
    leaks += env_->nft_set("masq4").size() + env_->nft_set("taps").size();
    leaks += env_->nft_guard_on();
    leaks += env_->ip_forward();
    EXPECT_EQ(leaks, 0);
    std::printf("soak: %d operations (seed %u):", ops, seed);
    for (const auto& [k, v] : count) std::printf(" %s %d,", k.c_str(), v);
    std::printf(" mismatches %d, leaks %d\n", mismatches, leaks);
}

}  // namespace
}  // namespace tapd::test
