// The integration-test harness: process running, namespaces, private bus, tapd lifecycle.
#include "harness.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

extern char** environ;

namespace tapd::test {

namespace fs = std::filesystem;

std::string tapd_bin() {
    return TAPD_TEST_TAPD;
}
std::string tapctl_bin() {
    return TAPD_TEST_TAPCTL;
}
std::string example_bin(const std::string& name) {
    return std::string(TAPD_TEST_EXAMPLES) + "/" + name;
}

bool in_ci() {
    const char* ci = std::getenv("CI");
    return ci && std::string(ci) == "true";
}

std::string CommandResult::describe() const {
    return "exit " + std::to_string(status) + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
}

static long now_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

bool eventually(const std::function<bool()>& cond, int seconds) {
    for (int i = 0; i < seconds * 50; ++i) {
        if (cond()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return cond();
}

static int exit_status(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool program_started(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
    pid_t child = 0;
    return static_cast<bool>(in >> child);
}

void kill_group(pid_t pgid) {
    if (pgid <= 0) return;
    kill(-pgid, SIGKILL);
    waitpid(pgid, nullptr, 0);
}

int wait_exit(pid_t pid, int timeout_seconds) {
    int status = 0;
    if (eventually([&] { return waitpid(pid, &status, WNOHANG) == pid; }, timeout_seconds))
        return exit_status(status);
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return -1;
}

// Starts ARGV in the background, stdin from /dev/null, stdout and stderr appended to LOG
// ("/dev/null" to discard), in a process group of its own when NEW_GROUP; returns the pid, or
// the negated posix_spawn error.
static pid_t spawn_background(const std::vector<std::string>& argv, const std::string& log,
                              bool new_group) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    if (new_group) {
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
        posix_spawnattr_setpgroup(&attr, 0);
    }
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, args[0], &fa, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return rc == 0 ? pid : -rc;
}

CommandResult run(const std::vector<std::string>& argv, int timeout_seconds) {
    CommandResult r;
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
        r.err = std::string("pipe: ") + std::strerror(errno);
        return r;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
        close(out[0]);
        close(err[0]);
        r.err = "spawn " + argv[0] + ": " + std::strerror(rc);
        return r;
    }
    long deadline = now_ms() + timeout_seconds * 1000L;
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    int open_fds = 2;
    bool killed = false;
    while (open_fds > 0) {
        long left = deadline - now_ms();
        if (left <= 0 && !killed) {
            kill(pid, SIGKILL);
            killed = true;
            r.err += "[harness: killed after " + std::to_string(timeout_seconds) + " s]\n";
        }
        int n = poll(fds, 2, killed ? 1000 : static_cast<int>(left));
        if (n < 0 && errno != EINTR) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[4096];
            ssize_t got = read(fds[i].fd, buf, sizeof buf);
            if (got > 0) {
                (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(got));
            } else {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            }
        }
        if (killed && n == 0) break;
    }
    for (auto& f : fds)
        if (f.fd >= 0) close(f.fd);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.status = exit_status(status);
    return r;
}

std::string privileged_unavailable() {
    if (geteuid() != 0) return "needs root (network namespaces, a private bus, tapd)";
    if (access("/dev/net/tun", F_OK) != 0) return "/dev/net/tun is missing";
    for (const char* tool : {"/usr/bin/dbus-daemon", "/usr/bin/setpriv", "/usr/sbin/nft"})
        if (access(tool, X_OK) != 0) return std::string(tool) + " is missing";
    if (access("/usr/sbin/ip", X_OK) != 0 && access("/bin/ip", X_OK) != 0) return "ip is missing";
    return "";
}

const char* const kTestPolicy = R"({
  "version": 1,
  "rules": [
    { "comment": "the integration tests' two users",
      "users": [65534, 65533],
      "max_taps": 4,
      "name_prefix": "tap",
      "prefixes": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/64"],
      "masquerade": true, "persistent": true, "owner_access": true,
      "raw_sockets": true, "capture": true }
  ]
}
)";

