// What tapd's benchmarks share: timing a call, the median/min/p90 of samples, and the per-step
// medians of tapd's profile lines (TAPD_PROFILE=1: "profile: WHAT step 0.123 ms, ... total ...").
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace tapd::bench {

struct Stats {
    std::vector<double> ms;
    double at(double q) const {
        auto v = ms;
        std::sort(v.begin(), v.end());
        return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(v.size() * q))];
    }
    double median() const { return at(0.5); }
    double min() const { return ms.empty() ? 0 : *std::min_element(ms.begin(), ms.end()); }
    double p90() const { return at(0.9); }
};

inline double time_ms(const std::function<void()>& f) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// The steps of every profile line in LOG that holds TAG followed by one word (the tap's name, or
// nothing when TAG ends the subject), in their order of first appearance, with their samples.
struct ProfileSteps {
    std::vector<std::string> order;
    std::map<std::string, Stats> steps;
    // What follows the times: "; page faults 2" is counts["page faults"] (its samples in .ms).
    std::map<std::string, Stats> counts;
    size_t calls() const { return order.empty() ? 0 : steps.at(order.front()).ms.size(); }
    // " step 0.123 ms, ..." medians, as the benches print them.
    std::string medians() const {
        std::string out;
        char buf[32];
        for (const auto& name : order) {
            std::snprintf(buf, sizeof buf, " %.3f ms", steps.at(name).median());
            out += " " + name + buf + (name == order.back() ? "" : ",");
        }
        return out;
    }
};

inline ProfileSteps profile_steps(const std::string& log, const std::string& tag) {
    ProfileSteps out;
    for (size_t pos = 0, end; (end = log.find('\n', pos)) != std::string::npos; pos = end + 1) {
        std::string line = log.substr(pos, end - pos);
        size_t at = line.find(tag);
        if (at == std::string::npos) continue;
        // " step words 0.123 ms," ... " total 0.456 ms"
        std::string rest = line.substr(at + tag.size());
        size_t p = 0;
        while (p < rest.size()) {
            size_t ms = rest.find(" ms", p);
            if (ms == std::string::npos) break;
            size_t num = rest.rfind(' ', ms - 1);
            std::string name = rest.substr(p, num - p);
            while (!name.empty() && (name.front() == ' ' || name.front() == ','))
                name.erase(name.begin());
            if (!out.steps.count(name)) out.order.push_back(name);
            out.steps[name].ms.push_back(std::atof(rest.c_str() + num + 1));
            p = ms + 3;
        }
        // "; NAME N" after the last time.
        if (size_t semi = rest.find("; ", p), num = rest.rfind(' ');
            semi != std::string::npos && num > semi + 2)
            out.counts[rest.substr(semi + 2, num - semi - 2)].ms.push_back(
                std::atof(rest.c_str() + num + 1));
    }
    return out;
}

}  // namespace tapd::bench
