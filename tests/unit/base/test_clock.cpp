// Unit tests for base/clock.hpp's wait_ms_until (the poll timeouts of the
// socket source, the fleet poller and the screen loop).
#include <doctest/doctest.h>

#include "uwsgitop/base/clock.hpp"

using namespace uwsgitop;

TEST_CASE("clock::wait_ms_until rounds up, is 0 once the deadline passed, and is capped") {
    CHECK(wait_ms_until(10.0, 10.0, 1000) == 0);
    CHECK(wait_ms_until(9.0, 10.0, 1000) == 0);
    CHECK(wait_ms_until(10.0001, 10.0, 1000) == 1);  // never returns before the deadline
    CHECK(wait_ms_until(10.25, 10.0, 1000) == 250);
    CHECK(wait_ms_until(12.0, 10.0, 1000) == 1000);
    CHECK(wait_ms_until(1e6, 10.0, 600000) == 600000);
}
