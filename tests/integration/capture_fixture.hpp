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

    // Waits up to 5 s for tapd to have N children (streamers, starting or running).
    bool children_become(int n) {
        return eventually([&] { return tapd_children() == n; });
    }

    // Waits up to 5 s for N OpenCapture calls to have been answered with a stream: tapd answers
    // once the streamer reads the tap with its filter attached (a streamer that exists may still
    // be opening its ring).
    bool streaming(size_t n) {
        return eventually([&] {
            std::string log = env_->tapd_log();
            size_t answered = 0;
            for (size_t at = 0, end; (end = log.find('\n', at)) != std::string::npos;
                 at = end + 1) {
                std::string line = log.substr(at, end - at);
                if (line.find("method=OpenCapture ") != std::string::npos &&
                    line.find(" result=ok") != std::string::npos)
                    ++answered;
            }
            return answered >= n;
        });
    }
};

}  // namespace tapd::test
