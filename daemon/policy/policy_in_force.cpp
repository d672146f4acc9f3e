// The policy in force, swapped whole on a successful load.
#include "policy_in_force.hpp"

#include <utility>

namespace tapd {

PolicyInForce::PolicyInForce() : current_(Policy::root_only()) {}

std::shared_ptr<const Policy> PolicyInForce::get() const {
    return current_.load();
}

Status PolicyInForce::load_at_start(const std::string& path) {
    return put_in_force(Policy::load(path, LoadTime::Start));
}

Status PolicyInForce::reload(const std::string& path) {
    return put_in_force(Policy::load(path, LoadTime::Reload));
}

void PolicyInForce::set(std::shared_ptr<const Policy> policy) {
    current_.store(std::move(policy));
}

Status PolicyInForce::put_in_force(Result<std::shared_ptr<const Policy>> loaded) {
    if (!loaded) return loaded.error();
    set(std::move(loaded.value()));
    return {};
}

}  // namespace tapd
