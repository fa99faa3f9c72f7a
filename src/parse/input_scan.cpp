// input_scan.cpp — scan_input(): which kinds of byte the input holds, 16 or 32 bytes at a time.
//
// The definition is scan_bytes() below (one byte at a time, written so that
// the compiler can vectorize it). On x86-64 the SSE2 loop (baseline) or the
// AVX2 loop (chosen at run time) computes the same three flags a vector at a
// time, in 4 KB blocks, stopping early once all three are found; the tail
// after the last whole vector goes to scan_bytes(). Other architectures, and
// builds with UWSGITOP_NO_SIMD, use the blocked scalar scan.
#include "uwsgitop/parse/input_scan.hpp"

#include <algorithm>
#include <cstddef>

#include "input_scan_detail.hpp"

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

}  // namespace

InputScan scan_input(std::string_view input) {
#if UWSGITOP_SCAN_X86
    const auto* p = reinterpret_cast<const unsigned char*>(input.data());
    return cpu_has_avx2() ? scan_avx2(p, input.size()) : scan_sse2(p, input.size());
#else
    return detail::scan_input_scalar(input);
#endif
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

}  // namespace detail
}  // namespace uwsgitop
