// Unit tests for text.hpp: safe display and number formats.
#include <doctest/doctest.h>

#include <cmath>

#include "uwsgitop/base/text.hpp"

using namespace uwsgitop;

TEST_SUITE("text") {

TEST_CASE("text::escape_for_display keeps printable text") {
    CHECK(escape_for_display("GET /a?b=c") == "GET /a?b=c");
    CHECK(escape_for_display("we\"ird\\dir-\xC3\xBC") == "we\"ird\\dir-\xC3\xBC");
}

TEST_CASE("text::escape_for_display neutralises terminal controls") {
    CHECK(escape_for_display("\x1b]0;pwned\x07") == "\\x1b]0;pwned\\x07");
    CHECK(escape_for_display("a\nb\tc\r") == "a\\nb\\tc\\r");
    CHECK(escape_for_display(std::string_view("\0x", 2)) == "\\x00x");
    CHECK(escape_for_display("\x7f") == "\\x7f");
    // C1 control CSI as UTF-8 (U+009B) and as a lone byte
    CHECK(escape_for_display("\xC2\x9B") == "\\xc2\\x9b");
    CHECK(escape_for_display("\x9b") == "\\x9b");
    // invalid UTF-8: lone continuation, overlong, truncated
    CHECK(escape_for_display("\xff") == "\\xff");
    CHECK(escape_for_display("\xC0\xAF") == "\\xc0\\xaf");
    CHECK(escape_for_display("\xE2\x82") == "\\xe2\\x82");
    // bidi override
    CHECK(escape_for_display("\xE2\x80\xAE") == "\\xe2\\x80\\xae");
}

TEST_CASE("text::display_width") {
    CHECK(display_width("abc") == 3);
    CHECK(display_width("\xC3\xBC") == 1);
    CHECK(display_width("\xE4\xB8\xAD") == 2);  // CJK
    CHECK(display_width("e\xCC\x81") == 1);     // combining acute
}

TEST_CASE("text::append_bytes_human") {
    std::string s;
    append_bytes_human(s, 512);
    CHECK(s == "512");
    s.clear();
    append_bytes_human(s, 1536);
    CHECK(s == "1.5K");
    s.clear();
    append_bytes_human(s, 11788288);
    CHECK(s == "11.2M");
    s.clear();
    append_bytes_human(s, 137084928);
    CHECK(s == "131M");
    s.clear();
    append_bytes_human(s, int64_t(3) << 30);
    CHECK(s == "3.0G");
}

TEST_CASE("text::durations") {
    std::string s;
    append_duration_us(s, 39883);
    CHECK(s == "39ms");
    s.clear();
    append_duration_us(s, 2406389);
    CHECK(s == "2.4s");
    s.clear();
    append_duration_us(s, 500);
    CHECK(s == "500us");
    s.clear();
    append_duration_s(s, 312);
    CHECK(s == "5m12s");
    s.clear();
    append_duration_s(s, 3 * 3600 + 4 * 60);
    CHECK(s == "3h04m");
    s.clear();
    append_duration_s(s, 2 * 86400 + 3 * 3600);
    CHECK(s == "2d03h");
}

TEST_CASE("text::append_fixed") {
    std::string s;
    append_fixed(s, 12.345, 1);
    CHECK(s == "12.3");
    s.clear();
    append_fixed(s, std::nan(""), 1);
    CHECK(s == "-");
}

}  // TEST_SUITE

TEST_CASE("text::append_elided_middle keeps the start and the telling end") {
    auto elide = [](std::string_view s, std::size_t w, bool ascii = false) {
        std::string out = "<";
        append_elided_middle(out, s, w, ascii);
        return out.substr(1);
    };
    // Fits: unchanged, whatever the width beyond it.
    CHECK(elide("web-1", 5) == "web-1");
    CHECK(elide("web-1", 40) == "web-1");
    // Two addresses that differ only at the end stay apart.
    const std::string a = elide("file:tests/fixtures/prefork-1.json", 24);
    const std::string b = elide("file:tests/fixtures/prefork-2.json", 24);
    CHECK(a != b);
    CHECK(display_width(a) == 24);
    CHECK(a == "file:te\u2026s/prefork-1.json");  // 7 + 1 + 16 columns
    CHECK(elide("unix:/run/uwsgi/app.sock", 10, true) == "uni~p.sock");
    CHECK(elide("abcdef", 1) == "\u2026");
    CHECK(elide("abcdef", 0).empty());
    // Every width gives exactly that many columns and never splits a character.
    const std::string wide = "\u65e5\u672c\u8a9e-stats-\u00e9t\u00e9-\u4e2d\u6587:3031";
    for (std::size_t w = 1; w < display_width(wide); ++w) {
        const std::string e = elide(wide, w);
        CHECK(display_width(e) == w);
        std::size_t i = 0;
        bool valid = true;
        while (i < e.size()) {
            if (static_cast<unsigned char>(e[i]) < 0x80) {
                ++i;
                continue;
            }
            char32_t cp = 0;
            const std::size_t len = utf8_sequence(e, i, cp);
            if (len == 0) valid = false;
            i += len ? len : 1;
        }
        CHECK(valid);
    }
}
