// test_streamed_parse.cpp — Parser::parse_streamed gives what Parser::parse gives, or declines.
//
// The document is handed to the parser in steps (1 byte to 64 KiB) by a feed
// that, like the socket source, appends into the parser's buffer without
// ever growing it. For every fixture and the generated big documents: when
// parse() takes the bytes as strict JSON, parse_streamed() gives the same
// snapshot field by field; when parse() repairs or rejects them,
// parse_streamed() declines (false, snapshot cleared), so the caller reads
// them whole. Beside that: the buffer never moves, a 4 MB document never
// takes more than a few hundred KiB of it, and the limits (room, storage)
// decline instead of breaking anything.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "big_stats_doc.hpp"
#include "snapshot_checks.hpp"
#include "uwsgitop/parse/parse.hpp"

using namespace uwsgitop;
using uwsgitop::testing::diff_snapshots;
using uwsgitop::testing::make_async_stats;
using uwsgitop::testing::read_fixture;

namespace {

// `text` into `buf`, `step` bytes a time, never past its capacity less one.
class ChunkFeed final : public ByteFeed {
public:
    ChunkFeed(std::string_view text, ByteBuffer& buf, std::size_t step) : text_(text), buf_(buf), step_(step) {}

    bool more(std::size_t want) override {
        std::size_t added = 0;
        do {
            if (at_ == text_.size()) return false;
            const std::size_t room = buf_.capacity() - 1 - buf_.size();
            if (room == 0) {
                full = true;
                return false;
            }
            const std::size_t n = std::min({step_, room, text_.size() - at_});
            buf_.insert(buf_.end(), text_.data() + at_, text_.data() + at_ + n);
            at_ += n;
            added += n;
            extent = std::max(extent, buf_.size());
        } while (added < want);
        return at_ < text_.size();
    }
    void forget(std::size_t n) override { forgotten += n; }

    std::size_t extent = 0;     // the most the buffer held at once
    std::size_t forgotten = 0;  // what the parser dropped
    bool full = false;

private:
    std::string_view text_;
    ByteBuffer& buf_;
    std::size_t step_;
    std::size_t at_ = 0;
};

struct Streamed {
    bool ok = false;
    Snapshot snap;
    std::size_t extent = 0, forgotten = 0, total = 0;
    bool full = false, moved = false;
};

void stream(std::string_view text, std::size_t step, Streamed& r, std::size_t room = std::size_t{1} << 20,
            std::size_t expect = 0, bool generic = false, std::size_t move_from = 0) {
    ByteBuffer buf;
    buf.reserve(room);
    const char* const at = buf.data();
    ChunkFeed feed(text, buf, step);
    Parser p;
    p.set_generic_cores(generic);
    p.set_streamed_move_from(move_from);
    r.ok = p.parse_streamed(buf, feed, expect == 0 ? text.size() : expect, r.snap);
    r.extent = feed.extent;
    r.forgotten = feed.forgotten;
    r.total = feed.forgotten + buf.size();
    r.full = feed.full;
    r.moved = buf.data() != at;
}

// parse_streamed agrees with parse on `text` in steps of `step`.
// `move_from`: the text moves to the front that often (0: the parser's 64 KiB).
void check_agrees(std::string_view text, std::size_t step, const std::string& what, bool generic = false,
                  std::size_t move_from = 0) {
    INFO(what << ", step " << step << (generic ? ", generic cores" : "") << ", move from " << move_from);
    Parser whole;
    ByteBuffer copy(text.begin(), text.end());
    Snapshot expected;
    const Status st = whole.parse(copy, expected);
    Streamed r;
    stream(text, step, r, std::size_t{1} << 20, 0, generic, move_from);
    CHECK_FALSE(r.moved);
    if (st.is_ok() && !expected.repaired) {
        REQUIRE(r.ok);
        CHECK(diff_snapshots(r.snap, expected) == "");
        CHECK(r.total == text.size());
    } else {
        CHECK_FALSE(r.ok);
        CHECK(r.snap.kind == SnapshotKind::Unknown);
        CHECK(r.snap.workers.empty());
    }
}


}  // namespace

TEST_CASE("streamed parse: the comparison can fail") {
    // A streamed parse of one document is told apart from the whole parse of
    // the next one, and a declined parse from a taken one.
    const std::string one = make_async_stats(2, 300, 5, 1);
    const std::string two = make_async_stats(2, 300, 5, 2);
    Streamed r;
    stream(one, 4096, r);
    REQUIRE(r.ok);
    Parser p;
    ByteBuffer b(two.begin(), two.end());
    Snapshot other;
    REQUIRE(p.parse(b, other).is_ok());
    CHECK(diff_snapshots(r.snap, other) != "");
    Streamed cut;
    stream(std::string_view(one).substr(0, one.size() / 2), 4096, cut);
    CHECK_FALSE(cut.ok);
}