static std::atomic<int> g_counter{0};

void Env::write_policy(const std::string& json) {
    std::string tmp = policy_path() + ".tmp";
    std::ofstream(tmp) << json;
    chmod(tmp.c_str(), 0644);
    rename(tmp.c_str(), policy_path().c_str());
}

Env::Env() {
    id_ = std::to_string(getpid()) + "x" + std::to_string(g_counter++);
    dir_ = "/tmp/tapd-test-" + id_;
    fs::remove_all(dir_);
    fs::create_directory(dir_);
    // The bus socket must be reachable by the unprivileged test uids.
    chmod(dir_.c_str(), 0755);
    // Unprivileged users must reach the build's programs: every parent directory needs o+x.
    for (fs::path p = fs::path(tapctl_bin()).parent_path(); p != p.root_path();
         p = p.parent_path()) {
        struct stat st {};
        if (stat(p.c_str(), &st) == 0 && !(st.st_mode & S_IXOTH))
            ADD_FAILURE() << p
                          << " is not searchable by other users (chmod o+x): uid 65534 "
                             "cannot run the build's tapctl";
    }
    write_policy(kTestPolicy);
    host_ns_ = add_ns("host");
    in_ns({"ip", "link", "set", "lo", "up"});

    // A second test user (uid 65533) and a group, seen only by the bus and tapd: they run with
    // these files bind-mounted over /etc/passwd and /etc/group in a private mount namespace, so
    // the machine's user database is never touched.
    {
        std::ifstream pw("/etc/passwd"), gr("/etc/group");
        std::stringstream p, g;
        p << pw.rdbuf()
          << "tapd-test2:x:65533:65533:tapd test user:/nonexistent:/usr/sbin/nologin\n";
        g << gr.rdbuf() << "tapd-test2:x:65533:\ntapd-testers:x:65530:tapd-test2\n";
        std::ofstream(dir_ + "/passwd") << p.str();
        std::ofstream(dir_ + "/group") << g.str();
    }

    std::ifstream in(TAPD_TEST_BUS_CONF_IN);
    std::stringstream conf;
    conf << in.rdbuf();
    std::string text = conf.str();
    auto replace = [&](const std::string& key, const std::string& value) {
        for (size_t pos; (pos = text.find(key)) != std::string::npos;)
            text.replace(pos, key.size(), value);
    };
    replace("@SOCKET@", dir_ + "/bus");
    replace("@POLICY@", TAPD_TEST_BUS_POLICY);
    std::ofstream(dir_ + "/bus.conf") << text;

    start_bus();
}

void Env::start_bus() {
    unlink((dir_ + "/bus").c_str());
    std::vector<std::string> argv = with_test_users(
        {"dbus-daemon", "--config-file=" + dir_ + "/bus.conf", "--nofork", "--nopidfile"});
    bus_pid_ = spawn_background(argv, dir_ + "/bus.log", false);
    if (bus_pid_ < 0) ADD_FAILURE() << "spawn dbus-daemon: " << std::strerror(-bus_pid_);
    if (!eventually([&] { return access((dir_ + "/bus").c_str(), F_OK) == 0; }, 2))
        ADD_FAILURE() << "the private bus did not start";
}

void Env::stop_bus() {
    if (bus_pid_ <= 0) return;
    kill(bus_pid_, SIGTERM);
    waitpid(bus_pid_, nullptr, 0);
    bus_pid_ = -1;
}

std::vector<std::string> in_private_mounts(const std::string& script, const std::string& arg0,
                                           const std::vector<std::string>& args) {
    std::vector<std::string> out = {"unshare", "--mount", "--propagation", "private", "--",
                                    "sh",      "-c",      script,          arg0};
    out.insert(out.end(), args.begin(), args.end());
    return out;
}

std::vector<std::string> Env::with_test_users(const std::vector<std::string>& argv) const {
    return in_private_mounts(
        "mount --bind \"$0/passwd\" /etc/passwd && mount --bind \"$0/group\" /etc/group && "
        "exec \"$@\"",
        dir_, argv);
}

