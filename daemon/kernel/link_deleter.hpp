// LinkDeleter: deletes one link at a time on a thread of its own and tells when the kernel has
// unregistered it, without waiting for the kernel to free it.
//
// RTM_DELLINK returns only when the kernel has also freed the device (an RCU barrier and a wait
// for the last references: 12-30 ms here, whatever the link held). The link is gone for
// everyone long before: unregistering it (name, addresses, routes, sysfs) ends with the
// RTM_DELLINK notification, ~1 ms in. DeleteTap answers at that notification; the thread stays
// in the kernel until the device is freed (the kernel releases its RTNL lock before that wait, so
// other requests, further deletions among them, go on meanwhile).
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "netlink.hpp"
#include "result.hpp"
#include "unique_fd.hpp"

namespace tapd {

class LinkDeleter {
  public:
    LinkDeleter() = default;
    // Waits for the deletions still freeing their links.
    ~LinkDeleter();
    LinkDeleter(const LinkDeleter&) = delete;
    LinkDeleter& operator=(const LinkDeleter&) = delete;

    // Starts deleting link IFINDEX (NAME for messages) on a new thread with its own socket; the
    // deletions of earlier calls may still be freeing theirs.
    Status begin(int ifindex, const std::string& name);
    // Returns once the link begun last is unregistered (or was already gone), or its deletion
    // failed.
    Status wait_unregistered();
    // Joins the deletions whose threads have returned, logging their failures.
    void reap();

  private:
    struct Deletion {
        std::unique_ptr<NlSocket> nl;  // its request socket
        UniqueFd done;                 // eventfd: the thread has returned
        std::thread thread;
        Status result;
    };
    // Joins D (which must have returned or be about to); its result.
    Status finish(Deletion& d);

    std::vector<std::unique_ptr<Deletion>> running_;
    UniqueFd monitor_;  // RTNLGRP_LINK notifications for the deletion begun last
    int ifindex_ = 0;
};

}  // namespace tapd
