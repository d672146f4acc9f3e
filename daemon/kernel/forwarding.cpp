// net.ipv4.ip_forward through /proc/sys (writable with CAP_NET_ADMIN alone).
#include "forwarding.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "profile.hpp"
#include "unique_fd.hpp"

namespace tapd {

static constexpr const char* kPath = "/proc/sys/net/ipv4/ip_forward";

Result<int> read_ip_forward() {
    KernelCall kernel;
    UniqueFd fd(::open(kPath, O_RDONLY | O_CLOEXEC));
    if (!fd) return errno_error(ErrorKind::Failed, std::string("open ") + kPath, errno);
    char buf[8] = {};
    ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
    if (n <= 0)
        return errno_error(ErrorKind::Failed, std::string("read ") + kPath, n < 0 ? errno : EIO);
    return buf[0] == '0' ? 0 : 1;
}

Status write_ip_forward(int value) {
    KernelCall kernel;
    UniqueFd fd(::open(kPath, O_WRONLY | O_CLOEXEC));
    if (!fd) return errno_error(ErrorKind::Failed, std::string("open ") + kPath, errno);
    const char* text = value ? "1\n" : "0\n";
    if (::write(fd.get(), text, 2) != 2)
        return errno_error(ErrorKind::Failed, std::string("write ") + text[0] + " to " + kPath,
                           errno);
    return {};
}

}  // namespace tapd
