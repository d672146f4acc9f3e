// The policy in force: put in force at start, replaced whole by a successful reload (Reload,
// SIGHUP), never by a failed one.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "policy.hpp"
#include "result.hpp"

namespace tapd {

class PolicyInForce {
  public:
    // Root only until a policy is loaded.
    PolicyInForce();
    PolicyInForce(const PolicyInForce&) = delete;
    PolicyInForce& operator=(const PolicyInForce&) = delete;

    // The policy in force. A call keeps the pointer it took for as long as it needs it: a reload
    // meanwhile puts another policy in force and leaves this one whole.
    std::shared_ptr<const Policy> get() const;

    // Loads PATH (Policy::load, LoadTime::Start) and, if it is valid, puts it in force; no file
    // there means root only. A bad file leaves the policy in force as it was and the error says
    // why (FILE:LINE:COLUMN: reason).
    Status load_at_start(const std::string& path);
    // The same for Reload and SIGHUP (LoadTime::Reload), where a missing file or a dangling
    // symlink is an error too (the policy in force stays) instead of locking every user out.
    Status reload(const std::string& path);
    // Puts POLICY in force (not null).
    void set(std::shared_ptr<const Policy> policy);

  private:
    Status put_in_force(Result<std::shared_ptr<const Policy>> loaded);

    // Swapped whole: a reader gets the old pointer or the new one, never half of either.
    std::atomic<std::shared_ptr<const Policy>> current_;
};

}  // namespace tapd
