// fleet_screen_stub.cpp — until the fleet screen lands (issue 8).
#include <cstdio>

#include "uwsgitop/tui.hpp"

namespace uwsgitop {

int run_fleet_interactive(const Options&, std::vector<std::unique_ptr<Instance>>&) {
    std::fprintf(stderr, "uwsgitop: the fleet screen is not built yet; use --once or --batch with several addresses\n");
    return 2;
}

}  // namespace uwsgitop
