// signals.cpp — the interactive screens' signal handling (see signals.hpp).
#include "uwsgitop/tui/signals.hpp"

#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <utility>

#include "uwsgitop/tui/terminal.hpp"

namespace uwsgitop::tui {

namespace {

volatile std::sig_atomic_t g_stop_signal = 0;

void on_stop_signal(int sig) { g_stop_signal = sig; }

void on_fatal_signal(int sig) {
    emergency_restore_terminal();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

void restore_at_exit() { emergency_restore_terminal(); }

}  // namespace

void install_screen_signals() {
    struct sigaction sa{};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocking read returns at once
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
    struct sigaction fatal{};
    fatal.sa_handler = on_fatal_signal;
    sigemptyset(&fatal.sa_mask);
    fatal.sa_flags = SA_RESETHAND;
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(sig, &fatal, nullptr);
    static bool atexit_done = false;
    if (!atexit_done) {
        std::atexit(restore_at_exit);
        atexit_done = true;
    }
}

int stop_signal() { return static_cast<int>(g_stop_signal); }

sigset_t sleep_ending_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGWINCH}) sigaddset(&set, sig);
    return set;
}

int stop_exit_code() { return g_stop_signal != 0 ? 128 + static_cast<int>(g_stop_signal) : 0; }

std::thread start_without_screen_signals(std::function<void()> body) {
    sigset_t block, old;
    sigemptyset(&block);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGTSTP, SIGCONT}) sigaddset(&block, sig);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    std::thread t;
    try {
        t = std::thread(std::move(body));
    } catch (...) {
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
        throw;
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return t;
}

}  // namespace uwsgitop::tui
