// repair.cpp — the lenient path: uWSGI's unescaped output -> strict JSON.
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
//     expects after this string (see closes()); otherwise it is escaped;
//   * `\` followed by a valid JSON escape is kept as that escape, except `\"`
//     outside "vars" when that `"` would close the string (a raw string ending
//     in a backslash, e.g. cwd `C:\`); any other `\` becomes `\\`;
//     in a "vars" array (escape_json output) `\"` is always an escape;
//   * control bytes become \t \n \r or \u00XX; invalid UTF-8 becomes U+FFFD
//     (one per maximal invalid subpart, as Unicode recommends).
// Outside strings every byte is copied unchanged, so truncation and garbage
// still fail in the parser, at an offset that repair_input_offset() maps back.
//
// Known ambiguities (the data cannot tell): a raw string that contains a
// valid escape such as `\n` or `\\` is decoded as that escape; a raw `"`
// followed by exactly what could follow a closing quote (e.g. `", "key":`)
// ends the string there.
#include "uwsgitop/parse/repair.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "repair_detail.hpp"

// x86-64 with GCC or Clang: SSE2 always, AVX2 chosen at run time.
#if defined(__x86_64__) && defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(UWSGITOP_NO_SIMD)
#include <immintrin.h>
#define UWSGITOP_SCAN_X86 1
#else
#define UWSGITOP_SCAN_X86 0
#endif

namespace uwsgitop {
namespace {

// ---------------------------------------------------------------- scanning

// What each byte means to scan_input(): the reference definition, also the
// path for other architectures and for the tail after the SIMD blocks.
InputScan scan_bytes(const unsigned char* p, std::size_t n, InputScan acc) {
    // Written so the compiler can vectorize it (no table lookups, no branches).
    unsigned char high = 0, bs = 0, ctl = 0;
    for (std::size_t i = 0; i < n; ++i) {
        unsigned char c = p[i];
        high |= c;
        bs |= static_cast<unsigned char>(c == '\\');
        ctl |= static_cast<unsigned char>((c < 0x20) & (c != '\t') & (c != '\n') & (c != '\r'));
    }
    acc.has_high = acc.has_high || (high & 0x80) != 0;
    acc.has_backslash = acc.has_backslash || bs != 0;
    acc.has_control = acc.has_control || ctl != 0;
    return acc;
}

bool all_found(const InputScan& s) {
    return s.has_backslash && s.has_control && s.has_high;
}

#if UWSGITOP_SCAN_X86
// The same flags, 16 bytes (SSE2, baseline on x86-64) or 32 bytes (AVX2, when
// the CPU has it) at a time: per vector, OR for bit 7; == '\\'; and
// min(x, 0x1F) == x (unsigned x <= 0x1F) and not TAB, LF or CR. Three
// accumulators, no branch inside a 4 KB block; the tail goes to scan_bytes().
constexpr std::size_t kScanBlock = 4096;

InputScan scan_sse2(const unsigned char* p, std::size_t n) {
    InputScan acc;
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i max_ctl = _mm_set1_epi8(0x1F);
    const __m128i tab = _mm_set1_epi8('\t');
    const __m128i lf = _mm_set1_epi8('\n');
    const __m128i cr = _mm_set1_epi8('\r');
    std::size_t i = 0;
    while (n - i >= 16) {
        const std::size_t end = i + std::min(kScanBlock, (n - i) & ~std::size_t{15});
        __m128i high = _mm_setzero_si128(), bs = high, ctl = high;
        for (; i < end; i += 16) {
            const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
            high = _mm_or_si128(high, x);
            bs = _mm_or_si128(bs, _mm_cmpeq_epi8(x, backslash));
            const __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(x, max_ctl), x);
            const __m128i ws = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, tab), _mm_cmpeq_epi8(x, lf)),
                                            _mm_cmpeq_epi8(x, cr));
            ctl = _mm_or_si128(ctl, _mm_andnot_si128(ws, low));
        }
        acc.has_high = acc.has_high || _mm_movemask_epi8(high) != 0;
        acc.has_backslash = acc.has_backslash || _mm_movemask_epi8(bs) != 0;
        acc.has_control = acc.has_control || _mm_movemask_epi8(ctl) != 0;
        if (all_found(acc)) {
            return acc;
        }
    }
    return scan_bytes(p + i, n - i, acc);
}

[[gnu::target("avx2")]] InputScan scan_avx2(const unsigned char* p, std::size_t n) {
    InputScan acc;
    const __m256i backslash = _mm256_set1_epi8('\\');
    const __m256i max_ctl = _mm256_set1_epi8(0x1F);
    const __m256i tab = _mm256_set1_epi8('\t');
    const __m256i lf = _mm256_set1_epi8('\n');
    const __m256i cr = _mm256_set1_epi8('\r');
    std::size_t i = 0;
    while (n - i >= 32) {
        const std::size_t end = i + std::min(kScanBlock, (n - i) & ~std::size_t{31});
        __m256i high = _mm256_setzero_si256(), bs = high, ctl = high;
        for (; i < end; i += 32) {
            const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
            high = _mm256_or_si256(high, x);
            bs = _mm256_or_si256(bs, _mm256_cmpeq_epi8(x, backslash));
            const __m256i low = _mm256_cmpeq_epi8(_mm256_min_epu8(x, max_ctl), x);
            const __m256i ws = _mm256_or_si256(
                _mm256_or_si256(_mm256_cmpeq_epi8(x, tab), _mm256_cmpeq_epi8(x, lf)),
                _mm256_cmpeq_epi8(x, cr));
            ctl = _mm256_or_si256(ctl, _mm256_andnot_si256(ws, low));
        }
        acc.has_high = acc.has_high || _mm256_movemask_epi8(high) != 0;
        acc.has_backslash = acc.has_backslash || _mm256_movemask_epi8(bs) != 0;
        acc.has_control = acc.has_control || _mm256_movemask_epi8(ctl) != 0;
        if (all_found(acc)) {
            return acc;
        }
    }
    return scan_bytes(p + i, n - i, acc);
}

