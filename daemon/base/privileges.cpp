// libcap-ng capability dropping.
#include "privileges.hpp"

#include <cap-ng.h>
#include <linux/capability.h>
#include <sys/prctl.h>

#include <cerrno>

namespace tapd {

Result<std::string> drop_privileges() {
    // Under tapd.service the bounding set has left only these two already, and capset is not
    // among the allowed system calls: nothing to drop then.
    capng_get_caps_process();
    bool minimal = true;
    for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
        if (cap == CAP_NET_ADMIN || cap == CAP_NET_RAW) continue;
        if (capng_have_capability(CAPNG_EFFECTIVE, static_cast<unsigned>(cap)) ||
            capng_have_capability(CAPNG_PERMITTED, static_cast<unsigned>(cap)))
            minimal = false;
    }
    if (minimal) {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
            return errno_error(ErrorKind::Failed, "PR_SET_NO_NEW_PRIVS", errno);
        return std::string("uid 0 with only CAP_NET_ADMIN and CAP_NET_RAW (given so)");
    }
    capng_clear(CAPNG_SELECT_BOTH);
    if (capng_updatev(
            CAPNG_ADD,
            static_cast<capng_type_t>(CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET),
            CAP_NET_ADMIN, CAP_NET_RAW, -1) != 0)
        return make_error(ErrorKind::Failed, "capng_updatev failed");
    if (int rc = capng_apply(CAPNG_SELECT_BOTH); rc != 0) {
        // Without CAP_SETPCAP (e.g. already reduced by systemd) the bounding set cannot change;
        // the capability sets alone still drop everything else.
        if (capng_apply(CAPNG_SELECT_CAPS) != 0)
            return make_error(ErrorKind::Failed, "capng_apply failed (" + std::to_string(rc) + ")");
    }
    // No way back to full root through exec of a setuid binary or file capabilities.
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return errno_error(ErrorKind::Failed, "PR_SET_NO_NEW_PRIVS", errno);
    return std::string("uid 0 with only CAP_NET_ADMIN and CAP_NET_RAW");
}

}  // namespace tapd
