// Tests for base/proc_stat.hpp: fields counted after the last ')'.
#include <doctest/doctest.h>

#include "uwsgitop/base/proc_stat.hpp"

using uwsgitop::stat_field;
using uwsgitop::stat_start_time;
using uwsgitop::stat_state;

TEST_CASE("proc_stat: state, parent and start time, whatever the command name holds") {
    const char* line = "4711 (uwsgi (worker 1) ) x) S 4700 4700 4700 0 -1 4194560 1 0 0 0 2 1 0 0 20 0 1 0 123456 0 0\n";
    CHECK(stat_state(line) == 'S');
    CHECK(stat_field(line, 4) == 4700u);
    CHECK(stat_start_time(line) == 123456u);
    CHECK_FALSE(stat_field(line, 99).has_value());
    CHECK_FALSE(stat_start_time("12 (short) Z 1 1 1").has_value());
    CHECK(stat_state("12 (short) Z 1 1 1") == 'Z');
    CHECK_FALSE(stat_field("no parenthesis at all", 4).has_value());
    CHECK_FALSE(stat_field("1 (x) S -1 2", 4).has_value());  // not an unsigned number
    CHECK(stat_state("") == '\0');
}