Env::~Env() {
    if (tapd_pid_ > 0) stop_tapd(SIGTERM);
    if (::testing::Test::HasFailure()) {
        std::printf("---- tapd log (%s) ----\n%s---- end of tapd log ----\n", id_.c_str(),
                    tapd_log().c_str());
    }
    stop_bus();
    for (auto it = namespaces_.rbegin(); it != namespaces_.rend(); ++it)
        run({"ip", "netns", "del", *it});
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

std::string Env::add_ns(const std::string& suffix) {
    std::string name = "tapdt-" + id_ + "-" + suffix;
    auto r = run({"ip", "netns", "add", name});
    if (r.status != 0) ADD_FAILURE() << "ip netns add " << name << ": " << r.describe();
    namespaces_.push_back(name);
    return name;
}

std::vector<std::string> Env::tapd_command(const std::vector<std::string>& extra_env) const {
    std::vector<std::string> inner = {
        "ip", "netns", "exec", host_ns_, "env", "DBUS_SYSTEM_BUS_ADDRESS=" + bus_address()};
    inner.insert(inner.end(), extra_env.begin(), extra_env.end());
    // TAPD_TEST_WRAP: words to run tapd under (valgrind and its options: bench/README).
    if (const char* wrap = std::getenv("TAPD_TEST_WRAP")) {
        std::istringstream words(wrap);
        for (std::string w; words >> w;) inner.push_back(w);
    }
    inner.insert(inner.end(), {tapd_bin(), "--state-dir", state_dir(), "--policy", policy_path()});
    return with_test_users(inner);
}

void Env::start_tapd(const std::vector<std::string>& extra_env) {
    size_t log_start = tapd_log().size();
    tapd_pid_ = spawn_background(tapd_command(extra_env), dir_ + "/tapd.log", false);
    ASSERT_GT(tapd_pid_, 0) << "spawn tapd: " << std::strerror(-tapd_pid_);
    long deadline = now_ms() + 10000;
    while (now_ms() < deadline) {
        if (tapd_log().find("ready:", log_start) != std::string::npos) {
            // unshare, sh, ip netns exec and env exec in place: the pid is tapd's own.
            std::ifstream comm("/proc/" + std::to_string(tapd_pid_) + "/comm");
            std::string name;
            std::getline(comm, name);
            if (!std::getenv("TAPD_TEST_WRAP"))
                EXPECT_EQ(name, "tapd") << "pid " << tapd_pid_ << " is not tapd";
            return;
        }
        int status = 0;
        if (waitpid(tapd_pid_, &status, WNOHANG) == tapd_pid_) {
            tapd_pid_ = -1;
            FAIL() << "tapd exited at start with status " << status << ":\n" << tapd_log();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "tapd did not become ready in 10 s:\n" << tapd_log();
}

CommandResult Env::run_tapd_to_exit(int timeout_seconds) {
    return run(tapd_command(), timeout_seconds);
}

int Env::stop_tapd(int sig) {
    if (tapd_pid_ <= 0) return -1;
    kill(tapd_pid_, sig);
    int status = wait_tapd(10);
    if (tapd_pid_ > 0) {
        kill(tapd_pid_, SIGKILL);
        waitpid(tapd_pid_, &status, 0);
        tapd_pid_ = -1;
        status = 128 + SIGKILL;
    }
    return status;
}

int Env::wait_tapd(int timeout_seconds) {
    long deadline = now_ms() + timeout_seconds * 1000L;
    while (tapd_pid_ > 0 && now_ms() < deadline) {
        int status = 0;
        if (waitpid(tapd_pid_, &status, WNOHANG) == tapd_pid_) {
            tapd_pid_ = -1;
            return exit_status(status);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
}

std::string Env::tapd_log() const {
    std::ifstream in(dir_ + "/tapd.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> Env::user_command(uid_t uid, const std::vector<std::string>& argv,
                                           const std::string& ns) const {
    std::string id = std::to_string(uid);
    std::vector<std::string> full = {"ip",
                                     "netns",
                                     "exec",
                                     ns.empty() ? host_ns_ : ns,
                                     "setpriv",
                                     "--reuid=" + id,
                                     "--regid=" + id,
                                     "--clear-groups",
                                     "env",
                                     "DBUS_SYSTEM_BUS_ADDRESS=" + bus_address()};
    full.insert(full.end(), argv.begin(), argv.end());
    return full;
}

int Env::tapd_fd_count() const {
    if (tapd_pid_ <= 0) return -1;
    DIR* d = opendir(("/proc/" + std::to_string(tapd_pid_) + "/fd").c_str());
    if (!d) return -1;
    int n = 0;
    while (dirent* e = readdir(d))
        if (e->d_name[0] != '.') ++n;
    closedir(d);
    return n;
}

int Env::tapd_children() const {
    if (tapd_pid_ <= 0) return -1;
    int n = 0;
    DIR* d = opendir("/proc");
    while (dirent* e = readdir(d)) {
        std::ifstream stat(std::string("/proc/") + e->d_name + "/stat");
        std::string line;
        if (!std::getline(stat, line)) continue;
        auto close = line.rfind(')');
        if (close == std::string::npos) continue;
        char state = 0;
        int ppid = 0;
        if (std::sscanf(line.c_str() + close + 1, " %c %d", &state, &ppid) == 2 &&
            ppid == tapd_pid_)
            ++n;
    }
    closedir(d);
    return n;
}

Hoard::Hoard(Env& env, uid_t uid, const std::string& kind, const std::string& tap, long n) {
    static std::atomic<int> counter{0};
    log_ = env.dir() + "/hoard" + std::to_string(counter++) + ".log";
    pid_ = env.spawn_as_user(
        uid, {std::string(TAPD_TEST_SUPPORT) + "/fd_hoard", kind, tap, std::to_string(n)}, log_);
    eventually([&] { return out().find("holding") != std::string::npos; }, 120);
}

std::string Hoard::out() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

long Hoard::opened() const {
    long n = -1;
    auto text = out();
    auto at = text.find("opened ");
    if (at != std::string::npos) n = std::atol(text.c_str() + at + 7);
    return n;
}

void Hoard::stop() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGTERM);
    wait_exit(pid_);
    pid_ = -1;
}

CommandResult Env::as_user(uid_t uid, const std::vector<std::string>& argv, const std::string& ns) {
    return run(user_command(uid, argv, ns));
}

pid_t Env::spawn_as_user(uid_t uid, const std::vector<std::string>& argv, const std::string& log) {
    pid_t pid = spawn_background(user_command(uid, argv), log, true);
    if (pid < 0) ADD_FAILURE() << "spawn " << argv[0] << ": " << std::strerror(-pid);
    return pid;
}

pid_t Env::hold_ephemeral(uid_t uid, const std::string& name,
                          const std::vector<std::string>& args) {
    std::vector<std::string> argv = {tapctl_bin(), "exec", name};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--", "sleep", "600"});
    pid_t pid = spawn_as_user(uid, argv, dir_ + "/hold-" + name + ".log");
    if (pid <= 0) return -1;
    if (!eventually([&] { return program_started(pid); }, 10)) {
        kill_group(pid);
        ADD_FAILURE() << "tapctl exec " << name << " never started its program:\n" << tapd_log();
        return -1;
    }
    return pid;
}

CommandResult Env::busctl(uid_t uid, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"env",    "SYSTEMD_LOG_LEVEL=debug",
                                     "busctl", "--address=" + bus_address(),
                                     "call",   "net.tapd1"};
    argv.insert(argv.end(), args.begin(), args.end());
    return as_user(uid, argv);
}

CommandResult Env::tapctl(const std::vector<std::string>& args, uid_t uid) {
    std::vector<std::string> argv = {tapctl_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    return as_user(uid, argv);
}

CommandResult Env::in_ns(const std::vector<std::string>& argv, const std::string& ns) {
    std::vector<std::string> full = {"ip", "netns", "exec", ns.empty() ? host_ns_ : ns};
    full.insert(full.end(), argv.begin(), argv.end());
    return run(full);
}

nlohmann::json Env::ip_json(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"ip", "-n", host_ns_, "-j"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run(argv);
    if (r.status != 0) return nlohmann::json::array();
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_discarded() ? nlohmann::json::array() : j;
}

bool Env::wait_carrier(const std::string& link) {
    return eventually([&] {
        auto links = ip_json({"link", "show", link});
        return !links.empty() && links[0]["flags"].dump().find("LOWER_UP") != std::string::npos;
    });
}

nlohmann::json Env::nft_table() {
    auto r = in_ns({"nft", "-j", "list", "table", "inet", "tapd"});
    if (r.status != 0) return nullptr;
    return nlohmann::json::parse(r.out, nullptr, false);
}

std::vector<std::string> Env::nft_set(const std::string& set) {
    std::vector<std::string> out;
    auto t = nft_table();
    if (t.is_null() || t.is_discarded()) return out;
    for (const auto& item : t["nftables"]) {
        if (!item.contains("set") || item["set"]["name"] != set) continue;
        if (!item["set"].contains("elem")) continue;
        for (const auto& e : item["set"]["elem"]) {
            if (e.is_string())
                out.push_back(e.get<std::string>());
            else if (e.contains("prefix"))
                out.push_back(e["prefix"]["addr"].get<std::string>() + "/" +
                              std::to_string(e["prefix"]["len"].get<int>()));
            else
                out.push_back(e.dump());
        }
    }
    return out;
}

bool Env::nft_guard_on() {
    auto t = nft_table();
    if (t.is_null() || t.is_discarded()) return false;
    for (const auto& item : t["nftables"])
        if (item.contains("map") && item["map"]["name"] == "guardmode" &&
            item["map"].contains("elem"))
            return item["map"]["elem"].dump().find("guard4") != std::string::npos;
    return false;
}

size_t Env::nft_rule_count(const std::string& chain) {
    size_t n = 0;
    auto t = nft_table();
    if (t.is_null() || t.is_discarded()) return 0;
    for (const auto& item : t["nftables"])
        if (item.contains("rule") && item["rule"]["chain"] == chain) ++n;
    return n;
}

int Env::ip_forward() {
    auto r = in_ns({"cat", "/proc/sys/net/ipv4/ip_forward"});
    return r.status == 0 ? std::atoi(r.out.c_str()) : -1;
}

void Env::set_ip_forward(int value) {
    in_ns({"sysctl", "-q", "-w", "net.ipv4.ip_forward=" + std::to_string(value)});
}

// The taps tapd's state records: state.json's, with state.journal's changes replayed ({"put":
// RECORD} and {"erase": NAME} lines; a last line without its newline never counted).
std::set<std::string> recorded_taps(Env& env) {
    std::set<std::string> names;
    std::ifstream state(env.state_dir() + "/state.json");
    auto j = nlohmann::json::parse(state, nullptr, false);
    if (j.is_object())
        for (const auto& t : j.value("taps", nlohmann::json::array()))
            names.insert(t.at("name").get<std::string>());
    std::ifstream journal(env.state_dir() + "/state.journal");
    std::string text((std::istreambuf_iterator<char>(journal)), std::istreambuf_iterator<char>());
    for (size_t pos = 0, end; (end = text.find('\n', pos)) != std::string::npos; pos = end + 1) {
        auto line = nlohmann::json::parse(text.substr(pos, end - pos));
        if (line.contains("put")) names.insert(line["put"].at("name").get<std::string>());
        if (line.contains("erase")) names.erase(line["erase"].get<std::string>());
    }
    return names;
}

}  // namespace tapd::test
