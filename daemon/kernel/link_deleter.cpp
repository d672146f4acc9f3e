// LinkDeleter: RTM_DELLINK on a thread, RTM_DELLINK notification on this one.
#include "link_deleter.hpp"

#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/eventfd.h>

#include <cerrno>
#include <chrono>

#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

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

struct Watch {
    int ifindex;
    bool gone = false;
};

int on_link_message(nl_msg* msg, void* arg) {
    auto* w = static_cast<Watch*>(arg);
    nlmsghdr* h = nlmsg_hdr(msg);
    if (h->nlmsg_type == RTM_DELLINK && nlmsg_datalen(h) >= static_cast<int>(sizeof(ifinfomsg)) &&
        static_cast<const ifinfomsg*>(nlmsg_data(h))->ifi_index == w->ifindex)
        w->gone = true;
    return NL_OK;
}

}  // namespace

Status LinkDeleter::begin(int ifindex, const std::string& name) {
    reap();
    // Subscribed before the request goes, so that its notification cannot be missed.
    auto monitor = NlSocket::connect();
    if (!monitor) return monitor.error();
    nl_sock* sk = monitor.value()->get();
    nl_socket_disable_seq_check(sk);
    nl_socket_set_nonblocking(sk);
    if (int err = nl_socket_add_membership(sk, RTNLGRP_LINK); err < 0)
        return nl_error("watching link notifications", err);
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
    Deletion& d = *running_.back();
    auto done = [&] {
        monitor_.reset();
        Status st = finish(d);
        running_.pop_back();
        return st;
    };
    Watch watch{ifindex_};
    if (monitor_)
        nl_socket_modify_cb(monitor_->get(), NL_CB_VALID, NL_CB_CUSTOM, on_link_message, &watch);
    while (true) {
        pollfd fds[2] = {{d.done.get(), POLLIN, 0},
                         {monitor_ ? nl_socket_get_fd(monitor_->get()) : -1, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return done();  // cannot watch: wait for the request itself
        }
        if (fds[0].revents & POLLIN) return done();  // the link is freed, or the request failed
        if (fds[1].revents) {
            int err = nl_recvmsgs_default(monitor_->get());
            if (watch.gone) {
                monitor_.reset();
                return {};
            }
            // Notifications lost (ENOBUFS) or unreadable: the request's own answer still comes.
            if (err < 0 && err != -NLE_AGAIN) monitor_.reset();
        }
    }
}

}  // namespace tapd
