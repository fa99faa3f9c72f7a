// Tests for input_scan.hpp: scan_input()'s three flags on hand-made cases,
// and every implementation (scalar, SSE2, AVX2) held to the byte-by-byte
// reference on every tail length, unaligned starts, block edges, random
// input and the fixtures.
#include <doctest/doctest.h>

#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "../../../src/parse/input_scan_detail.hpp"
#include "snapshot_checks.hpp"
#include "uwsgitop/parse/input_scan.hpp"

using namespace uwsgitop;

namespace {

std::string fixture_text(const std::string& name) {
    uwsgitop::ByteBuffer v = uwsgitop::testing::read_fixture(name);
    return std::string(v.begin(), v.end());
}

}  // namespace

TEST_SUITE("input_scan") {

TEST_CASE("input_scan::scan_input flags") {
    CHECK(scan_input("{\"a\":[1,2]}\n\t\r ").clean());
    CHECK(scan_input("").clean());

    auto bs = scan_input("{\"a\":\"x\\\"y\"}");
    CHECK(bs.has_backslash);
    CHECK_FALSE(bs.has_control);
    CHECK_FALSE(bs.has_high);

    CHECK(scan_input(std::string_view("a\x01" "b", 3)).has_control);
    CHECK(scan_input(std::string_view("a\0b", 3)).has_control);
    CHECK(scan_input("\x1f").has_control);
    CHECK_FALSE(scan_input("\x7f").has_control);  // DEL is allowed in JSON strings
    CHECK(scan_input("caf\xc3\xa9").has_high);
    CHECK_FALSE(scan_input("caf\xc3\xa9").has_backslash);

    SUBCASE("a flag set far into a large input is found") {
        std::string big(100000, 'x');
        big[99990] = '\\';
        auto s = scan_input(big);
        CHECK(s.has_backslash);
        CHECK_FALSE(s.has_high);
        big[5] = '\x80';
        CHECK(scan_input(big).has_high);
    }
}

namespace {

// What scan_input() must say about one byte, from the definition in input_scan.hpp.
InputScan byte_flags(unsigned char c) {
    InputScan s;
    s.has_backslash = c == '\\';
    s.has_control = c < 0x20 && c != '\t' && c != '\n' && c != '\r';
    s.has_high = c >= 0x80;
    return s;
}

bool same_scan(const InputScan& a, const InputScan& b) {
    return a.has_backslash == b.has_backslash && a.has_control == b.has_control &&
           a.has_high == b.has_high;
}

// scan_input() and every implementation behind it (scalar, SSE2, AVX2: what
// this build and CPU have) say `want` about `in`.
bool all_say(std::string_view in, const InputScan& want) {
    static const std::vector<detail::ScanImpl> impls = detail::scan_input_impls();
    bool ok = same_scan(scan_input(in), want);
    for (const detail::ScanImpl& impl : impls) {
        ok = ok && same_scan(impl.scan(in), want);
    }
    if (!ok) {
        for (const detail::ScanImpl& impl : impls) {
            const InputScan got = impl.scan(in);
            CAPTURE(impl.name);
            CHECK(got.has_backslash == want.has_backslash);
            CHECK(got.has_control == want.has_control);
            CHECK(got.has_high == want.has_high);
        }
    }
    return ok;
}

// Every implementation agrees with the byte-by-byte reference on `in`.
void check_scan_agrees(std::string_view in) {
    CHECK(all_say(in, detail::scan_input_scalar(in)));
}

}  // namespace

TEST_CASE("input_scan::scan_input matches the byte-by-byte reference") {
    REQUIRE(detail::scan_input_impls().size() >= 1);
#if defined(__x86_64__)
    CHECK(detail::scan_input_impls().size() >= 2);  // scalar and SSE2 at least
#endif
    // Bytes that must be found, and their neighbours that must not be.
    const unsigned char probes[] = {0x00, 0x01, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x1F,
                                    0x20, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xC3, 0xFF};
    // Clean filler as uWSGI writes it: tabs, newlines, CR, quotes, digits.
    const std::string filler = "{\n\t\"requests\":123,\r\n\t\"status\":\"idle\"} []:,";

    SUBCASE("every length 0..200 (all tail lengths), one probe byte at every position") {
        std::string buf;
        for (std::size_t len = 0; len <= 200; ++len) {
            buf.assign(len, ' ');
            for (std::size_t i = 0; i < len; ++i) buf[i] = filler[i % filler.size()];
            CAPTURE(len);
            REQUIRE(all_say(buf, InputScan{}));
            for (unsigned char probe : probes) {
                for (std::size_t pos = 0; pos < len; ++pos) {
                    const char saved = buf[pos];
                    buf[pos] = static_cast<char>(probe);
                    if (!all_say(buf, byte_flags(probe))) {
                        CAPTURE(pos);
                        CAPTURE(static_cast<int>(probe));
                        CHECK(same_scan(detail::scan_input_scalar(buf), byte_flags(probe)));
                        FAIL("scan_input disagrees with the byte's flags");
                    }
                    buf[pos] = saved;
                }
            }
        }
    }

    SUBCASE("unaligned starts and block boundaries of a large input") {
        std::string big(3 * 4096 + 77, ' ');
        for (std::size_t i = 0; i < big.size(); ++i) big[i] = filler[i % filler.size()];
        const std::size_t spots[] = {0, 15, 16, 63, 64, 4095, 4096, 4097, 8191, 8192,
                                     big.size() - 33, big.size() - 32, big.size() - 1};
        for (std::size_t start = 0; start < 16; ++start) {
            for (std::size_t spot : spots) {
                for (unsigned char probe : {0x00, 0x1F, 0x5C, 0x80}) {
                    std::string copy = big;
                    copy[spot] = static_cast<char>(probe);
                    std::string_view v(copy);
                    v.remove_prefix(start);
                    const InputScan want = spot >= start ? byte_flags(probe) : InputScan{};
                    CAPTURE(start);
                    CAPTURE(spot);
                    CAPTURE(static_cast<int>(probe));
                    CHECK(all_say(v, want));
                }
            }
        }
    }

    SUBCASE("random inputs") {
        std::mt19937 rng(6);
        std::string buf;
        for (int round = 0; round < 2000; ++round) {
            const std::size_t len = rng() % (round < 1000 ? 300 : 20000);
            const unsigned rare = 1 + rng() % 5000;  // 1 in `rare` bytes is any byte at all
            buf.resize(len);
            for (char& c : buf) {
                c = rng() % rare == 0 ? static_cast<char>(rng() & 0xFF)
                                      : filler[rng() % filler.size()];
            }
            CAPTURE(round);
            check_scan_agrees(buf);
        }
    }

    SUBCASE("every fixture, whole and cut") {
        std::size_t files = 0;
        for (const auto& entry : std::filesystem::directory_iterator(UWSGITOP_TEST_FIXTURES)) {
            const std::string name = entry.path().filename().string();
            if (entry.path().extension() != ".json" && entry.path().extension() != ".http") continue;
            ++files;
            const std::string text = fixture_text(name);
            CAPTURE(name);
            check_scan_agrees(text);
            for (std::size_t cut = 1; cut < 64 && cut < text.size(); ++cut) {
                check_scan_agrees(std::string_view(text).substr(cut));
                check_scan_agrees(std::string_view(text).substr(0, text.size() - cut));
            }
        }
        CHECK(files >= 40);
        CHECK(scan_input(fixture_text("weird-vars-ctl.json")).has_control);
        CHECK(scan_input(fixture_text("weird-vars-nonutf8.json")).has_high);
        CHECK(scan_input(fixture_text("weird-cwd.json")).has_backslash);
        CHECK(scan_input(fixture_text("prefork-1.json")).clean());
    }
}

}  // TEST_SUITE
