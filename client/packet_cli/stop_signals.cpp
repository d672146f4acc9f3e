// StopSignals and StoppableSource: the signal mask, the handler's flag, and ppoll() waits.
#include "packet_cli/stop_signals.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <utility>

namespace tapd::cli {
namespace {

volatile sig_atomic_t g_stop = 0;
extern "C" void on_stop_signal(int) {
    g_stop = 1;
}

}  // namespace

StopSignals::StopSignals(bool block) {
    g_stop = 0;
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: the wait must return EINTR
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, &old_mask_);
    wait_mask_ = old_mask_;
    sigdelset(&wait_mask_, SIGINT);
    sigdelset(&wait_mask_, SIGTERM);
}

StopSignals::~StopSignals() {
    // Unblock first so a pending signal still lands in our handler, then restore handlers.
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
}

bool StopSignals::stopped() const {
    return g_stop != 0;
}

StopSignals::Wait StopSignals::wait(int fd, int timeout_ms, bool& readable) {
    readable = false;
    if (g_stop) return Wait::Stopped;
    struct pollfd p {
        fd, POLLIN, 0
    };
    struct timespec ts {
        timeout_ms / 1000, (timeout_ms % 1000) * 1000000L
    };
    for (;;) {
        int r = ppoll(&p, 1, timeout_ms < 0 ? nullptr : &ts, &wait_mask_);
        if (r < 0) {
            if (errno == EINTR) {
                if (g_stop) return Wait::Stopped;
                continue;
            }
            return Wait::Failed;
        }
        readable = r > 0;
        return Wait::Ready;
    }
}

ssize_t StoppableSource::read(void* buf, size_t n) {
    for (;;) {
        bool readable;
        auto w = sig_.wait(fd_, 0, readable);
        if (w == StopSignals::Wait::Ready && !readable) {
            on_idle_();
            w = sig_.wait(fd_, -1, readable);
        }
        if (w == StopSignals::Wait::Stopped) {
            errno = EINTR;
            return -1;
        }
        if (w == StopSignals::Wait::Failed) return -1;
        ssize_t r = ::read(fd_, buf, n);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        return r;
    }
}

}  // namespace tapd::cli
