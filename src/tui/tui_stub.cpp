// tui_stub.cpp — temporary until the screen lands (issue 4).
#include <cstdio>

#include "uwsgitop/tui.hpp"

namespace uwsgitop {

int run_interactive(const Options&, Pipeline&) {
    std::fprintf(stderr, "uwsgitop: the interactive screen is not built yet; use --once or --batch\n");
    return 2;
}

}  // namespace uwsgitop
