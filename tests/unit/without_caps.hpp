// without_file_capabilities(): runs a check in a child process that has dropped every
// capability (as tapd runs: uid 0 without CAP_DAC_OVERRIDE), so file modes apply to root too.
#pragma once

#include <cap-ng.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

namespace tapd {

// CHECK's result, computed in a child without capabilities; false if the child fails.
inline bool without_file_capabilities(const std::function<bool()>& check) {
    pid_t pid = ::fork();
    if (pid < 0) return false;
    if (pid == 0) {
        capng_clear(CAPNG_SELECT_BOTH);
        if (capng_apply(CAPNG_SELECT_CAPS) != 0) _exit(2);
        _exit(check() ? 0 : 1);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace tapd
