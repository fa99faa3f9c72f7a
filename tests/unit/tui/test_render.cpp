// Unit tests for tui/render.hpp: whole screens compared with golden text
// (tests/golden/tui-*.txt; UWSGITOP_UPDATE_GOLDEN=1 rewrites them), styles,
// safety of server text, and every terminal size.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "tui_test_support.hpp"
#include "uwsgitop/parse/parse.hpp"
#include "uwsgitop/base/text.hpp"
#include "uwsgitop/tui/keys.hpp"
#include "uwsgitop/tui/render.hpp"
#include "uwsgitop/tui/view_model.hpp"

using namespace uwsgitop;
using namespace uwsgitop::tui;
using tuitest::TestSnap;
using tuitest::check_golden;
using tuitest::keys;

namespace {

TestSnap four() {
    return TestSnap{
        {1, 101, "idle", 10, 1.0, 2, 0},
        {2, 102, "busy", 40, 5.0, 2, 1},
        {3, 103, "cheap", 0, NAN, 0, 0},
        {4, 104, "sig17", 20, NAN, 2, 0},
        {5, 105, "pause", 30, 0.0, 2, 0},
    };
}

struct Screen {
    ViewModel vm;
    Grid grid;
    Screen(const Snapshot* s, const Rates* r, int w, int h, Options o = Options())
        : vm(o, "127.0.0.1:9191") {
        tuitest::utc();
        vm.set_size(w, h);
        vm.set_clock(100.0);
        if (s) {
            vm.set_snapshot(s, r, tuitest::kNow);
            vm.set_fetch_ok(100.0);
        }
    }
    const Grid& draw() {
        render(vm, grid);
        return grid;
    }
    std::string line(int y) { return draw().to_lines()[static_cast<std::size_t>(y)]; }
};

int find_row(const Grid& g, std::string_view text) {
    const auto lines = g.to_lines();
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].find(text) != std::string::npos) return static_cast<int>(i);
    }
    return -1;
}

}  // namespace

