// signals.hpp — how the interactive screens (single and fleet) react to
// signals. One implementation for both, so they behave the same.
//
// install_screen_signals(), called before the terminal is opened (ncurses
// then keeps these handlers instead of installing its own, which exit):
//   * SIGINT, SIGTERM, SIGHUP only record the signal number in a flag
//     (stop_signal()); nothing else happens in the handler. They are
//     installed without SA_RESTART, so a blocking read returns at once. The
//     screen's loop checks the flag every turn, then restores the terminal
//     the normal way and returns stop_exit_code(): 128 + the signal number
//     (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP), as a shell reports a
//     process killed by it. The flag is never cleared.
//   * SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT (fatal): the terminal is
//     restored best-effort (emergency_restore_terminal(), async-signal-safe),
//     the default action is put back and the signal raised again, so the
//     process dies exactly as it would have (status, core dump).
//   * The first call also registers the same best-effort restore with
//     atexit(), for an exit() from anywhere while the screen is up.
// Background threads (fetchers, pollers) are started with
// start_without_screen_signals(), so the handlers run on the UI thread.
#pragma once

#include <csignal>
#include <functional>
#include <thread>

namespace uwsgitop::tui {

// A thread running `body` that never takes the screen's signals: SIGINT,
// SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGTSTP and SIGCONT are blocked around
// its creation, so it (and every thread it starts) inherits the mask; the
// caller's own mask is left as it was.
std::thread start_without_screen_signals(std::function<void()> body);

void install_screen_signals();

// The stop signal received (SIGINT, SIGTERM or SIGHUP), or 0 when none.
int stop_signal();

// The stop signals and SIGWINCH: those that must end the screen's sleep for
// a key at once (Terminal::read_key with a wake descriptor).
sigset_t sleep_ending_signals();

// 128 + stop_signal(), or 0 when no stop signal came.
int stop_exit_code();

}  // namespace uwsgitop::tui