TEST_CASE("streamed parse: every fixture, in steps of 1 byte to 64 KiB") {
    for (const char* name : uwsgitop::testing::kParseFixtures) {
        ByteBuffer bytes = read_fixture(name);
        const std::string_view text(bytes.data(), bytes.size());
        for (std::size_t step : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, std::size_t{65536}}) {
            check_agrees(text, step, name);
        }
        check_agrees(text, 13, name, true);
        // The text moved to the front at almost every read.
        check_agrees(text, 5, name, false, 17);
        check_agrees(text, 64, name, false, 100);
    }
}

TEST_CASE("streamed parse: generated big documents, with and without the cores the fast reader hands back") {
    for (unsigned step = 1; step <= 2; ++step) {
        check_agrees(make_async_stats(16, 1000, 7, step), 65536, "16x1000");
        check_agrees(make_async_stats(16, 1000, 7, step), 1000, "16x1000");
        check_agrees(make_async_stats(6, 500, 3, step, true), 4093, "odd cores");
        check_agrees(make_async_stats(6, 500, 3, step, true), 65536, "odd cores", true);
        check_agrees(make_async_stats(6, 500, 3, step, true), 777, "odd cores", false, 3000);
    }
}

TEST_CASE("streamed parse: a 4 MB document takes a few hundred KiB of the buffer, which never moves") {
    const std::string doc = make_async_stats(16, 1000, 11, 1);
    REQUIRE(doc.size() > 3'500'000);
    Streamed r;
    stream(doc, 65536, r);
    REQUIRE(r.ok);
    CHECK_FALSE(r.moved);
    CHECK(r.snap.cores.size() == 16000);
    CHECK(r.total == doc.size());
    CHECK(r.forgotten > doc.size() - 512 * 1024);
    CHECK(r.extent < 512 * 1024);  // the whole text would be 4 MB
    MESSAGE("4 MB document streamed: at most " << r.extent << " bytes held at once");
}

TEST_CASE("streamed parse: what it cannot take it declines") {
    const std::string doc = make_async_stats(4, 500, 2, 1);
    Streamed ok;
    stream(doc, 4096, ok);
    REQUIRE(ok.ok);
    SUBCASE("a string longer than the room") {
        std::string big = doc;
        const std::string key = "\"cwd\":\"/srv/app\"";
        const auto at = big.find(key);
        REQUIRE(at != std::string::npos);
        big.replace(at, key.size(), "\"cwd\":\"" + std::string(300 * 1024, 'a') + "\"");
        Streamed r;
        stream(big, 4096, r, 256 * 1024);
        CHECK_FALSE(r.ok);
        CHECK(r.full);
        Streamed roomy;  // the same text with room for the string
        stream(big, 4096, roomy, 1 << 20);
        CHECK(roomy.ok);
        CHECK(roomy.snap.cwd.size() == 300 * 1024);
    }
    SUBCASE("more kept strings than twice the expected size holds") {
        // 64 x 1,000 cores, every 80th busy with vars: more than 64 KiB of
        // vars is kept, where expect says the document is tiny.
        const std::string many = make_async_stats(64, 1000, 2, 1);
        Streamed r;
        stream(many, 65536, r, 1 << 20, 1);
        Streamed right;
        stream(many, 65536, right, 1 << 20, many.size());
        CHECK(right.ok);
        std::size_t kept_many = 0;
        for (std::string_view v : right.snap.vars) kept_many += v.size() + 1;
        REQUIRE(kept_many > 65536 + 2);
        CHECK_FALSE(r.ok);
        CHECK(r.snap.cores.empty());
    }
    SUBCASE("bytes the lenient path repairs, a truncated text, not JSON") {
        Streamed r;
        std::string ctl = doc;
        ctl.replace(ctl.find("/srv/app"), 8, "/srv/\x01pp");
        stream(ctl, 4096, r);
        CHECK_FALSE(r.ok);
        stream(std::string_view(doc).substr(0, doc.size() - 3), 4096, r);
        CHECK_FALSE(r.ok);
        stream("<html>nope</html>", 4096, r);
        CHECK_FALSE(r.ok);
        stream("", 4096, r);
        CHECK_FALSE(r.ok);
        // Where the reader alone would stop early or take a scalar: parse()
        // rejects or repairs these, so the streamed parse declines them.
        using namespace std::string_literals;
        for (const std::string& odd : {"5"s, "[1]"s, "\"x\""s, "{\"pid\":1}\0junk"s, "{\"pid\":1} {}"s, "  \n{\"pid\":1}\n "s}) {
            for (std::size_t step : {std::size_t{1}, std::size_t{3}, std::size_t{4096}}) check_agrees(odd, step, "odd text");
        }
        stream("{\"pid\":1}\0junk"s, 1, r);
        CHECK_FALSE(r.ok);
        stream("  \n{\"pid\":1}\n "s, 1, r);
        CHECK(r.ok);
    }
}
