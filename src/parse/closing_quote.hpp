// closing_quote.hpp — does a `"` inside a string close it? The look-ahead rules of the repair rewrite (private, for repair.cpp).
//
// uWSGI writes many strings unescaped, so a raw `"` may sit inside one. A
// quote closes the string only if what follows it (white space skipped) is
// what the structure expects after a string in that role:
//   * a key: `:` then the first byte of a value;
//   * a value in an object: `}` then `,` `}` `]` or the end; or `,` then the
//     end, a `}` (trailing comma) or a `"` that opens what looks like the next
//     key (a `"` then `:` within kKeyLookahead bytes, or no end in sight);
//   * a value in an array: `]` then `,` `}` `]` or the end; or `,` then the
//     end, a `]` or the first byte of a value;
//   * a top-level string: always.
// At the end of the input the quote closes (truncation is the parser's to
// report). Reads only within [p, p + n).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace uwsgitop::detail {

// What the string being read is, from the container stack.
enum class Role : uint8_t { Key, ObjectValue, ArrayValue, Top };

class ClosingQuote {
public:
    ClosingQuote(const unsigned char* p, std::size_t n) : p_(p), n_(n) {}

    // Would the `"` at q close a string playing `role`?
    bool closes(std::size_t q, Role role) const {
        std::size_t k = skip_ws(q + 1);
        if (k >= n_) return true;  // truncated: let the parser say so
        unsigned char c = p_[k];
        switch (role) {
        case Role::Key: {
            if (c != ':') return false;
            std::size_t v = skip_ws(k + 1);
            return v >= n_ || starts_value(p_[v]);
        }
        case Role::ObjectValue: {
            if (c == '}') return after_close(k + 1);
            if (c != ',') return false;
            std::size_t v = skip_ws(k + 1);
            if (v >= n_ || p_[v] == '}') return true;  // (a trailing comma)
            return p_[v] == '"' && key_follows(v);
        }
        case Role::ArrayValue: {
            if (c == ']') return after_close(k + 1);
            if (c != ',') return false;
            std::size_t v = skip_ws(k + 1);
            return v >= n_ || p_[v] == ']' || starts_value(p_[v]);
        }
        case Role::Top: return true;
        }
        return true;
    }

private:
    static constexpr std::size_t kKeyLookahead = 512;

    static bool is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

    // First byte of a JSON value.
    static bool starts_value(unsigned char c) {
        return c == '"' || c == '{' || c == '[' || c == '-' || (c >= '0' && c <= '9') || c == 't' ||
               c == 'f' || c == 'n';
    }

    std::size_t skip_ws(std::size_t k) const {
        while (k < n_ && is_ws(p_[k])) ++k;
        return k;
    }

    // After a closing `}` or `]` of the enclosing container.
    bool after_close(std::size_t k) const {
        k = skip_ws(k);
        return k >= n_ || p_[k] == ',' || p_[k] == '}' || p_[k] == ']';
    }

    // p_[k] is the `"` opening what should be the next key: it must end,
    // soon, in `"` then `:` (uWSGI's keys are short names).
    bool key_follows(std::size_t k) const {
        std::size_t end = std::min(n_, k + 1 + kKeyLookahead);
        for (std::size_t j = k + 1; j < end; ++j) {
            if (p_[j] == '"') {
                std::size_t r = skip_ws(j + 1);
                return r >= n_ || p_[r] == ':';
            }
        }
        return true;  // no end in sight: cannot tell, take the quote as closing
    }

    const unsigned char* p_;
    std::size_t n_;
};

}  // namespace uwsgitop::detail
