// HandedOut: counts the files tapd made and handed out (raw sockets) that are still open
// anywhere, by the uid they were made for, without holding them.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>

#include "result.hpp"
#include "unique_fd.hpp"

namespace tapd {

// Theory of operation: each file is registered in an epoll instance that nobody ever waits on,
// with the uid as the registration's data. A registration holds no reference on its file; the
// kernel removes it when the file's last descriptor is closed, in whatever process that
// descriptor went to (passed on with SCM_RIGHTS, inherited, dup()ed). The registrations alive are
// listed in /proc/self/fdinfo of the epoll fd, one "tfd: ... data: UID ..." line each: that list
// is the count. tapd's own descriptor is closed once the reply is sent; the registration stays.
// What tapd handed out before it (re)started is not counted.
class HandedOut {
  public:
    // WHAT names the files in messages ("raw sockets").
    static Result<std::unique_ptr<HandedOut>> open(const std::string& what);
    HandedOut(const HandedOut&) = delete;
    HandedOut& operator=(const HandedOut&) = delete;

    // Counts FD's file for UID from now until its last descriptor is closed. Fails (the caller
    // must then not hand FD out: it could not be counted) if the kernel refuses the registration.
    Status add(int fd, uid_t uid);

    struct Count {
        size_t of_uid = 0;  // made for the uid asked about
        size_t total = 0;   // made for anyone
    };
    // The files still open, for UID and in all.
    Result<Count> count(uid_t uid) const;

  private:
    HandedOut(UniqueFd epoll, std::string what)
        : epoll_(std::move(epoll)), what_(std::move(what)) {}
    UniqueFd epoll_;
    std::string what_;
};

}  // namespace tapd
