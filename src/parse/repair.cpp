// repair.cpp — the lenient path's rewrite: one walk over uWSGI's unescaped output, writing strict JSON.
//
// What uWSGI 2.0.21 writes (core/stats.c, core/master_utils.c):
//   * most strings (cwd, chdir, socket and cache names, subscription keys,
//     vassal ids, lock and metric names used as keys, ...) go through
//     snprintf("\"%s\"") unescaped: raw `"`, `\`, control bytes and any
//     bytes at all;
//   * request vars (per-core "vars") go through escape_json(), which escapes
//     `"` `\` TAB LF CR only: other control bytes and invalid UTF-8 stay raw.
//
// The rewrite walks the document once, tracking the container stack (object
// or array; in an object, whether a key or a value comes next). Inside a
// string:
//   * a `"` closes the string only if what follows is what the structure
//     expects after this string (closing_quote.hpp); otherwise it is escaped;
//   * `\` followed by a valid JSON escape is kept as that escape, except `\"`
//     outside "vars" when that `"` would close the string (a raw string ending
//     in a backslash, e.g. cwd `C:\`); any other `\` becomes `\\`;
//     in a "vars" array (escape_json output) `\"` is always an escape;
//   * control bytes become \t \n \r or \u00XX; invalid UTF-8 becomes U+FFFD
//     (one per maximal invalid subpart, as Unicode recommends; the lengths
//     of UTF-8 and \uXXXX sequences come from string_sequences.hpp).
// Outside strings every byte is copied unchanged, so truncation and garbage
// still fail in the parser, at an offset that repair_input_offset() maps back
// (the same walk, into a sink that counts instead of writing).
//
// Known ambiguities (the data cannot tell): a raw string that contains a
// valid escape such as `\n` or `\\` is decoded as that escape; a raw `"`
// followed by exactly what could follow a closing quote (e.g. `", "key":`)
// ends the string there.
#include "uwsgitop/parse/repair.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "closing_quote.hpp"
#include "repair_detail.hpp"
#include "string_sequences.hpp"

namespace uwsgitop {
namespace {

using detail::ClosingQuote;
using detail::invalid_utf8_len;
using detail::Role;
using detail::unicode_escape_len;
using detail::valid_utf8_len;

enum ByteClass : uint8_t { kPlain, kQuote, kBackslash, kControl, kHigh };

constexpr std::array<uint8_t, 256> make_classes() {
    std::array<uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
        t[c] = c < 0x20 ? kControl : c >= 0x80 ? kHigh : kPlain;
    }
    t['"'] = kQuote;
    t['\\'] = kBackslash;
    return t;
}
constexpr std::array<uint8_t, 256> kClass = make_classes();

// Bytes that matter outside strings.
constexpr std::array<bool, 256> make_structural() {
    std::array<bool, 256> t{};
    for (char c : {'"', '{', '}', '[', ']', ',', ':'}) {
        t[static_cast<unsigned char>(c)] = true;
    }
    return t;
}
constexpr std::array<bool, 256> kStructural = make_structural();

// Container stack entry bits.
constexpr uint8_t kObject = 1, kExpectKey = 2, kEscapedArray = 4;
constexpr std::size_t kStackCap = 256;   // deeper than that the parser fails anyway

template <class Sink>
class Rewriter {
public:
    Rewriter(std::string_view in, Sink& sink)
        : p_(reinterpret_cast<const unsigned char*>(in.data())), n_(in.size()), quotes_(p_, n_), sink_(sink) {}

    void run() {
        std::size_t i = 0, from = 0;
        while (i < n_) {
            while (i < n_ && !kStructural[p_[i]]) ++i;  // whitespace, numbers, literals
            if (i >= n_) break;
            unsigned char c = p_[i];
            if (c == '"') {
                sink_.copy(from, i - from);
                i = string_at(i);
                from = i;
                if (sink_.done()) return;
                continue;
            }
            structural(c);
            ++i;
        }
        sink_.copy(from, n_ - from);
    }

private:
    uint8_t top() const { return depth_ == 0 ? 0 : stack_[std::min(depth_, kStackCap) - 1]; }
    void set_top(uint8_t bits) {
        if (depth_ > 0 && depth_ <= kStackCap) stack_[depth_ - 1] = bits;
    }
    void push(uint8_t bits) {
        if (depth_ < kStackCap) stack_[depth_] = bits;
        ++depth_;
    }

    void structural(unsigned char c) {
        switch (c) {
        case '{': push(kObject | kExpectKey); break;
        case '[': push((top() & kObject) && last_key_vars_ ? kEscapedArray : 0); break;
        case '}':
        case ']':
            if (depth_ > 0) --depth_;
            break;
        case ',':
            if (top() & kObject) set_top(top() | kExpectKey);
            break;
        case ':':
            if (top() & kObject) set_top(static_cast<uint8_t>(top() & ~kExpectKey));
            break;
        default: break;
        }
    }

