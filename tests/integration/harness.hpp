// Integration-test harness: a private system bus (the project's own bus policy), the real tapd in
// a network namespace made for one test, commands run as root or as an unprivileged uid.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tapd::test {

struct CommandResult {
    int status = -1;  // exit code, or 128+signal
    std::string out;
    std::string err;
    std::string describe() const;  // for assertion messages
};

// Runs ARGV (no shell), capturing stdout and stderr; killed after TIMEOUT seconds.
CommandResult run(const std::vector<std::string>& argv, int timeout_seconds = 60);

// Why privileged tests cannot run here, or "" if they can.
// `unshare --mount --propagation private -- sh -c SCRIPT ARG0 ARGS...`: SCRIPT (which changes
// mounts, then usually ends in `exec "$@"`) in a mount namespace of its own, so that nothing it
// mounts reaches the machine. ARG0 is the script's $0, ARGS its "$@".
std::vector<std::string> in_private_mounts(const std::string& script, const std::string& arg0,
                                           const std::vector<std::string>& args = {});
std::string privileged_unavailable();

// Skips the test when WHY (why it cannot run) is not empty, except under CI=true where that is a
// failure.
#define TAPD_SKIP_UNLESS_CI(why)                                               \
    do {                                                                       \
        std::string why_ = (why);                                              \
        if (!why_.empty()) {                                                   \
            if (::tapd::test::in_ci()) FAIL() << "cannot run in CI: " << why_; \
            GTEST_SKIP() << why_;                                              \
        }                                                                      \
    } while (0)

// Skips the test when privileges are missing, except under CI=true where that is a failure.
#define TAPD_REQUIRE_PRIVILEGES() TAPD_SKIP_UNLESS_CI(::tapd::test::privileged_unavailable())

bool in_ci();

// Whether COND holds within SECONDS, asking it every 20 ms (and once more at the end).
bool eventually(const std::function<bool()>& cond, int seconds = 5);

// Waits up to TIMEOUT seconds for the child PID to exit: its exit code, or 128+signal; -1 if it
// was still running (it is then killed with its process group, and reaped).
int wait_exit(pid_t pid, int timeout_seconds = 10);

// Whether the process PID has forked a child: `tapctl exec` forks its program only after tapd
// answered the create, so then the tap is recorded.
bool program_started(pid_t pid);

// Kills the process group PGID and reaps its leader.
void kill_group(pid_t pgid);

// The test policy: uids 65534 and 65533 each get 4 taps named tap*, private prefixes, and every
// permission; tests that check refusals write their own.
extern const char* const kTestPolicy;

// One test's world: a scratch directory, a private bus, a "host" namespace running tapd.
// Every name carries the pid and a counter, so parallel tests never collide; the destructor
// removes everything, also after a failed assertion.
class Env {
  public:
    Env();
    ~Env();
    Env(const Env&) = delete;
    Env& operator=(const Env&) = delete;

    const std::string& ns() const { return host_ns_; }
    const std::string& dir() const { return dir_; }
    std::string bus_address() const { return "unix:path=" + dir_ + "/bus"; }
    std::string state_dir() const { return state_dir_.empty() ? dir_ + "/state" : state_dir_; }
    // Where tapd keeps its state (default: inside dir()); set before start_tapd().
    void set_state_dir(const std::string& dir) { state_dir_ = dir; }

    // The policy file tapd is started with (dir()/policy.json). The constructor writes
    // kTestPolicy; write_policy() replaces it (tapd re-reads it on SIGHUP or Reload).
    std::string policy_path() const { return dir_ + "/policy.json"; }
    void write_policy(const std::string& json);

    // The private bus: started by the constructor; stop_bus() kills it (tapd loses it).
    void start_bus();
    void stop_bus();

    // Starts tapd in the host namespace (EXTRA_ENV: "KEY=VALUE" pairs) and waits for its name.
    void start_tapd(const std::vector<std::string>& extra_env = {});
    // Runs tapd in the foreground until it exits by itself (e.g. refusing a bad policy).
    CommandResult run_tapd_to_exit(int timeout_seconds = 10);
    // Sends SIG to tapd and returns its exit status (128+signal if killed).
    int stop_tapd(int sig = SIGTERM);
    // Waits for tapd to exit by itself (e.g. an injected crash); its status.
    int wait_tapd(int timeout_seconds = 10);
    // tapd's own pid (the wrappers that start it exec in place), or -1 when it is not running.
    pid_t tapd_pid() const { return tapd_pid_; }
    std::string tapd_log() const;
    // How many fds tapd holds (entries of /proc/PID/fd), or -1 when it is not running.
    int tapd_fd_count() const;
    // tapd's child processes (capture streamers; zombies count too), or -1 when it is not running.
    int tapd_children() const;

    // A further namespace, deleted with the Env.
    std::string add_ns(const std::string& suffix);

