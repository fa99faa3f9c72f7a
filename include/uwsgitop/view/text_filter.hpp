// text_filter.hpp — what the `/` filter's text asks for, on every table.
//
// "busy" keeps the rows a table's matcher finds "busy" in; "harakiri|respawn"
// the rows matching either term; "!exceptions" the rows NOT matching it;
// "!exceptions|cursed" the rows matching neither. A leading '!' excludes,
// '|' separates alternatives; spaces around a term are dropped, terms are
// folded to lower case (ASCII) and empty ones ignored, so "", "!" and "|"
// filter nothing (active() is false). What a term matches is each table's
// business (a worker id, a pid's start, a status, text in a column): the
// caller passes its matcher to accepts(). contains_folded() is the one
// case-insensitive substring search those matchers use.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace uwsgitop {

class TextFilter {
public:
    TextFilter() = default;
    explicit TextFilter(std::string_view text);

    bool active() const { return !terms_.empty(); }
    bool excludes() const { return exclude_; }
    const std::vector<std::string>& terms() const { return terms_; }

    // True when the row is kept: `matches(term)` for some term, or, with a
    // leading '!', for none. Keeps everything when not active().
    template <typename Matches>
    bool accepts(Matches&& matches) const {
        if (terms_.empty()) return true;
        bool hit = false;
        for (const std::string& t : terms_) {
            if (matches(std::string_view(t))) {
                hit = true;
                break;
            }
        }
        return exclude_ ? !hit : hit;
    }

private:
    bool exclude_ = false;
    std::vector<std::string> terms_;   // lower case, none empty
};

// `lower_needle` (already lower case) in `hay`, ASCII letters compared
// without case; an empty needle is found everywhere.
bool contains_folded(std::string_view hay, std::string_view lower_needle);
// The same, at the start of `hay` only.
bool starts_folded(std::string_view hay, std::string_view lower_needle);

}  // namespace uwsgitop
