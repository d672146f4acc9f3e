// Raw IP sockets bound to a tap and marked with the tap's SO_MARK.
#include "raw_socket.hpp"

#include <linux/filter.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

#include "nft_batches.hpp"

namespace tapd {

Status check_raw_socket_args(int family, int protocol) {
    if (family != AF_INET && family != AF_INET6)
        return make_error(ErrorKind::InvalidArgument,
                          "family " + std::to_string(family) + " is not AF_INET (" +
                              std::to_string(AF_INET) + ") or AF_INET6 (" +
                              std::to_string(AF_INET6) + ")");
    if (protocol < 1 || protocol > 255)
        return make_error(ErrorKind::InvalidArgument,
                          "protocol " + std::to_string(protocol) + " is not in 1..255");
    return {};
}

Result<uint32_t> raw_socket_mark(int ifindex) {
    if (ifindex <= 0 || ifindex > nft::kRawMarkMaxIfindex)
        return make_error(ErrorKind::Failed, "ifindex " + std::to_string(ifindex) +
                                                 " does not fit in tapd's raw-socket mark range");
    return nft::kRawMarkTag | static_cast<uint32_t>(ifindex);
}

Result<UniqueFd> open_raw_socket(const std::string& ifname, int family, int protocol,
                                 uint32_t mark) {
    const std::string what = "raw socket on '" + ifname + "' (family " + std::to_string(family) +
                             ", protocol " + std::to_string(protocol) + ")";
    UniqueFd fd(::socket(family, SOCK_RAW | SOCK_CLOEXEC, protocol));
    if (!fd) return errno_error(ErrorKind::Failed, "socket for " + what, errno);
    // The mark first: from the moment the socket is bound it may see traffic, and it must
    // never be usable without the mark.
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_MARK, &mark, sizeof mark) != 0)
        return errno_error(ErrorKind::Failed, "SO_MARK " + ifname, errno);
    // Until SO_BINDTODEVICE, a raw socket receives its protocol from EVERY interface. A filter
    // that accepts nothing keeps that window empty; whatever slipped in before it is drained
    // once the socket is bound, and only then is the filter removed.
    sock_filter drop_all = BPF_STMT(BPF_RET | BPF_K, 0);
    sock_fprog prog{1, &drop_all};
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0)
        return errno_error(ErrorKind::Failed, "SO_ATTACH_FILTER " + ifname, errno);
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(),
                     static_cast<socklen_t>(ifname.size())) != 0)
        return errno_error(ErrorKind::Failed, "SO_BINDTODEVICE " + ifname, errno);
    char scratch[1];
    while (::recv(fd.get(), scratch, sizeof scratch, MSG_DONTWAIT | MSG_TRUNC) >= 0) {
    }
    int unused = 0;  // setsockopt refuses an optlen below sizeof(int) even where none is read
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof unused) != 0)
        return errno_error(ErrorKind::Failed, "SO_DETACH_FILTER " + ifname, errno);
    return fd;
}

}  // namespace tapd
