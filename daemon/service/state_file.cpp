// StateFile: state.json (written whole, atomically) and state.journal (appended per change).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "profile.hpp"
#include "state.hpp"
#include "unique_fd.hpp"

namespace tapd {

using nlohmann::json;

namespace {

void sync_dir(const std::string& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd) ::fsync(fd.get());
}

// The whole file at PATH; nullopt (errno ENOENT) when there is none.
Result<std::optional<std::string>> read_whole(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return std::optional<std::string>{};
        return errno_error(ErrorKind::Failed, "reading state: open " + path, errno);
    }
    std::string text;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno_error(ErrorKind::Failed, "reading state: read " + path, errno);
        if (n == 0) break;
        text.append(buf, static_cast<size_t>(n));
    }
    return std::optional<std::string>{std::move(text)};
}

// After a failed append: the journal back to SIZE, so that no line is left cut short in the
// middle of it (best effort: load() would stop at a bad line and say so).
void take_back(int fd, off_t size) {
    if (::ftruncate(fd, size) < 0) return;
}

}  // namespace

Status StateFile::prepare() const {
    if (::mkdir(dir_.c_str(), 0700) < 0 && errno != EEXIST)
        return errno_error(ErrorKind::Failed, "mkdir " + dir_, errno);
    return {};
}

Status StateFile::save(const State& state) {
    std::string tmp = path() + ".tmp";
    std::string text = state_json_text(state);
    KernelCall kernel;  // the rest: open, write, fsync, rename, unlink
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) return errno_error(ErrorKind::Failed, "writing state: open " + tmp, errno);
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int err = n < 0 ? errno : EIO;
            ::unlink(tmp.c_str());
            return errno_error(ErrorKind::Failed, "writing state: write " + tmp, err);
        }
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd.get()) < 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return errno_error(ErrorKind::Failed, "writing state: fsync " + tmp, err);
    }
    fd.reset();
    if (::rename(tmp.c_str(), path().c_str()) < 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return errno_error(ErrorKind::Failed, "writing state: rename to " + path(), err);
    }
    // state.json holds everything the journal said: the journal goes.
    if (::unlink(journal_path().c_str()) < 0 && errno != ENOENT)
        return errno_error(ErrorKind::Failed, "writing state: unlink " + journal_path(), errno);
    journal_lines_ = 0;
    sync_dir(dir_);
    return {};
}

Status StateFile::append(const json& entry) {
    return append_line(entry.dump() + "\n");
}

Status StateFile::append_line(const std::string& line) {
    KernelCall kernel;  // the rest: open, fstat, write, fsync, close
    const std::string path = journal_path();
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
    if (!fd) return errno_error(ErrorKind::Failed, "writing state: open " + path, errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) < 0)
        return errno_error(ErrorKind::Failed, "writing state: fstat " + path, errno);
    size_t done = 0;
    while (done < line.size()) {
        ssize_t n = ::write(fd.get(), line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int err = n < 0 ? errno : EIO;
            take_back(fd.get(), st.st_size);
            return errno_error(ErrorKind::Failed, "writing state: write " + path, err);
        }
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd.get()) < 0) {
        int err = errno;
        take_back(fd.get(), st.st_size);
        return errno_error(ErrorKind::Failed, "writing state: fsync " + path, err);
    }
    if (st.st_size == 0) sync_dir(dir_);  // a new journal: its name must last too
    ++journal_lines_;
    return {};
}

Status StateFile::put(const TapRecord& record) {
    return append_line("{\"put\":" + record_json_text(record) + "}\n");
}

Status StateFile::erase(const std::string& name) {
    return append(json{{"erase", name}});
}

Status StateFile::put_saved_ip_forward(std::optional<int> value) {
    return append(json{{"saved_ip_forward", value ? json(*value) : json(nullptr)}});
}

Result<State> StateFile::load() {
    auto text = read_whole(path());
    if (!text) return text.error();
    State state;
    if (text->has_value()) {
        auto j = json::parse(*text.value(), nullptr, false);
        if (j.is_discarded())
            return make_error(ErrorKind::Failed, "reading state: " + path() + " is not valid JSON");
        auto s = state_from_json(j);
        if (!s)
            return make_error(ErrorKind::Failed,
                              "reading state: " + path() + ": " + s.error().message);
        state = std::move(s.value());
    }
    auto journal = read_whole(journal_path());
    if (!journal) return journal.error();
    journal_lines_ = 0;
    torn_tail_ = false;
    if (!journal->has_value()) return state;
    std::map<std::string, TapRecord> taps;
    for (auto& r : state.taps) taps[r.name] = std::move(r);
    const std::string& all = *journal.value();
    size_t line_no = 0;
    for (size_t pos = 0, end; (end = all.find('\n', pos)) != std::string::npos; pos = end + 1) {
        ++line_no;
        auto bad = [&](const std::string& why) {
            return make_error(ErrorKind::Failed, "reading state: " + journal_path() + " line " +
                                                     std::to_string(line_no) + ": " + why);
        };
        auto j = json::parse(all.begin() + static_cast<std::ptrdiff_t>(pos),
                             all.begin() + static_cast<std::ptrdiff_t>(end), nullptr, false);
        if (j.is_discarded() || !j.is_object() || j.size() != 1) return bad("not a change");
        if (auto put = j.find("put"); put != j.end()) {
            auto r = record_from_json(*put);
            if (!r) return bad(r.error().message);
            taps[r->name] = std::move(r.value());
        } else if (auto erase = j.find("erase"); erase != j.end() && erase->is_string()) {
            taps.erase(erase->get<std::string>());
        } else if (auto fwd = j.find("saved_ip_forward"); fwd != j.end()) {
            if (fwd->is_null())
                state.saved_ip_forward.reset();
            else if (fwd->is_number_integer())
                state.saved_ip_forward = fwd->get<int>();
            else
                return bad("saved_ip_forward is not a number");
        } else {
            return bad("not a change");
        }
        ++journal_lines_;
    }
    // (Text after the last newline is a line a crash cut short: its call never replied. The next
    // append would extend it into a bad line: the journal must be rewritten first.)
    size_t last_newline = all.rfind('\n');
    torn_tail_ = all.size() > (last_newline == std::string::npos ? 0 : last_newline + 1);
    state.taps.clear();
    for (auto& [name, r] : taps) state.taps.push_back(std::move(r));
    return state;
}

}  // namespace tapd
