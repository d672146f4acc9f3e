// Script: an NlChannel for the netlink tests that answers each request with datagrams a test
// makes, and records the requests.
#pragma once

#include <cerrno>
#include <deque>
#include <functional>
#include <vector>

#include "netlink_reader.hpp"

namespace tapd {

// A channel that answers each request with the datagrams ANSWER makes for its sequence number.
class Script final : public NlChannel {
  public:
    using Answer = std::function<std::vector<std::vector<std::byte>>(uint32_t seq, int attempt)>;
    explicit Script(Answer answer) : answer_(std::move(answer)) {}

    uint32_t next_seq() override { return ++seq_; }
    Status send(NlBytes request, const std::string&) override {
        auto m = NlMessage::checked(request);
        if (!m) return make_error(ErrorKind::Failed, "bad request");
        requests.push_back(*m->header<uint8_t>());  // the family byte
        types.push_back(m->type());
        for (auto& d : answer_(m->seq(), static_cast<int>(requests.size()))) queue_.push_back(d);
        return {};
    }
    Result<NlBytes> receive(const std::string& what) override {
        if (queue_.empty()) return errno_error(ErrorKind::Failed, what, EAGAIN);
        current_ = std::move(queue_.front());
        queue_.pop_front();
        return NlBytes(current_);
    }
    std::vector<uint8_t> requests;
    std::vector<uint16_t> types;  // the requests' nlmsg_type (ANSWER may look at the last)

  private:
    Answer answer_;
    uint32_t seq_ = 100;
    std::deque<std::vector<std::byte>> queue_;
    std::vector<std::byte> current_;
};

}  // namespace tapd
