// Unit tests for tui/grid.hpp: clipping, wide characters, safety.
#include <doctest/doctest.h>

#include <string>

#include "uwsgitop/tui/grid.hpp"

using namespace uwsgitop::tui;

TEST_SUITE("grid") {

TEST_CASE("grid::put writes, clips at max_cols and at the edge, never wraps") {
    Grid g(10, 3);
    CHECK(g.put(0, 0, "hello", Style::Normal) == 5);
    CHECK(g.put(7, 1, "abcdef", Style::Normal) == 3);     // clipped at the edge
    CHECK(g.put(2, 2, "abcdef", Style::Normal, 2) == 2);  // clipped at max_cols
    const auto lines = g.to_lines();
    CHECK(lines[0] == "hello");
    CHECK(lines[1] == "       abc");
    CHECK(lines[2] == "  ab");
    SUBCASE("outside the grid is ignored") {
        CHECK(g.put(0, 3, "x", Style::Normal) == 0);
        CHECK(g.put(0, -1, "x", Style::Normal) == 0);
        CHECK(g.put(10, 0, "x", Style::Normal) == 0);
        CHECK(g.put(-2, 0, "xyz", Style::Normal) == 1);
        CHECK(g.to_lines()[0] == "zello");
    }
}

TEST_CASE("grid::put keeps styles per cell") {
    Grid g(6, 1);
    g.put(0, 0, "ab", Style::Busy);
    g.put(2, 0, "cd", Style::Header);
    CHECK(g.at(0, 0).style == Style::Busy);
    CHECK(g.at(1, 0).style == Style::Busy);
    CHECK(g.at(2, 0).style == Style::Header);
    CHECK(g.at(4, 0).style == Style::Normal);
    g.set_style(0, 0, 3, Style::Selected);
    CHECK(g.at(2, 0).style == Style::Selected);
    CHECK(g.at(3, 0).style == Style::Header);
    CHECK(g.to_lines()[0] == "abcd");
}

TEST_CASE("grid::put wide characters take two cells") {
    Grid g(5, 2);
    CHECK(g.put(0, 0, "\xe6\x97\xa5\xe6\x9c\xac", Style::Normal) == 4);  // 日本
    CHECK(g.at(0, 0).width == 2);
    CHECK(g.at(1, 0).width == 0);
    CHECK(g.to_lines()[0] == "\xe6\x97\xa5\xe6\x9c\xac");
    SUBCASE("a wide character that does not fit becomes a space") {
        CHECK(g.put(0, 1, "ab\xe6\x97\xa5", Style::Normal, 3) == 3);
        CHECK(g.to_lines()[1] == "ab");
        CHECK(g.at(2, 1).width == 1);
    }
    SUBCASE("overwriting half of a wide character blanks the other half") {
        g.put(1, 0, "x", Style::Normal);
        CHECK(g.to_lines()[0] == " x\xe6\x9c\xac");
        g.put(2, 0, "y", Style::Normal);
        CHECK(g.to_lines()[0] == " xy");
    }
}

TEST_CASE("grid::put combining marks join the previous cell") {
    Grid g(4, 1);
    CHECK(g.put(0, 0, "e\xcc\x81x", Style::Normal) == 2);
    CHECK(g.at(0, 0).len == 3);
    CHECK(g.to_lines()[0] == "e\xcc\x81x");
}

TEST_CASE("grid::put never stores control bytes or invalid UTF-8") {
    Grid g(12, 1);
    g.put(0, 0, std::string("a\x1b[2Jb\x07\x7f\xff\xc2\x9b", 11), Style::Normal);
    const std::string line = g.to_lines()[0];
    CHECK(line == "a?[2Jb????");
    for (char c : line) CHECK(static_cast<unsigned char>(c) >= 0x20);
    SUBCASE("a real U+FFFD is a character, kept") {
        Grid h(3, 1);
        h.put(0, 0, "\xef\xbf\xbd", Style::Normal);
        CHECK(h.to_lines()[0] == "\xef\xbf\xbd");
    }
}

TEST_CASE("grid::resize, clear and fill") {
    Grid g(3, 2);
    g.put(0, 0, "abc", Style::Busy);
    g.fill(1, 0, 5, Style::Header);
    CHECK(g.to_lines()[0] == "a");
    CHECK(g.at(2, 0).style == Style::Header);
    g.clear();
    CHECK(g.to_lines()[0].empty());
    CHECK(g.at(0, 0).style == Style::Normal);
    g.resize(4, 1);
    CHECK(g.width() == 4);
    CHECK(g.height() == 1);
    CHECK(g.to_text() == "\n");
    g.resize(-1, -1);
    CHECK(g.width() == 0);
    CHECK(g.to_lines().empty());
}

TEST_CASE("grid::codepoint_width and decode_utf8") {
    CHECK(codepoint_width(U'a') == 1);
    CHECK(codepoint_width(0x65E5) == 2);
    CHECK(codepoint_width(0x0301) == 0);
    char32_t cp = 0;
    CHECK(decode_utf8("\xc3\xa9", 0, cp) == 2);
    CHECK(cp == 0xE9);
    CHECK(decode_utf8("\xc3", 0, cp) == 1);
    CHECK(cp == 0xFFFD);
    CHECK(decode_utf8("\xe0\x80\x80", 0, cp) == 1);  // overlong
}


TEST_CASE("grid::same_row compares what a row shows") {
    Grid a(12, 3), b(12, 3);
    a.put(0, 0, "hello \xe7\x95\x8c", Style::Normal);  // with a wide character
    b.put(0, 0, "hello \xe7\x95\x8c", Style::Normal);
    CHECK(a.same_row(b, 0));
    CHECK(a.same_row(b, 1));
    b.put(1, 0, "a", Style::Normal);  // text
    CHECK_FALSE(a.same_row(b, 0));
    b.put(1, 0, "e", Style::Normal);
    CHECK(a.same_row(b, 0));
    b.set_style(11, 0, 1, Style::Busy);  // style of a blank cell
    CHECK_FALSE(a.same_row(b, 0));
    b.set_style(11, 0, 1, Style::Normal);
    b.put(6, 0, "xy", Style::Normal);  // same text width, one cell each instead of one wide
    CHECK_FALSE(a.same_row(b, 0));
    b.put(6, 0, "\xe7\x95\x8c", Style::Normal);
    CHECK(a.same_row(b, 0));
    b.put(6, 2, "e\xcc\x81", Style::Normal);  // a combining mark joins its cell
    a.put(6, 2, "e", Style::Normal);
    CHECK_FALSE(a.same_row(b, 2));
    SUBCASE("bytes left over from earlier text do not count") {
        a.put(0, 1, "abcdefgh", Style::Normal);
        a.fill(0, 1, 12, Style::Normal);
        CHECK(a.same_row(b, 1));
        a.put(0, 1, "\xe7\x95\x8c", Style::Normal);
        a.clear();
        b.clear();
        CHECK(a.same_row(b, 1));
    }
    SUBCASE("copy_row makes a row the same, and only that row") {
        b.put(0, 1, "row one", Style::Busy);
        b.put(0, 2, "row two", Style::Busy);
        a.copy_row(b, 1);
        CHECK(a.same_row(b, 1));
        CHECK_FALSE(a.same_row(b, 2));
        CHECK(a.to_lines()[1] == "row one");
        Grid c(12, 2);
        c.copy_row(b, 1);  // another size: nothing happens
        CHECK(c.to_lines()[1].empty());
    }
    SUBCASE("rows outside either grid, or another width, are never the same") {
        CHECK_FALSE(a.same_row(b, 3));
        CHECK_FALSE(a.same_row(b, -1));
        Grid c(11, 3), d(12, 2);
        CHECK_FALSE(c.same_row(Grid(11, 1), 2));
        CHECK_FALSE(Grid(12, 3).same_row(c, 1));
        CHECK_FALSE(Grid(12, 3).same_row(d, 2));
        CHECK(Grid(12, 3).same_row(d, 1));
    }
}

}  // TEST_SUITE