    // ARGV as UID (gid = uid, no supplementary groups) in namespace NS ("" = the host ns), with
    // the private bus as system bus.
    CommandResult as_user(uid_t uid, const std::vector<std::string>& argv,
                          const std::string& ns = "");
    // Starts ARGV as UID in the host namespace in the background, in its own process group,
    // stdout and stderr appended to LOG (default: discarded); returns its pid (== the pgid).
    pid_t spawn_as_user(uid_t uid, const std::vector<std::string>& argv,
                        const std::string& log = "/dev/null");
    // Starts `tapctl exec NAME ARGS... -- sleep 600` as UID in the background and waits until the
    // program runs (the ephemeral tap is recorded, its lease held by that tapctl). Returns the
    // process group to kill_group() (-1 after a failed assertion).
    pid_t hold_ephemeral(uid_t uid, const std::string& name,
                         const std::vector<std::string>& args = {});
    // tapctl as uid 65534 in the host namespace.
    CommandResult tapctl(const std::vector<std::string>& args, uid_t uid = 65534);
    // busctl as UID in the host namespace, calling net.tapd1: ARGS are `busctl call`'s after the
    // service (PATH INTERFACE METHOD [SIGNATURE [ARGUMENT...]]), any signature and value. stderr
    // holds busctl's debug log too, where a refused call's D-Bus error shows as
    // "error-name=NAME error-message=TEXT".
    CommandResult busctl(uid_t uid, const std::vector<std::string>& args);
    // ARGV as root inside namespace NS ("" = host).
    CommandResult in_ns(const std::vector<std::string>& argv, const std::string& ns = "");
    // `ip -j ARGS` in the host namespace, parsed.
    nlohmann::json ip_json(const std::vector<std::string>& args);
    // Waits up to 5 s for LINK's carrier (LOWER_UP): a program holds the tap open.
    bool wait_carrier(const std::string& link);
    // tapd's table (`nft -j list table inet tapd`), or null if absent.
    nlohmann::json nft_table();
    // Elements of a set of tapd's table, as text ("192.168.69.0/24", "tap0").
    std::vector<std::string> nft_set(const std::string& set);
    // Whether the forward guard is switched on (map guardmode holds ipv4 : jump guard4).
    bool nft_guard_on();
    // Rules in a chain of tapd's table (count).
    size_t nft_rule_count(const std::string& chain);
    int ip_forward();
    void set_ip_forward(int value);
    // The command that runs ARGV as UID (gid = uid, no supplementary groups) in namespace NS
    // ("" = the host ns) with the private bus as system bus.
    std::vector<std::string> user_command(uid_t uid, const std::vector<std::string>& argv,
                                          const std::string& ns = "") const;

  private:
    // The command that runs tapd in the host namespace on the private bus (EXTRA_ENV added).
    std::vector<std::string> tapd_command(const std::vector<std::string>& extra_env = {}) const;
    // ARGV run with the test users (65533, group tapd-testers) in the user database.
    std::vector<std::string> with_test_users(const std::vector<std::string>& argv) const;

    std::string id_, dir_, host_ns_, state_dir_;
    std::vector<std::string> namespaces_;
    pid_t bus_pid_ = -1;
    pid_t tapd_pid_ = -1;
};

// tests/support/fd_hoard run as UID in the background: it asks tapd N times for a capture or a
// raw socket (KIND "capture" or "raw") of TAP and holds what it got until stop() or destruction.
class Hoard {
  public:
    // Returns once the hoarder holds its fds (or after 120 s; out() then lacks "holding").
    Hoard(Env& env, uid_t uid, const std::string& kind, const std::string& tap, long n);
    ~Hoard() { stop(); }
    Hoard(const Hoard&) = delete;
    Hoard& operator=(const Hoard&) = delete;
    // What it printed: "opened K refused R", the first refusal as "error NAME: MESSAGE",
    // "holding".
    std::string out() const;
    // How many it got (the K of "opened K"), or -1 if it did not say.
    long opened() const;
    // Kills it, closing every fd it holds.
    void stop();

  private:
    std::string log_;
    pid_t pid_ = -1;
};

// The fixture of most integration tests: its own Env with tapd started. Without privileges the
// test is skipped (a failure under CI=true); a subclass's SetUp() calls this one first and stops
// when IsSkipped() or HasFatalFailure().
class TapdTest : public ::testing::Test {
  protected:
    void SetUp() override {
        TAPD_REQUIRE_PRIVILEGES();
        env_ = std::make_unique<Env>();
        env_->start_tapd();
    }
    std::unique_ptr<Env> env_;
};

// Paths of the build's programs (set by meson).
std::string tapd_bin();
std::string tapctl_bin();
std::string example_bin(const std::string& name);

// The taps tapd's state records: state.json's, with state.journal's changes replayed ({"put":
// RECORD} and {"erase": NAME} lines; a last line without its newline never counted).
std::set<std::string> recorded_taps(Env& env);

}  // namespace tapd::test
