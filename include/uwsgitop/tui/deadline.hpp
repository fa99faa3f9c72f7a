// deadline.hpp — steady-clock deadlines from a number of seconds, for the
// background threads' timed waits (fetcher.cpp, fleet_poller.cpp).
#pragma once

#include <chrono>

namespace uwsgitop::tui {

using SteadyClock = std::chrono::steady_clock;

// `from` plus `seconds`, the seconds taken as 0 when negative or NaN and at
// most one day (a wait_until on the result never overflows the clock).
inline SteadyClock::time_point deadline_after(SteadyClock::time_point from, double seconds) {
    if (!(seconds > 0)) seconds = 0;
    if (seconds > 86400.0) seconds = 86400.0;
    return from + std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(seconds));
}

}  // namespace uwsgitop::tui
