// Unit tests for tui/escape_keys.hpp: a whole sequence after an ESC is one key.
#include <doctest/doctest.h>

#include <string_view>
#include <vector>

#include "uwsgitop/tui/escape_keys.hpp"
#include "uwsgitop/tui/keys.hpp"

using namespace uwsgitop::tui;

namespace {

struct Outcome {
    EscapeParser::Step last = EscapeParser::Step::More;
    std::size_t fed = 0;  // codes taken, the last one included
    int key = key::None;
};

// Feeds the bytes after an ESC until the parser ends the sequence.
Outcome parse(std::string_view after_esc) {
    EscapeParser p;
    p.reset();
    Outcome o;
    for (char c : after_esc) {
        ++o.fed;
        o.last = p.feed(static_cast<unsigned char>(c));
        if (o.last != EscapeParser::Step::More) break;
    }
    o.key = p.key();
    return o;
}

}  // namespace

TEST_SUITE("escape_keys") {

TEST_CASE("the VT220 Home and End spellings are Home and End") {
    for (std::string_view s : {"[1~", "[7~"}) {
        const Outcome o = parse(s);
        CHECK(o.last == EscapeParser::Step::Done);
        CHECK(o.fed == s.size());
        CHECK(o.key == key::Home);
    }
    for (std::string_view s : {"[4~", "[8~"}) {
        const Outcome o = parse(s);
        CHECK(o.last == EscapeParser::Step::Done);
        CHECK(o.key == key::End);
    }
    CHECK(parse("[5~").key == key::PageUp);
    CHECK(parse("[6~").key == key::PageDown);
    CHECK(parse("[3~").key == key::Delete);
    CHECK(parse("[11~").key == key::F1);
    CHECK(parse("[12~").key == key::F2);
    CHECK(parse("[15~").key == key::fkey(5));
    CHECK(parse("[17~").key == key::fkey(6));
    CHECK(parse("[21~").key == key::fkey(10));
    CHECK(parse("[23~").key == key::fkey(11));
    CHECK(parse("[24~").key == key::fkey(12));
    CHECK(parse("[16~").key == key::None);  // the VT220's gaps
    CHECK(parse("[22~").key == key::None);
    CHECK(parse("[H").key == key::Home);
    CHECK(parse("[F").key == key::End);
    CHECK(parse("OH").key == key::Home);
    CHECK(parse("OF").key == key::End);
    CHECK(parse("[A").key == key::Up);
    CHECK(parse("OD").key == key::Left);
    CHECK(parse("OP").key == key::F1);
    CHECK(parse("OQ").key == key::F2);
    CHECK(parse("OR").key == key::fkey(3));
    CHECK(parse("OS").key == key::fkey(4));
    CHECK(parse("[Z").key == key::BackTab);
}

TEST_CASE("an unknown sequence is read whole and names no key") {
    for (std::string_view s : {"[99z", "[2~", "[1;5A", "[200~", "[?1049h", "[<0;10;5M", "[<64;3;4m", "O5Q", "[ q"}) {
        CAPTURE(s);
        const Outcome o = parse(s);
        CHECK(o.last == EscapeParser::Step::Done);
        CHECK(o.fed == s.size());  // nothing of it is left over as keystrokes
        CHECK(o.key == key::None);
    }
}

TEST_CASE("an X10 mouse report takes its three bytes with it") {
    const std::string_view s = "[M !!";  // button 0 at column 1, row 1
    const Outcome o = parse(s);
    CHECK(o.last == EscapeParser::Step::Done);
    CHECK(o.fed == s.size());
    CHECK(o.key == key::None);
}

TEST_CASE("a very long parameter list is read to its end and names no key") {
    std::string s = "[";
    s.append(200, '1');
    s += '~';
    const Outcome o = parse(s);
    CHECK(o.last == EscapeParser::Step::Done);
    CHECK(o.fed == s.size());
    CHECK(o.key == key::None);
}

TEST_CASE("an ESC followed by anything else is the Escape key, then that key") {
    EscapeParser p;
    p.reset();
    CHECK(p.lone());
    CHECK(p.feed('q') == EscapeParser::Step::Reject);
    CHECK(p.lone());
    p.reset();
    CHECK(p.feed(27) == EscapeParser::Step::Reject);
    p.reset();
    CHECK(p.feed(key::Up) == EscapeParser::Step::Reject);
}

TEST_CASE("a control character inside a sequence ends it unread") {
    EscapeParser p;
    p.reset();
    CHECK(p.feed('[') == EscapeParser::Step::More);
    CHECK_FALSE(p.lone());
    CHECK(p.feed('1') == EscapeParser::Step::More);
    CHECK(p.feed('\t') == EscapeParser::Step::Reject);
    CHECK(p.key() == key::None);
    p.reset();
    CHECK(p.feed('[') == EscapeParser::Step::More);
    CHECK(p.feed(0x263A) == EscapeParser::Step::Reject);  // a non-ASCII character
}

}  // TEST_SUITE
