// The README's "D-Bus from the shell" section, run: every `$ ` command of its console blocks runs
// (as uid 65534, or root after `sudo`) against tapd on a private bus, and must print what the
// README shows. Its Python block must be examples/dbus_example.py, byte for byte.
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"

namespace tapd::test {
namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// What differs from run to run: the interface index and the bus's unique names.
std::string normalize(const std::string& text) {
    static const std::regex index(R"((Index\D{0,40}?)\d+)");
    static const std::regex unique(R"(:1\.\d+)");
    return std::regex_replace(std::regex_replace(text, index, "$1N"), unique, ":1.N");
}

struct Command {
    std::string line;  // as written after "$ "
    std::vector<std::string> expected;
};
struct Block {
    std::string lang;  // "console" or "python"
    std::string text;  // verbatim
    std::vector<Command> commands;
};

// The fenced blocks of README section TITLE.
std::vector<Block> section_blocks(const std::string& readme, const std::string& title) {
    auto start = readme.find("\n## " + title + "\n");
    if (start == std::string::npos) return {};
    auto end = readme.find("\n## ", start + 1);
    std::vector<Block> blocks;
    Block* open = nullptr;
    for (const auto& line : lines_of(readme.substr(start, end - start))) {
        if (!open && line.rfind("```", 0) == 0) {
            blocks.push_back({line.substr(3), "", {}});
            open = &blocks.back();
        } else if (open && line == "```") {
            open = nullptr;
        } else if (open) {
            open->text += line + "\n";
            if (open->lang != "console") continue;
            if (line.rfind("$ ", 0) == 0)
                open->commands.push_back({line.substr(2), {}});
            else if (!open->commands.empty())
                open->commands.back().expected.push_back(line);
        }
    }
    return blocks;
}

bool is_monitor(const Command& c) {
    return c.line.find(" monitor ") != std::string::npos;
}

// `sudo CMD` runs as root, anything else as uid 65534; both from the source root (the README's
// paths are relative to it), stderr with stdout as on a terminal.
uid_t uid_of(std::string& line) {
    if (line.rfind("sudo ", 0) != 0) return 65534;
    line = line.substr(5);
    return 0;
}
std::vector<std::string> shell(const std::string& line) {
    return {"sh", "-c", "cd '" TAPD_TEST_SOURCE_ROOT "' && " + line + " 2>&1"};
}

// Whether EXPECTED's lines (after normalize) appear in ACTUAL: all of them and nothing else, or,
// when EXPECTED has "..." lines (an excerpt), in that order among others.
bool output_matches(const std::vector<std::string>& expected, const std::string& actual) {
    auto got = lines_of(normalize(actual));
    std::vector<std::string> want;
    bool excerpt = false;
    for (const auto& l : expected) {
        if (l == "...")
            excerpt = true;
        else
            want.push_back(normalize(l));
    }
    if (!excerpt) return got == want;
    size_t i = 0;
    for (const auto& l : got)
        if (i < want.size() && l == want[i]) ++i;
    return i == want.size();
}

struct Monitor {
    Command command;
    pid_t pgid = -1;
    std::string log;
};

TEST(DbusShell, ReadmeCommandsPrintWhatTheReadmeShows) {
    TAPD_REQUIRE_PRIVILEGES();
    auto blocks =
        section_blocks(read_text(TAPD_TEST_SOURCE_ROOT "/README.md"), "D-Bus from the shell");
    ASSERT_FALSE(blocks.empty()) << "no section \"D-Bus from the shell\" in README.md";

    Env env;
    env.start_tapd();
    ASSERT_FALSE(::testing::Test::HasFatalFailure());

    int commands = 0, monitors = 0, pythons = 0;
    std::vector<Monitor> pending;
    for (const auto& block : blocks) {
        if (block.lang == "python") {
            EXPECT_EQ(block.text, read_text(TAPD_TEST_SOURCE_ROOT "/examples/dbus_example.py"))
                << "the README's Python block is not examples/dbus_example.py";
            ++pythons;
            continue;
        }
        if (block.lang != "console") continue;
        if (block.commands.size() == 1 && is_monitor(block.commands[0])) {
            // A monitor in "another terminal": it runs while the next block does.
            Monitor m{block.commands[0], -1, env.dir() + "/monitor" + std::to_string(monitors++)};
            std::string line = m.command.line;
            uid_t uid = uid_of(line);
            m.pgid = env.spawn_as_user(uid, shell("exec " + line), m.log);
            ASSERT_GT(m.pgid, 0);
            // Subscribed once it says so: gdbus after its match and the owner lookup, busctl
            // after BecomeMonitor.
            ASSERT_TRUE(eventually(
                [&] {
                    auto t = read_text(m.log);
                    return t.find("is owned by") != std::string::npos ||
                           t.find("Monitoring bus message stream.") != std::string::npos;
                },
                10))
                << line << " never started:\n"
                << read_text(m.log);
            pending.push_back(m);
            continue;
        }
        std::string shown, got;
        for (const auto& c : block.commands) {
            std::string line = c.line;
            uid_t uid = uid_of(line);
            auto r = env.as_user(uid, shell(line));
            EXPECT_EQ(r.status, 0) << c.line << "\n" << r.describe();
            got += "$ " + c.line + "\n" + r.out;
            ++commands;
        }
        EXPECT_EQ(normalize(got), normalize(block.text)) << "what the block printed:\n" << got;
        for (auto& m : pending) {
            bool ok = eventually(
                [&] { return output_matches(m.command.expected, read_text(m.log)); }, 10);
            kill_group(m.pgid);
            EXPECT_TRUE(ok) << "$ " << m.command.line << " printed:\n" << read_text(m.log);
        }
        pending.clear();
    }
    EXPECT_TRUE(pending.empty()) << "a monitor block is not followed by commands to watch";
    EXPECT_GE(commands, 10);
    EXPECT_EQ(monitors, 2);
    EXPECT_EQ(pythons, 1);
    // Everything the section made is gone again.
    auto left = env.busctl(65534, {"/net/tapd1", "net.tapd1.Manager", "ListTaps"});
    EXPECT_EQ(left.out, "ao 0\n") << left.describe();
}

}  // namespace
}  // namespace tapd::test
