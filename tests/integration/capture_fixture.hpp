// What the capture tests share: the probe that reads tapd's stream (tests/support/capture_probe),
// a fixture that makes the caller's taps, and a counter of lines in the probe's output.
#pragma once

#include <string>

#include "harness.hpp"

namespace tapd::test {

inline std::string capture_probe() {
    return std::string(TAPD_TEST_SUPPORT) + "/capture_probe";
}

// How often WHAT occurs in TEXT.
inline size_t count_of(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

class CaptureFixture : public TapdTest {
  protected:
    // Creates uid 65534's tap NAME with ADDRESS and a static neighbour NEIGHBOUR, so that the
    // host sends to it at once (no ARP wait).
    void make_tap(const std::string& name, const std::string& address,
                  const std::string& neighbour) {
        auto created = env_->tapctl({"create", name, "--address", address});
        ASSERT_EQ(created.status, 0) << created.describe();
        auto r = env_->in_ns(
            {"ip", "neigh", "add", neighbour, "lladdr", "02:00:00:00:00:01", "dev", name});
        ASSERT_EQ(r.status, 0) << r.describe();
    }

    int tapd_children() { return env_->tapd_children(); }

    // Waits up to 5 s for tapd to have N children (a streamer exists once its socket is bound).
    bool children_become(int n) {
        return eventually([&] { return tapd_children() == n; });
    }
};

}  // namespace tapd::test
