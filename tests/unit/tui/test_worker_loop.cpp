// Unit tests for tui/worker_loop.hpp's timing of the once-a-second draw.
#include <doctest/doctest.h>

#include "uwsgitop/tui/worker_loop.hpp"

using namespace uwsgitop::tui;

TEST_CASE("worker_loop::the tick's draw is a second after the last, unless a snapshot is due then") {
    // Nothing expected (paused, ended, before the first snapshot): a second on.
    CHECK(tick_draw_due(10.0, -1) == doctest::Approx(11.0));
    // 1 Hz: the next snapshot is due when the tick would be, and draws instead.
    CHECK(tick_draw_due(10.0, 11.0) == doctest::Approx(11.0 + kTickGrace));
    CHECK(tick_draw_due(10.0, 11.0 + kTickGrace) == doctest::Approx(11.0 + 2 * kTickGrace));
    CHECK(tick_draw_due(10.0, 11.0 - kTickGrace) == doctest::Approx(11.0));
    // A slower refresh (2 s) still draws each second between snapshots.
    CHECK(tick_draw_due(10.0, 12.0) == doctest::Approx(11.0));
    // A snapshot long overdue (fetches failing): the age ticks each second.
    CHECK(tick_draw_due(10.0, 5.0) == doctest::Approx(11.0));
}
