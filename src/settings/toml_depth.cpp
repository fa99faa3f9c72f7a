// toml_depth.cpp — the nesting pre-scan of settings files (see toml_depth.hpp).
#include "uwsgitop/settings/toml_depth.hpp"

#include <string>

namespace uwsgitop {

namespace {

// The index just past the string that opens at text[i] (a quote), counting
// the line ends inside a multi-line one. An unterminated single-line string
// ends at its line's end (toml++ reports it).
std::size_t past_string(std::string_view text, std::size_t i, int& line) {
    const char quote = text[i];
    const bool basic = quote == '"';
    const std::string_view triple = basic ? std::string_view("\"\"\"") : std::string_view("'''");
    const bool multi = text.substr(i, 3) == triple;
    i += multi ? 3 : 1;
    while (i < text.size()) {
        const char c = text[i];
        if (basic && c == '\\') {
            if (i + 1 < text.size() && text[i + 1] == '\n') ++line;
            i += 2;
            continue;
        }
        if (c == '\n') {
            if (!multi) return i;
            ++line;
        } else if (c == quote && (!multi || text.substr(i, 3) == triple)) {
            if (!multi) return i + 1;
            i += 3;
            while (i < text.size() && text[i] == quote) ++i;  // """a"""" ends with a quote inside
            return i;
        }
        ++i;
    }
    return i;
}

}  // namespace

Status check_toml_depth(std::string_view text, std::string_view shown) {
    int line = 1, open = 0, dots = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == '"' || c == '\'') {
            i = past_string(text, i, line);
            continue;
        }
        if (c == '#') {
            while (i < text.size() && text[i] != '\n') ++i;
            continue;
        }
        if (c == '\n') {
            ++line;
            dots = 0;
        } else if (c == '[' || c == '{') {
            ++open;
            dots = 0;
        } else if (c == ']' || c == '}') {
            open -= open > 0 ? 1 : 0;
            dots = 0;
        } else if (c == '=' || c == ',') {
            dots = 0;
        } else if (c == '.') {
            ++dots;
        }
        if (open + dots > kMaxTomlDepth) {
            return Status::fail(std::string(shown) + ":" + std::to_string(line) + ": nested more than " +
                                std::to_string(kMaxTomlDepth) + " levels deep (dotted keys, tables, arrays)");
        }
        ++i;
    }
    return Status::ok();
}

}  // namespace uwsgitop
