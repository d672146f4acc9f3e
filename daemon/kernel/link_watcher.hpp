// LinkWatcher: the kernel's link notifications (RTNLGRP_LINK), read without blocking from tapd's
// poll loop, so tapd sees what happens to its taps between calls.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "link.hpp"
#include "result.hpp"
#include "unique_fd.hpp"

namespace tapd {

class LinkWatcher {
  public:
    static Result<std::unique_ptr<LinkWatcher>> open();
    LinkWatcher(const LinkWatcher&) = delete;
    LinkWatcher& operator=(const LinkWatcher&) = delete;

    int fd() const { return fd_.get(); }
    // Reads every pending notification and calls EACH with every link that appeared or changed
    // (RTM_NEWLINK; deletions are not passed). A notification is a snapshot: what it says may
    // have changed since. Returns false if the kernel dropped notifications (the socket's buffer
    // overran): the caller must then look at every link it cares about again.
    // At most kMaxReads datagrams are read a call; the rest wait for the next (the socket stays
    // readable).
    bool drain(const std::function<void(const LinkInfo&)>& each);
    static constexpr int kMaxReads = 64;

  private:
    explicit LinkWatcher(UniqueFd fd) : fd_(std::move(fd)) {}
    UniqueFd fd_;
    std::vector<char> buf_ = std::vector<char>(64 * 1024);  // drain()'s, kept: it runs often
};

}  // namespace tapd
