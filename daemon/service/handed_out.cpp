// Counting handed-out files through an epoll instance's registrations (see handed_out.hpp).
#include "handed_out.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>

namespace tapd {

Result<std::unique_ptr<HandedOut>> HandedOut::open(const std::string& what) {
    UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll) return errno_error(ErrorKind::Failed, "epoll for " + what, errno);
    return std::unique_ptr<HandedOut>(new HandedOut(std::move(epoll), what));
}

Status HandedOut::add(int fd, uid_t uid) {
    // No events asked for: the kernel adds EPOLLERR|EPOLLHUP, which only mark the entry ready
    // in an instance nobody waits on.
    epoll_event ev{};
    ev.events = 0;
    ev.data.u64 = uid;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0)
        return errno_error(ErrorKind::Failed, "counting " + what_ + " (epoll_ctl)", errno);
    return {};
}

Result<HandedOut::Count> HandedOut::count(uid_t uid) const {
    std::string path = "/proc/self/fdinfo/" + std::to_string(epoll_.get());
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return errno_error(ErrorKind::Failed, "counting " + what_ + ": " + path, errno);
    std::string text;
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            return errno_error(ErrorKind::Failed, "counting " + what_ + ": read " + path, errno);
        if (n == 0) break;
        text.append(buf, static_cast<size_t>(n));
    }
    // One line per registration: "tfd: %8d events: %8x data: %16llx  pos:... ino:... sdev:...".
    Count c;
    std::string_view rest = text;
    while (!rest.empty()) {
        auto end = rest.find('\n');
        std::string_view line = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        if (!line.starts_with("tfd:")) continue;
        auto at = line.find("data:");
        if (at == std::string_view::npos)
            return make_error(ErrorKind::Failed, "counting " + what_ + ": no data in " + path +
                                                     " line '" + std::string(line) + "'");
        ++c.total;
        std::string data(line.substr(at + 5, 24));
        if (std::strtoull(data.c_str(), nullptr, 16) == uid) ++c.of_uid;
    }
    return c;
}

}  // namespace tapd
