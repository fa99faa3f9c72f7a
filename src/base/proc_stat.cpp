// proc_stat.cpp — fields of a /proc/PID/stat line (see proc_stat.hpp).
#include "uwsgitop/base/proc_stat.hpp"

#include <charconv>

namespace uwsgitop {

namespace {

// The text of field `n` (n >= 3), or empty.
std::string_view field_text(std::string_view stat, int n) {
    const std::size_t paren = stat.rfind(')');
    if (paren == std::string_view::npos || n < 3) return {};
    std::string_view rest = stat.substr(paren + 1);
    for (int field = 3;; ++field) {
        const std::size_t start = rest.find_first_not_of(' ');
        if (start == std::string_view::npos) return {};
        rest.remove_prefix(start);
        const std::size_t end = rest.find_first_of(" \n");
        if (field == n) return rest.substr(0, end);
        if (end == std::string_view::npos) return {};
        rest.remove_prefix(end);
    }
}

}  // namespace

std::optional<uint64_t> stat_field(std::string_view stat, int n) {
    const std::string_view text = field_text(stat, n);
    uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

char stat_state(std::string_view stat) {
    const std::string_view text = field_text(stat, 3);
    return text.size() == 1 ? text.front() : '\0';
}

}  // namespace uwsgitop
