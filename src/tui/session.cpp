// session.cpp — start and end of an interactive screen (see session.hpp).
#include "uwsgitop/tui/session.hpp"

#include <unistd.h>

#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "uwsgitop/tui/signals.hpp"

namespace uwsgitop::tui {

bool open_screen(Terminal& term, const Options& options) {
    std::setlocale(LC_ALL, "");
    install_screen_signals();
    const char* no_color_env = std::getenv("NO_COLOR");
    const bool color = options.force_color || (!options.no_color && !(no_color_env && *no_color_env));
    const Status st = term.open(color, options.mouse, options.theme, options.color_overrides);
    if (!st) {
        std::fprintf(stderr, "uwsgitop: %s\n", st.message().c_str());
        return false;
    }
    return true;
}

int guarded(Terminal& term, const std::function<int()>& loop) {
    try {
        return loop();
    } catch (const std::exception& e) {
        term.close();
        std::fprintf(stderr, "uwsgitop: %s\n", e.what());
        return 1;
    }
}

int leave(int code, bool finished) {
    if (!finished) {
        std::fflush(stdout);
        std::fflush(stderr);
        std::_Exit(code);
    }
    return code;
}

}  // namespace uwsgitop::tui
