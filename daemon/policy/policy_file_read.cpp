// The policy file as tapd reads it: what is at the path, who owns it, who may write it, its size.
#include "policy_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <utility>

#include "log.hpp"
#include "unique_fd.hpp"

namespace tapd {

namespace {

// "PATH: not a regular file (a FIFO)": what is at PATH, by name.
std::string not_a_regular_file(const std::string& path, mode_t mode) {
    const char* kind = S_ISDIR(mode)    ? "a directory"
                       : S_ISFIFO(mode) ? "a FIFO"
                       : S_ISSOCK(mode) ? "a socket"
                       : S_ISCHR(mode)  ? "a character device"
                       : S_ISBLK(mode)  ? "a block device"
                                        : "not a file";
    return path + ": not a regular file (" + kind + ")";
}

// " (a symlink to TARGET, which does not exist)" when PATH is a dangling symlink, else "": a
// missing file and a broken link look alike to open(), not to whoever has to fix it.
std::string dangling_symlink(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return "";
    char target[4096];
    ssize_t n = ::readlink(path.c_str(), target, sizeof target);
    if (n < 0) return " (a symlink)";
    return " (a symlink to " + std::string(target, static_cast<size_t>(n)) +
           ", which does not exist)";
}

}  // namespace

Result<std::optional<std::string>> read_policy_file(const std::string& path, LoadTime when) {
    // The type first, without opening: opening a FIFO for reading blocks until a writer comes, and
    // opening a device can have effects of its own. O_NONBLOCK covers a swap after this check.
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
        return make_error(ErrorKind::Failed, not_a_regular_file(path, st.st_mode));
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd) {
        int err = errno;
        if (err != ENOENT) return errno_error(ErrorKind::Failed, path, err);
        Error missing = errno_error(ErrorKind::Failed, path, err);
        missing.message += dangling_symlink(path);
        if (when == LoadTime::Check) return missing;
        if (when == LoadTime::Reload) {
            missing.message += "; only at start does a missing policy file mean root only";
            return missing;
        }
        log::info("policy: no file at " + log::value(path, log::kMaxLine) + dangling_symlink(path) +
                  "; only root may use tapd until one is written");
        return std::optional<std::string>();
    }
    // Checked again on the open fd, not the path, so that what is checked is what is read.
    if (::fstat(fd.get(), &st) != 0) return errno_error(ErrorKind::Failed, path, errno);
    if (!S_ISREG(st.st_mode))
        return make_error(ErrorKind::Failed, not_a_regular_file(path, st.st_mode));
    if (st.st_uid != 0 && st.st_uid != ::geteuid())
        return make_error(ErrorKind::PermissionDenied, path + ": owned by uid " +
                                                           std::to_string(st.st_uid) +
                                                           "; the policy must belong to root");
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return make_error(ErrorKind::PermissionDenied,
                          path + ": writable by group or others (mode " + mode +
                              "); whoever may write the policy may grant themselves anything");
    }
    if (static_cast<uint64_t>(st.st_size) > kMaxPolicyFileSize)
        return make_error(ErrorKind::Failed, path + ": " + std::to_string(st.st_size) +
                                                 " bytes (at most " +
                                                 std::to_string(kMaxPolicyFileSize) + ")");
    std::string text;
    char buf[16384];
    while (true) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno_error(ErrorKind::Failed, "read " + path, errno);
        if (n == 0) break;
        text.append(buf, static_cast<size_t>(n));
        // The size can change between fstat() and read(); the bound holds for what is read.
        if (text.size() > kMaxPolicyFileSize)
            return make_error(ErrorKind::Failed, path + ": more than " +
                                                     std::to_string(kMaxPolicyFileSize) + " bytes");
    }
    return std::optional<std::string>(std::move(text));
}

}  // namespace tapd
