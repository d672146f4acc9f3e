// HoldSignals: the blocked stop signals and the wait for them.
#include "hold.hpp"

#include <initializer_list>

namespace tapd::tapctl {

namespace {

volatile sig_atomic_t g_stop = 0;

void note_stop(int) {
    g_stop = 1;
}

}  // namespace

HoldSignals::HoldSignals() {
    g_stop = 0;
    struct sigaction sa {};
    sa.sa_handler = note_stop;
    sigset_t stops;
    sigemptyset(&stops);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
        sigaction(sig, &sa, nullptr);
        sigaddset(&stops, sig);
    }
    sigprocmask(SIG_BLOCK, &stops, &before_);
}

HoldSignals::~HoldSignals() {
    sigprocmask(SIG_SETMASK, &before_, nullptr);
}

void HoldSignals::wait() {
    while (!g_stop) ::sigsuspend(&before_);
}

}  // namespace tapd::tapctl
