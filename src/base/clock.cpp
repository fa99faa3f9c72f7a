// clock.cpp — wall and monotonic clocks, and the sleep on the latter (see clock.hpp).
#include <chrono>
#include <cmath>
#include <ctime>

#include "uwsgitop/base/clock.hpp"

namespace uwsgitop {

double wall_clock_seconds() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

double monotonic_seconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

int wait_ms_until(double deadline, double now, int most) {
    const double left = deadline - now;
    if (left <= 0) return 0;
    const double ms = std::ceil(left * 1000.0);
    return ms > most ? most : static_cast<int>(ms);
}

void sleep_for_seconds(double seconds, const volatile bool* stop) {
    const double end = monotonic_seconds() + seconds;
    for (;;) {
        if (stop && *stop) return;
        const double left = end - monotonic_seconds();
        if (left <= 0) return;
        const double step = stop ? (left < 0.1 ? left : 0.1) : left;
        timespec ts;
        ts.tv_sec = static_cast<time_t>(step);
        ts.tv_nsec = static_cast<long>((step - static_cast<double>(ts.tv_sec)) * 1e9);
        nanosleep(&ts, nullptr);
    }
}

}  // namespace uwsgitop
