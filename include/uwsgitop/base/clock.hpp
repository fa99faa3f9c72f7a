// clock.hpp — the two clocks of the program, and a sleep on the monotonic one.
//
// wall_clock_seconds(): seconds since the epoch (what a frame is stamped with,
// what the header shows). monotonic_seconds(): never goes back, used for rates
// and deadlines. sleep_for_seconds() resumes interrupted sleeps and returns
// early once *stop becomes true (stop may be null).
#pragma once

namespace uwsgitop {

double wall_clock_seconds();
double monotonic_seconds();
void sleep_for_seconds(double seconds, const volatile bool* stop = nullptr);

}  // namespace uwsgitop