    // Copies the string whose opening quote is at `i`; returns the index
    // after its closing quote (or n_ if it never closes).
    std::size_t string_at(std::size_t i) {
        uint8_t t = top();
        Role role = depth_ == 0              ? Role::Top
                    : !(t & kObject)          ? Role::ArrayValue
                    : (t & kExpectKey) != 0   ? Role::Key
                                              : Role::ObjectValue;
        bool escaped = (t & kEscapedArray) != 0;
        std::size_t j = i + 1, from = i;  // the opening quote goes with the first run
        while (true) {
            while (j < n_ && kClass[p_[j]] == kPlain) ++j;
            sink_.copy(from, j - from);
            if (j >= n_) return n_;
            unsigned char c = p_[j];
            switch (kClass[c]) {
            case kQuote:
                if (quotes_.closes(j, role)) {
                    sink_.copy(j, 1);
                    if (role == Role::Key) {
                        last_key_vars_ = (j - i - 1 == 4) && p_[i + 1] == 'v' && p_[i + 2] == 'a' &&
                                         p_[i + 3] == 'r' && p_[i + 4] == 's';
                    }
                    return j + 1;
                }
                sink_.emit(j, "\\\"", 2);
                ++j;
                break;
            case kBackslash: j = backslash(j, role, escaped); break;
            case kControl: {
                static constexpr char kHex[] = "0123456789abcdef";
                char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
                if (c == '\t') sink_.emit(j, "\\t", 2);
                else if (c == '\n') sink_.emit(j, "\\n", 2);
                else if (c == '\r') sink_.emit(j, "\\r", 2);
                else sink_.emit(j, esc, 6);
                ++j;
                break;
            }
            case kHigh: {
                std::size_t len = valid_utf8_len(p_ + j, n_ - j);
                if (len > 0) {
                    sink_.copy(j, len);
                    j += len;
                } else {
                    sink_.emit(j, "\xEF\xBF\xBD", 3);
                    j += invalid_utf8_len(p_ + j, n_ - j);
                }
                break;
            }
            default: ++j; break;  // unreachable: plain bytes were consumed above
            }
            from = j;
            if (sink_.done()) return j;
        }
    }

    // A `\` at j inside a string; returns where to continue.
    std::size_t backslash(std::size_t j, Role role, bool escaped) {
        if (j + 1 < n_) {
            unsigned char e = p_[j + 1];
            switch (e) {
            case '"':
                if (escaped || !quotes_.closes(j + 1, role)) {
                    sink_.copy(j, 2);
                    return j + 2;
                }
                break;  // a raw string ending in a backslash
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
                sink_.copy(j, 2);
                return j + 2;
            case 'u': {
                std::size_t len = unicode_escape_len(p_, n_, j);
                if (len > 0) {
                    sink_.copy(j, len);
                    return j + len;
                }
                break;
            }
            default: break;
            }
        }
        sink_.emit(j, "\\\\", 2);  // a literal backslash
        return j + 1;
    }

    const unsigned char* p_;
    std::size_t n_;
    ClosingQuote quotes_;
    Sink& sink_;
    std::array<uint8_t, kStackCap> stack_{};
    std::size_t depth_ = 0;
    bool last_key_vars_ = false;
};

// Writes the repaired document.
class VectorSink {
public:
    VectorSink(std::string_view in, ByteBuffer& out) : in_(in.data()), out_(out) {}
    void copy(std::size_t pos, std::size_t len) { out_.insert(out_.end(), in_ + pos, in_ + pos + len); }
    void emit(std::size_t, const char* s, std::size_t len) { out_.insert(out_.end(), s, s + len); }
    bool done() const { return false; }

private:
    const char* in_;
    ByteBuffer& out_;
};

// Finds the input offset behind one output offset.
class OffsetSink {
public:
    OffsetSink(std::size_t target, std::size_t input_size) : target_(target), result_(input_size) {}
    void copy(std::size_t pos, std::size_t len) {
        if (!found_ && out_ + len > target_) {
            result_ = pos + (target_ - out_);
            found_ = true;
        }
        out_ += len;
    }
    void emit(std::size_t pos, const char*, std::size_t len) {
        if (!found_ && out_ + len > target_) {
            result_ = pos;
            found_ = true;
        }
        out_ += len;
    }
    std::size_t result() const { return result_; }
    bool done() const { return found_; }  // the rest of the input cannot change the answer

private:
    std::size_t target_;
    std::size_t result_;
    std::size_t out_ = 0;
    bool found_ = false;
};

}  // namespace

void repair_json(std::string_view input, ByteBuffer& out) {
    out.clear();
    out.reserve(input.size() + input.size() / 16 + 64);
    VectorSink sink(input, out);
    Rewriter<VectorSink>(input, sink).run();
}

namespace detail {

std::size_t repair_input_offset(std::string_view input, std::size_t repaired_offset) {
    OffsetSink sink(repaired_offset, input.size());
    Rewriter<OffsetSink>(input, sink).run();
    return sink.result();
}

}  // namespace detail
}  // namespace uwsgitop
