// clock.cpp — the two clocks a live frame is stamped with.
#include <chrono>

#include "uwsgitop/frame.hpp"

namespace uwsgitop {

double wall_clock_seconds() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

double monotonic_seconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace uwsgitop
