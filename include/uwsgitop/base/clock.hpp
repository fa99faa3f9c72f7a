// clock.hpp — the two clocks of the program, and a sleep on the monotonic one.
//
// wall_clock_seconds(): seconds since the epoch (what a frame is stamped with,
// what the header shows). monotonic_seconds(): never goes back, used for rates
// and deadlines. sleep_for_seconds() resumes interrupted sleeps and returns
// early once *stop becomes true (stop may be null). wait_ms_until() is the
// timeout for a poll()/epoll_wait() that must not return before `deadline`
// (monotonic seconds) while `now`: rounded up, 0 once the deadline has
// passed, at most `most`.
#pragma once

namespace uwsgitop {

double wall_clock_seconds();
double monotonic_seconds();
void sleep_for_seconds(double seconds, const volatile bool* stop = nullptr);
int wait_ms_until(double deadline, double now, int most);

}  // namespace uwsgitop
