// text_filter.cpp — the `/` filter's terms (see text_filter.hpp).
#include "uwsgitop/view/text_filter.hpp"

namespace uwsgitop {

namespace {

char fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

}  // namespace

TextFilter::TextFilter(std::string_view text) {
    text = trim(text);
    if (!text.empty() && text.front() == '!') {
        exclude_ = true;
        text.remove_prefix(1);
    }
    while (true) {
        const std::size_t bar = text.find('|');
        const std::string_view term = trim(text.substr(0, bar));
        if (!term.empty()) {
            std::string t;
            t.reserve(term.size());
            for (char c : term) t += fold(c);
            terms_.push_back(std::move(t));
        }
        if (bar == std::string_view::npos) break;
        text.remove_prefix(bar + 1);
    }
}

bool contains_folded(std::string_view hay, std::string_view needle) {
    if (needle.empty()) return true;
    if (needle.size() > hay.size()) return false;
    for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
        std::size_t k = 0;
        while (k < needle.size() && fold(hay[i + k]) == needle[k]) ++k;
        if (k == needle.size()) return true;
    }
    return false;
}

bool starts_folded(std::string_view hay, std::string_view needle) {
    return hay.size() >= needle.size() && contains_folded(hay.substr(0, needle.size()), needle);
}

}  // namespace uwsgitop
