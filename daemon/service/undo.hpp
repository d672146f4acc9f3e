// Undo: the steps that take back a half-done change, run in reverse unless commit() is called.
// Every mutating handler pushes one step per change it makes, so that a failure at any point
// leaves nothing half-created.
#pragma once

#include <functional>
#include <vector>

namespace tapd {

class Undo {
  public:
    Undo() = default;
    Undo(const Undo&) = delete;
    Undo& operator=(const Undo&) = delete;
    ~Undo() {
        for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) (*it)();
    }
    void push(std::function<void()> step) { steps_.push_back(std::move(step)); }
    void commit() { steps_.clear(); }

  private:
    std::vector<std::function<void()>> steps_;
};

}  // namespace tapd