bool cpu_has_avx2() {
    static const bool has = __builtin_cpu_supports("avx2");
    return has;
}
#endif

// ---------------------------------------------------------------- UTF-8

// Length of the valid UTF-8 sequence at p[0] (a byte >= 0x80), or 0.
std::size_t valid_utf8_len(const unsigned char* p, std::size_t avail) {
    unsigned char c = p[0];
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;  // no UTF-16 surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
        return 0;
    }
    if (avail < len || p[1] < lo || p[1] > hi) {
        return 0;
    }
    for (std::size_t i = 2; i < len; ++i) {
        if ((p[i] & 0xC0) != 0x80) {
            return 0;
        }
    }
    return len;
}

// Bytes making up one maximal invalid subpart at p[0] (always >= 1): a lead
// byte followed by the continuation bytes it would still accept.
std::size_t invalid_utf8_len(const unsigned char* p, std::size_t avail) {
    unsigned char c = p[0];
    std::size_t want;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        want = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        want = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        want = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 1;
    }
    std::size_t i = 1;
    if (i < avail && i < want && p[i] >= lo && p[i] <= hi) {
        ++i;
        while (i < avail && i < want && (p[i] & 0xC0) == 0x80) {
            ++i;
        }
    }
    return i;
}

// ---------------------------------------------------------------- the rewrite

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

bool is_ws(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_hex(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// First byte of a JSON value.
bool starts_value(unsigned char c) {
    return c == '"' || c == '{' || c == '[' || c == '-' || (c >= '0' && c <= '9') || c == 't' ||
           c == 'f' || c == 'n';
}

enum class Role : uint8_t { Key, ObjectValue, ArrayValue, Top };

// Container stack entry bits.
constexpr uint8_t kObject = 1, kExpectKey = 2, kEscapedArray = 4;
constexpr std::size_t kStackCap = 256;   // deeper than that the parser fails anyway
constexpr std::size_t kKeyLookahead = 512;

template <class Sink>
class Rewriter {
public:
    Rewriter(std::string_view in, Sink& sink)
        : p_(reinterpret_cast<const unsigned char*>(in.data())), n_(in.size()), sink_(sink) {}

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
                if (closes(j, role)) {
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
                if (escaped || !closes(j + 1, role)) {
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
                std::size_t len = unicode_escape_len(j);
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

    unsigned hex4(std::size_t k) const {
        unsigned v = 0;
        for (std::size_t i = 0; i < 4; ++i) {
            unsigned char c = p_[k + i];
            v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        return v;
    }
    bool hex4_at(std::size_t k) const {
        return k + 4 <= n_ && is_hex(p_[k]) && is_hex(p_[k + 1]) && is_hex(p_[k + 2]) &&
               is_hex(p_[k + 3]);
    }

    // Length of the valid \uXXXX escape (12 for a surrogate pair) at j, or 0.
    std::size_t unicode_escape_len(std::size_t j) const {
        if (!hex4_at(j + 2)) return 0;
        unsigned u = hex4(j + 2);
        if (u >= 0xDC00 && u <= 0xDFFF) return 0;  // a lone low surrogate
        if (u < 0xD800 || u > 0xDBFF) return 6;
        if (j + 7 < n_ && p_[j + 6] == '\\' && p_[j + 7] == 'u' && hex4_at(j + 8)) {
            unsigned l = hex4(j + 8);
            if (l >= 0xDC00 && l <= 0xDFFF) return 12;
        }
        return 0;  // a high surrogate without its pair
    }

    const unsigned char* p_;
    std::size_t n_;
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

InputScan scan_input(std::string_view input) {
#if UWSGITOP_SCAN_X86
    const auto* p = reinterpret_cast<const unsigned char*>(input.data());
    return cpu_has_avx2() ? scan_avx2(p, input.size()) : scan_sse2(p, input.size());
#else
    return detail::scan_input_scalar(input);
#endif
}

void repair_json(std::string_view input, ByteBuffer& out) {
    out.clear();
    out.reserve(input.size() + input.size() / 16 + 64);
    VectorSink sink(input, out);
    Rewriter<VectorSink>(input, sink).run();
}

namespace detail {

InputScan scan_input_scalar(std::string_view input) {
    const auto* p = reinterpret_cast<const unsigned char*>(input.data());
    const std::size_t n = input.size();
    InputScan acc;
    constexpr std::size_t kBlock = 4096;
    for (std::size_t i = 0; i < n && !all_found(acc); i += kBlock) {
        acc = scan_bytes(p + i, std::min(kBlock, n - i), acc);
    }
    return acc;
}

std::vector<ScanImpl> scan_input_impls() {
    std::vector<ScanImpl> v;
    v.push_back({"scalar", scan_input_scalar});
#if UWSGITOP_SCAN_X86
    v.push_back({"sse2", [](std::string_view in) {
                     return scan_sse2(reinterpret_cast<const unsigned char*>(in.data()), in.size());
                 }});
    if (cpu_has_avx2()) {
        v.push_back({"avx2", [](std::string_view in) {
                         return scan_avx2(reinterpret_cast<const unsigned char*>(in.data()), in.size());
                     }});
    }
#endif
    return v;
}

std::size_t repair_input_offset(std::string_view input, std::size_t repaired_offset) {
    OffsetSink sink(repaired_offset, input.size());
    Rewriter<OffsetSink>(input, sink).run();
    return sink.result();
}

}  // namespace detail
}  // namespace uwsgitop
