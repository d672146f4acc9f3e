// LinkDeleter: RTM_DELLINK on a thread, RTM_DELLINK notification on this one.
#include "link_deleter.hpp"

#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>

#include "link.hpp"
#include "log.hpp"
#include "profile.hpp"

namespace tapd {

LinkDeleter::~LinkDeleter() {
    for (auto& d : running_)
        if (auto st = finish(*d); !st) log::error(st.error().message);
}

Status LinkDeleter::finish(Deletion& d) {
    if (d.thread.joinable()) d.thread.join();
    return std::exchange(d.result, Status{});
}

void LinkDeleter::reap() {
    std::erase_if(running_, [this](const std::unique_ptr<Deletion>& d) {
        uint64_t n = 0;
        if (::read(d->done.get(), &n, sizeof n) != sizeof n) return false;  // still running
        if (auto st = finish(*d); !st) log::error(st.error().message);
        return true;
    });
}

namespace {

// Reads the notifications waiting on MONITOR; true once one says link IFINDEX is unregistered
// (RTM_DELLINK). Sets *LOST if they cannot be read any more (ENOBUFS: some were dropped).
bool read_deletion(int monitor, int ifindex, bool* lost) {
    std::byte buf[16384];
    bool gone = false;
    for (;;) {
        ssize_t n = ::recv(monitor, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            *lost = errno != EAGAIN;
            return gone;
        }
        for_each_message(nl_bytes(buf, static_cast<size_t>(n)), [&](const NlMessage& m) {
            auto ifi = m.header<ifinfomsg>();
            if (m.type() == RTM_DELLINK && ifi && ifi->ifi_index == ifindex) gone = true;
        });
    }
}

}  // namespace

Status LinkDeleter::begin(int ifindex, const std::string& name) {
    // Reaping the last deletion (a read, a join, closes) and making this one's sockets, eventfd
    // and thread are system calls: a profile counts them as the kernel's time, not tapd's own.
    KernelCall kernel;
    reap();
    // Subscribed before the request goes, so that its notification cannot be missed.
    auto monitor = open_notifications(NETLINK_ROUTE, RTNLGRP_LINK, "link notifications");
    if (!monitor) return monitor.error();
    auto d = std::make_unique<Deletion>();
    auto nl = NlSocket::connect();
    if (!nl) return nl.error();
    d->nl = std::move(nl.value());
    d->done = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!d->done) return errno_error(ErrorKind::Failed, "eventfd", errno);
    Deletion* raw = d.get();
    d->thread = std::thread([raw, ifindex, name] {
        auto start = std::chrono::steady_clock::now();
        raw->result = delete_link(*raw->nl, ifindex, name);
        if (StepClock::enabled())
            log::info("profile: link " + name + " freed by the kernel after " +
                      std::to_string(std::chrono::duration<double, std::milli>(
                                         std::chrono::steady_clock::now() - start)
                                         .count()) +
                      " ms");
        uint64_t one = 1;
        ssize_t ignored = ::write(raw->done.get(), &one, sizeof one);
        (void)ignored;
    });
    running_.push_back(std::move(d));
    monitor_ = std::move(monitor.value());
    ifindex_ = ifindex;
    return {};
}

Status LinkDeleter::wait_unregistered() {
    if (running_.empty()) return {};
    // All of it is waiting for the kernel and reading what it says (a profile counts it so).
    KernelCall kernel;
    Deletion& d = *running_.back();
    auto done = [&] {
        monitor_.reset();
        Status st = finish(d);
        running_.pop_back();
        return st;
    };
    while (true) {
        pollfd fds[2] = {{d.done.get(), POLLIN, 0}, {monitor_ ? monitor_.get() : -1, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return done();  // cannot watch: wait for the request itself
        }
        if (fds[0].revents & POLLIN) return done();  // the link is freed, or the request failed
        if (fds[1].revents) {
            bool lost = false;
            if (read_deletion(monitor_.get(), ifindex_, &lost)) {
                monitor_.reset();
                return {};
            }
            // Notifications lost (ENOBUFS) or unreadable: the request's own answer still comes.
            if (lost) monitor_.reset();
        }
    }
}

}  // namespace tapd