TEST_SUITE("render") {

TEST_CASE("render::workers screen (golden)") {
    TestSnap t = four();
    Screen s(&t.snap, &t.rates, 120, 16);
    check_golden("workers-120x16", s.draw());
}

TEST_CASE("render::status roles: busy, cheap, sigNN, pause and idle rows each have their own") {
    TestSnap t = four();
    Screen s(&t.snap, &t.rates, 120, 16);
    keys(s.vm, "W");  // by id, so row y = table_top + id - 1
    s.vm.handle_key(key::Home);  // the selection followed worker 2; back to the top
    const Grid& g = s.draw();
    const int top = s.vm.areas().table_top;
    CHECK(g.at(3, top + 0).style == Style::Selected);  // worker 1, selected
    CHECK(g.at(3, top + 1).style == Style::Busy);
    CHECK(g.at(3, top + 2).style == Style::Cheap);
    CHECK(g.at(3, top + 3).style == Style::Signal);
    CHECK(g.at(3, top + 4).style == Style::Paused);
    s.vm.handle_key(key::Down);
    const Grid& g2 = s.draw();
    CHECK(g2.at(3, top + 0).style == Style::Idle);
    CHECK(g2.at(3, top + 1).style == Style::Selected);
    // The header marks the sort column.
    const int hx = static_cast<int>(g2.to_lines()[static_cast<std::size_t>(s.vm.areas().header_row)].find("WID"));
    CHECK(g2.at(hx, s.vm.areas().header_row).style == Style::HeaderSorted);
}

TEST_CASE("render::--record says REC on the status line, in the error colour") {
    TestSnap t = four();
    Options o;
    o.record_path = "/tmp/x.jsonl";
    Screen rec(&t.snap, &t.rates, 120, 16, o);
    const int y = rec.vm.areas().status_row;
    CHECK(rec.line(y).rfind("\xe2\x97\x8f REC every", 0) == 0);
    CHECK(rec.draw().at(2, y).style == Style::Error);
    Screen plain(&t.snap, &t.rates, 120, 16);
    CHECK(plain.line(y).find("REC") == std::string::npos);
}

TEST_CASE("render::a narrow screen keeps the request rate and drops the date") {
    TestSnap t = four();
    Screen wide(&t.snap, &t.rates, 120, 16);
    CHECK(wide.line(0).find("2026 - req: ") != std::string::npos);
    Screen narrow(&t.snap, &t.rates, 64, 16);
    const std::string l = narrow.line(0);
    CHECK(l.find("RPS: 6.0") != std::string::npos);
    CHECK(l.find("2026") == std::string::npos);
    CHECK(l.find(" - 19:03:20 - ") != std::string::npos);
}

TEST_CASE("render::unknown rates show '-', never 0") {
    TestSnap t = four();
    Screen s(&t.snap, &t.rates, 120, 16);
    keys(s.vm, "W");
    const Grid& g = s.draw();
    const std::string w4 = g.to_lines()[static_cast<std::size_t>(s.vm.areas().table_top + 3)];
    CHECK(w4.find("104") != std::string::npos);
    // RPS is the fifth column: "-" for worker 4 (no rate yet).
    CHECK(w4.find("  -  ") != std::string::npos);
}

TEST_CASE("render::the header sparklines show the value now and their scale; narrow: the scale goes first") {
    TestSnap t = four();  // 6.0 RPS, 1 of 5 workers busy, listen queue 0 of 100
    Screen wide(&t.snap, &t.rates, 160, 16);
    const std::string w = wide.line(wide.vm.areas().tabs_row);
    CHECK(w.find("rps 6.0 ") != std::string::npos);
    CHECK(w.find("\u2588 max 6.0  busy") != std::string::npos);  // one sample: full, and the window's peak
    CHECK(w.find("busy 1/5 ") != std::string::npos);
    CHECK(w.find("lq 0/100 ") != std::string::npos);
    CHECK(display_width(w) == 159);  // up to the last column, which stays blank as before
    // The busy bar is scaled to the workers, not to its own peak: 1 of 5 is a low bar.
    const std::size_t busy = w.find("busy 1/5 ");
    const std::size_t bar = w.find_first_not_of(' ', busy + 9);
    CHECK(w.compare(bar, 3, "\u2582") == 0);

    Screen narrow(&t.snap, &t.rates, 80, 24);
    const std::string n = narrow.line(narrow.vm.areas().tabs_row);
    CHECK(n.find("rps 6.0 ") != std::string::npos);
    CHECK(n.find("busy 1 ") != std::string::npos);
    CHECK(n.find("lq 0 ") != std::string::npos);
    CHECK(n.find("max") == std::string::npos);
    CHECK(n.find("/5") == std::string::npos);
    CHECK(display_width(n) == 79);

    Screen none(&t.snap, &t.rates, 60, 24);  // no room: no sparklines, the tabs stay
    const std::string z = none.line(none.vm.areas().tabs_row);
    CHECK(z.find("rps") == std::string::npos);
    CHECK(z.find("1:workers") != std::string::npos);

    Screen ascii(&t.snap, &t.rates, 160, 16);
    ascii.vm.set_ascii(true);  // a terminal without UTF-8
    const std::string a = ascii.line(ascii.vm.areas().tabs_row);
    CHECK(a.find("@ max 6.0 ") != std::string::npos);
    CHECK(a.find("busy 1/5 ") != std::string::npos);
}

TEST_CASE("render::the rps sparkline is scaled to the peak it shows after it") {
    TestSnap t = four();
    Screen s(&t.snap, &t.rates, 160, 16);  // 6.0 RPS
    t.rates.total_requests = 12.0;
    s.vm.set_snapshot(&t.snap, &t.rates, tuitest::kNow + 1);
    t.rates.total_requests = 3.0;
    s.vm.set_snapshot(&t.snap, &t.rates, tuitest::kNow + 2);
    const std::string l = s.line(s.vm.areas().tabs_row);
    // 6, 12, 3 of a peak of 12: half, full, a quarter.
    CHECK(l.find("rps 3.0 ") != std::string::npos);
    CHECK(l.find("\u2585\u2588\u2583 max 12.0  busy") != std::string::npos);
}

TEST_CASE("render::an unknown value in the header sparklines shows '-'") {
    TestSnap t = four();
    t.rates.total_requests = NAN;
    t.snap.listen_queue.reset();
    t.snap.sockets.clear();
    Screen s(&t.snap, &t.rates, 160, 16);
    const std::string l = s.line(s.vm.areas().tabs_row);
    CHECK(l.find("rps - ") != std::string::npos);
    CHECK(l.find(" max - ") != std::string::npos);
    CHECK(l.find("lq - ") != std::string::npos);  // no socket: the peak in view, unknown too
}

TEST_CASE("render::cores as WID:CID and under their worker (golden)") {
    TestSnap t = four();
    Screen s(&t.snap, &t.rates, 100, 16);
    keys(s.vm, "a");
    check_golden("cores-100x16", s.draw());
    keys(s.vm, "a");
    check_golden("tree-100x16", s.draw());
}

TEST_CASE("render::details of a worker with its requests in flight (golden)") {
    TestSnap t = four();
    Screen s(&t.snap, &t.rates, 100, 30);
    s.vm.handle_key(key::Enter);  // worker 2 (most requests)
    REQUIRE(s.vm.overlay() == Overlay::Detail);
    check_golden("detail-100x30", s.draw());
}

TEST_CASE("render::help is generated from the key and column tables (golden)") {
    TestSnap t = four();
    Screen s(&t.snap, &t.rates, 100, 40);
    keys(s.vm, "?");
    check_golden("help-100x40", s.draw());
    // Each documented key and every column is somewhere in the help text.
    Screen h(&t.snap, &t.rates, 200, 300);
    keys(h.vm, "?");
    const std::string all = h.draw().to_text();
    for (const KeyBinding& b : key_bindings()) {
        if (b.label.empty() || b.help.empty()) continue;
        CHECK_MESSAGE(all.find(b.help) != std::string::npos, b.help);
    }
    for (const ColumnDef& c : all_columns()) CHECK_MESSAGE(all.find(c.description) != std::string::npos, c.name);
}

TEST_CASE("render::the column chooser over the table at 80x24 (golden); any size draws clean") {
    TestSnap t = four();
    Screen s(&t.snap, &t.rates, 80, 24);
    s.vm.handle_key(key::F2);
    keys(s.vm, "j ");                   // hides the second column
    s.vm.handle_key(key::Tab);
    keys(s.vm, "jj");                   // the cursor on the third available one
    check_golden("chooser-80x24", s.draw());
    for (int w : {10, 20, 40, 200}) {
        for (int h : {3, 5, 8, 60}) {
            Screen z(&t.snap, &t.rates, w, h);
            z.vm.handle_key('o');
            CHECK(tuitest::grid_is_clean(z.draw()));
        }
    }
}

TEST_CASE("render::[keys]: the help, the names and the status-line hint show the keys in effect") {
    std::vector<KeySetting> settings = {{"quit", {"z"}, "config.toml:2"}, {"help", {"F3", "?"}, "config.toml:3"}};
    REQUIRE(use_key_settings(settings));
    TestSnap t = four();
    Screen s(&t.snap, &t.rates, 120, 200);
    std::string text = s.draw().to_text();
    CHECK(text.find("F3 help  z quit") != std::string::npos);
    keys(s.vm, "q");                       // no longer quits: unknown
    CHECK_FALSE(s.vm.quit_requested());
    s.vm.handle_key(key::fkey(3));
    REQUIRE(s.vm.overlay() == Overlay::Help);
    text = s.draw().to_text();
    CHECK(text.find("\n  z             quit\n") != std::string::npos);
    CHECK(text.find("\n  F3 ?          this help") != std::string::npos);
    CHECK(text.find("\n  q             quit") == std::string::npos);
    CHECK(text.find("  quit                   z ") != std::string::npos);
    keys(s.vm, "z");                       // closes the help, as q did
    CHECK(s.vm.overlay() == Overlay::None);
    keys(s.vm, "z");
    CHECK(s.vm.quit_requested());
    use_key_map(KeyMap());
}

TEST_CASE("render::small terminals show what fits (golden 20x5) and never crash") {
    TestSnap t = four();
    Screen s(&t.snap, &t.rates, 20, 5);
    check_golden("workers-20x5", s.draw());
    for (int w = 0; w <= 42; w += 3) {
        for (int h = 0; h <= 12; ++h) {
            CAPTURE(w);
            CAPTURE(h);
            Screen x(&t.snap, &t.rates, w, h);
            for (int k : {0, int('a'), int(key::Enter), int(key::Escape), int('?'), int(key::Escape), int(key::Tab)}) {
                if (k) x.vm.handle_key(k);
                const Grid& g = x.draw();
                CHECK(g.width() == w);
                CHECK(g.height() == h);
                for (const std::string& l : g.to_lines()) CHECK(display_width(l) <= static_cast<std::size_t>(w));
            }
        }
    }
}

TEST_CASE("render::columns that do not fit are dropped, and Right scrolls to them") {
    TestSnap t = four();
    Screen s(&t.snap, &t.rates, 60, 16);
    const int hr = s.vm.areas().header_row;
    std::string header = s.line(hr);
    CHECK(header.find("WID") == 2);
    CHECK(header.find("LastSpwn") == std::string::npos);
    s.vm.handle_key(key::Right);
    s.vm.handle_key(key::Right);
    header = s.line(hr);
    CHECK(header.find("WID") == 2);           // pinned
    CHECK(header.find("PID") == std::string::npos);  // scrolled off
    for (int i = 0; i < 20; ++i) s.vm.handle_key(key::Right);
    header = s.line(hr);
    CHECK(header.find("LastSpwn") != std::string::npos);
}

TEST_CASE("render::a sideways scroll gives way when the screen widens") {
    // 80x24, Right 8 times, then 160 columns: every column shows again
    // (the sort column too), and Left/Right act at once from there.
    TestSnap t = four();
    Screen s(&t.snap, &t.rates, 80, 24);
    auto frame = [&] {  // as the screen loop: render, then hand the limit back
        s.draw();
        s.vm.fit_hscroll(last_hits().hscroll_limit);
        return s.grid.to_lines()[static_cast<std::size_t>(s.vm.areas().header_row)];
    };
    std::string header = frame();
    for (int i = 0; i < 8; ++i) {
        s.vm.handle_key(key::Right);
        header = frame();
    }
    CHECK(s.vm.state().hscroll > 0);
    CHECK(header.find("REQ") == std::string::npos);  // the sort column is scrolled off at 80
    CHECK(header.find("LastSpwn") != std::string::npos);
    s.vm.set_size(160, 24);
    header = s.line(s.vm.areas().header_row);  // the first frame at 160 already shows everything
    CHECK(header.find("REQ\xe2\x86\x93") != std::string::npos);
    CHECK(header.find("PID") != std::string::npos);
    CHECK(header.find("LastSpwn") != std::string::npos);
    header = frame();
    CHECK(s.vm.state().hscroll == 0);
    s.vm.handle_key(key::Right);  // everything fits: nothing to scroll to
    CHECK(frame() == header);
    CHECK(s.vm.state().hscroll == 0);
    SUBCASE("at 80 columns Right stops once the last column shows, and Left acts at once") {
        s.vm.set_size(80, 24);
        header = frame();
        for (int i = 0; i < 20; ++i) {
            s.vm.handle_key(key::Right);
            header = frame();
        }
        const std::size_t most = s.vm.state().hscroll;
        CHECK(most == last_hits().hscroll_limit);
        CHECK(header.find("LastSpwn") != std::string::npos);
        s.vm.handle_key(key::Left);
        CHECK(s.vm.state().hscroll == most - 1);
        CHECK(frame() != header);
    }
}

TEST_CASE("render::status line: stale data, paused, end of recording, filter prompt") {
    TestSnap t = four();
    Screen s(&t.snap, &t.rates, 100, 16);
    const int y = s.vm.areas().status_row;
    CHECK(s.line(y).find("every 1.0s") == 0);
    s.vm.set_fetch_error("127.0.0.1:9191: connection refused", 102.0);
    s.vm.set_clock(104.5);
    std::string l = s.line(y);
    CHECK(l.find("stale 4s: 127.0.0.1:9191: connection refused \xe2\x80\x94 retrying") == 0);
    CHECK(s.grid.at(0, y).style == Style::Error);
    CHECK(find_row(s.grid, "WID") >= 0);  // the last good snapshot is still there
    SUBCASE("ASCII terminals get a plain dash") {
        s.vm.set_ascii(true);
        CHECK(s.line(y).find("connection refused - retrying") != std::string::npos);
    }
    SUBCASE("server bytes in the message are escaped") {
        s.vm.set_fetch_error("x: bad \x1b]0;owned\x07", 105.0);
        CHECK(s.line(y).find("bad \\x1b]0;owned\\x07") != std::string::npos);
        CHECK(tuitest::grid_is_clean(s.grid));
    }
    SUBCASE("paused") {
        keys(s.vm, " ");
        CHECK(s.line(y).find("PAUSED (not fetching") == 0);
        CHECK(s.grid.at(0, y).style == Style::Paused);
    }
    SUBCASE("end of recording") {
        s.vm.set_ended();
        CHECK(s.line(y).find("end of recording") == 0);
    }
    SUBCASE("filter prompt and count") {
        keys(s.vm, "/bu");
        CHECK(s.line(y).find("filter: bu_") == 0);
        s.vm.handle_key(key::Enter);
        s.vm.set_clock(200.0);  // the flash message has expired
        CHECK(s.line(y).find("filter \"bu\" 1/5") != std::string::npos);
    }
    SUBCASE("a message longer than the line keeps its end: the middle is elided") {
        s.vm.set_clock(100.5);
        s.vm.notify("kill-worker: 127.0.0.1:9191: worker 3, pid 4711: its parent is pid 42, not the master pid 100 "
                    "the snapshot names, which it should be; refused; nothing sent");
        l = s.line(y);
        while (!l.empty() && l.back() == ' ') l.pop_back();
        CHECK(l.size() > 90);
        CAPTURE(l);
        CHECK(l.find("| kill-worker: \xe2\x80\xa6") != std::string::npos);
        CHECK(l.rfind("refused; nothing sent") == l.size() - std::string("refused; nothing sent").size());
    }
    SUBCASE("no data yet") {
        Screen e(nullptr, nullptr, 100, 16);
        CHECK(e.line(e.vm.areas().status_row).find("connecting to 127.0.0.1:9191") == 0);
        e.vm.set_fetch_error("127.0.0.1:9191: connection refused", 100.0);
        e.vm.set_clock(103.0);
        CHECK(e.line(e.vm.areas().status_row).find("no data 3s: ") == 0);
        CHECK(find_row(e.grid, "waiting for the first snapshot") == 0);
    }
}

TEST_CASE("render::server text is escaped everywhere it shows") {
    TestSnap t = four();
    t.snap.cwd = t.keep("/srv/\x1b]0;pwned\x07/app");
    t.snap.version = t.keep("2.0\x1b[2J");
    t.snap.workers[1].status = t.keep("busy\r");
    // A request header with an escape sequence in a var.
    const auto begin = static_cast<uint32_t>(t.snap.vars.size());
    t.snap.vars.push_back(t.keep("HTTP_X_EVIL=\x1b[31mred\x1b[0m\x9b"));
    t.snap.cores[t.snap.workers[1].cores.begin].vars.count += 0;
    t.snap.cores[t.snap.workers[1].cores.begin].vars = Range{begin - 3, 4};
    Screen s(&t.snap, &t.rates, 120, 40);
    CHECK(tuitest::grid_is_clean(s.draw()));
    CHECK(find_row(s.grid, "cwd: /srv/\\x1b]0;pwned\\x07/app") == 1);
    s.vm.handle_key(key::Enter);
    const Grid& g = s.draw();
    CHECK(tuitest::grid_is_clean(g));
    CHECK(find_row(g, "HTTP_X_EVIL=\\x1b[31mred\\x1b[0m\\x9b") > 0);
}

TEST_CASE("render::an Emperor's vassals and other panes (golden)") {
    Snapshot s;
    s.kind = SnapshotKind::Emperor;
    s.version = "2.0.21";
    s.pid = 77;
    Vassal a;
    a.id = "app1.ini";
    a.pid = 1200;
    a.respawns = 1;
    a.loyal = 1;
    a.ready = 1;
    a.accepting = 1;
    a.last_heartbeat = static_cast<int64_t>(tuitest::kNow) - 5;
    a.born = static_cast<int64_t>(tuitest::kNow) - 600;
    a.cursed = 0;
    a.zerg = 0;
    a.monitor = "dir://vassals";
    Vassal b = a;
    b.id = "broken.ini";
    b.pid = 1300;
    b.respawns = 9;
    b.ready = 0;
    b.loyal = 0;
    s.vassals = {a, b};
    Screen sc(&s, nullptr, 100, 10);
    check_golden("vassals-100x10", sc.draw());
    // The vassal that is not ready stands out.
    CHECK(sc.grid.at(5, sc.vm.areas().table_top + 1).style == Style::Signal);

    TestSnap t = four();
    t.snap.has_metrics = true;
    t.snap.metrics.push_back(Metric{"worker.1.requests", "1.3.6.1.4.1.35156.17.3.1", 0, 10});
    Screen p(&t.snap, &t.rates, 80, 10);
    keys(p.vm, "3");
    check_golden("locks-80x10", p.draw());
    keys(p.vm, "4");
    CHECK(find_row(p.draw(), "worker.1.requests") == p.vm.areas().table_top);
    CHECK(find_row(p.grid, "counter") == p.vm.areas().table_top);
}

TEST_CASE("render::a real capture (prefork-1.json through the parser, golden)") {
    std::ifstream in(std::string(UWSGITOP_TEST_FIXTURES) + "/prefork-1.json", std::ios::binary);
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    uwsgitop::ByteBuffer bytes(text.begin(), text.end());
    Snapshot snap;
    Parser parser;
    REQUIRE(parser.parse(bytes, snap).is_ok());
    Screen s(&snap, nullptr, 120, 14);
    check_golden("prefork-1-120x14", s.draw());
    keys(s.vm, "a");
    const Grid& g = s.draw();
    CHECK(find_row(g, "/slow?s=0.3") > 0);
}

TEST_CASE("render::16,000 cores: only the visible rows are on screen") {
    TestSnap t{};
    for (int i = 1; i <= 16; ++i) t.add({i, 5000 + i, "busy", 100000 + i, 10.0, 1000, 3});
    Screen s(&t.snap, &t.rates, 160, 50);
    keys(s.vm, "a");
    REQUIRE(s.vm.row_count() == 16000);
    const Grid& g = s.draw();
    CHECK(find_row(g, "WID") == s.vm.areas().header_row);
    s.vm.handle_key(key::End);
    const Grid& g2 = s.draw();
    CHECK(g2.to_lines()[static_cast<std::size_t>(s.vm.areas().status_row - 1)].find(":") != std::string::npos);
}

}  // TEST_SUITE
