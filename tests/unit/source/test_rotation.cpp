// Tests for --record rotation (recording.hpp RecordRotation, src/source/rotation.hpp) and for
// replaying what it leaves: sizes and counts respected, every snapshot in exactly one file,
// a rotated zstd set replays in order, cut files replay up to the cut, interrupted rotations,
// unreadable members skipped with one note each, a directory in the set's place failing safe.
#include <doctest/doctest.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "uwsgitop/settings/options.hpp"
#include "uwsgitop/source/recording.hpp"
#include "uwsgitop/source/source.hpp"
#include "../../../src/source/recording_file.hpp"

using namespace uwsgitop;

namespace {

class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/uwsgitop-rot-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        if (DIR* d = ::opendir(path.c_str())) {
            while (dirent* e = ::readdir(d)) {
                const std::string n = e->d_name;
                if (n != "." && n != "..") ::unlink((path + "/" + n).c_str());
            }
            ::closedir(d);
        }
        ::rmdir(path.c_str());
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::set<std::string> names() const {
        std::set<std::string> out;
        if (DIR* d = ::opendir(path.c_str())) {
            while (dirent* e = ::readdir(d)) {
                const std::string n = e->d_name;
                if (n != "." && n != "..") out.insert(n);
            }
            ::closedir(d);
        }
        return out;
    }
    std::string path;
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void write_file(const std::string& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
}

uint64_t file_size(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return static_cast<uint64_t>(st.st_size);
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

// Snapshot i: a small document whose requests count is i, recorded at t = 1000 + i.
Frame frame_of(int i) {
    const std::string doc = "{\"version\":\"2.0.28\",\"workers\":[{\"id\":1,\"requests\":" + std::to_string(i) +
                            ",\"status\":\"idle\",\"pad\":\"" + std::string(static_cast<std::size_t>(40 + i % 50), 'x') +
                            "\"}]}";
    Frame f;
    f.bytes.assign(doc.begin(), doc.end());
    f.wall_time = 1000.0 + i;
    return f;
}

// Every recorded time in `path` (a file or a set), in replay order.
std::vector<int> replayed(const std::string& path) {
    Status open_error;
    auto source = make_replay_source(path, ReplayOptions{}, &open_error);
    REQUIRE_MESSAGE(open_error.is_ok(), open_error.message());
    std::vector<int> out;
    Frame frame;
    while (!source->exhausted()) {
        Status st = source->fetch(frame);
        if (!st) break;
        out.push_back(static_cast<int>(std::lround(frame.wall_time - 1000.0)));
    }
    return out;
}

// Like replayed(), and the notes the open gave (skipped members).
std::vector<int> replayed_noting(const std::string& path, std::vector<std::string>& notes) {
    Status open_error;
    auto source = make_replay_source(path, ReplayOptions{}, &open_error, &notes);
    REQUIRE_MESSAGE(open_error.is_ok(), open_error.message());
    std::vector<int> out;
    Frame frame;
    while (!source->exhausted() && source->fetch(frame).is_ok()) {
        out.push_back(static_cast<int>(std::lround(frame.wall_time - 1000.0)));
    }
    return out;
}

// The decompressed size a zstd file's frame header records.
uint64_t zstd_content_size(const std::string& path) {
    const std::string data = read_file(path);
    const unsigned long long n = ZSTD_getFrameContentSize(data.data(), data.size());
    REQUIRE(n != ZSTD_CONTENTSIZE_UNKNOWN);
    REQUIRE(n != ZSTD_CONTENTSIZE_ERROR);
    return n;
}

std::vector<int> iota(int from, int to) {
    std::vector<int> v;
    for (int i = from; i < to; ++i) v.push_back(i);
    return v;
}

}  // namespace

TEST_SUITE("rotation") {

TEST_CASE("rotation::sizes and counts are respected; the kept files hold the newest snapshots once each") {
    TempDir dir;
    const std::string path = dir.path + "/rec.jsonl";
    RecordRotation rotation;
    rotation.max_bytes = 4096;
    rotation.keep = 3;
    RecordWriter writer;
    REQUIRE(writer.open(path, rotation).is_ok());
    const int n = 400;
    for (int i = 0; i < n; ++i) REQUIRE(writer.append(frame_of(i), "127.0.0.1:9191", true).is_ok());
    CHECK(writer.rotations() > 5);
    CHECK(dir.names() == std::set<std::string>{"rec.jsonl", "rec.jsonl.1.zst", "rec.jsonl.2.zst", "rec.jsonl.3.zst"});
    CHECK(file_size(path) <= rotation.max_bytes);
    CHECK(file_size(path) > 0);
    for (int k = 1; k <= 3; ++k) {
        const std::string part = path + "." + std::to_string(k) + ".zst";
        INFO(part);
        const uint64_t size = zstd_content_size(part);
        CHECK(size <= rotation.max_bytes);
        CHECK(size > rotation.max_bytes - 400);  // filled up to about one line short of the limit
        CHECK(file_size(part) < size);           // compressed
    }
    // Newest last, no gap, no repeat, nothing after the last one.
    const std::vector<int> got = replayed(path);
    REQUIRE_FALSE(got.empty());
    CHECK(got.back() == n - 1);
    CHECK(got == iota(got.front(), n));
    // Each rotated part alone: consecutive runs that tile the set, FILE the rest.
    std::vector<int> tiled;
    for (const char* part : {".3.zst", ".2.zst", ".1.zst"}) {
        const std::vector<int> one = replayed(path + part);
        REQUIRE_FALSE(one.empty());
        tiled.insert(tiled.end(), one.begin(), one.end());
    }
    REQUIRE(tiled.size() < got.size());
    CHECK(tiled == std::vector<int>(got.begin(), got.begin() + static_cast<std::ptrdiff_t>(tiled.size())));
}

TEST_CASE("rotation::with enough kept files every snapshot is in exactly one file") {
    TempDir dir;
    const std::string path = dir.path + "/rec.jsonl";
    RecordRotation rotation;
    rotation.max_bytes = 2000;
    rotation.keep = 1000;
    const int n = 500;
    {
        RecordWriter writer;
        REQUIRE(writer.open(path, rotation).is_ok());
        for (int i = 0; i < n / 2; ++i) REQUIRE(writer.append(frame_of(i), "a", true).is_ok());
    }
    {
        // A second run appends to the same set and keeps rotating it.
        RecordWriter writer;
        REQUIRE(writer.open(path, rotation).is_ok());
        for (int i = n / 2; i < n; ++i) REQUIRE(writer.append(frame_of(i), "a", true).is_ok());
    }
    CHECK(replayed(path) == iota(0, n));
    std::size_t files = dir.names().size();
    CHECK(files > 20);
    CHECK_FALSE(exists(path + ".0"));
    for (const std::string& name : dir.names()) CHECK(name.find(".tmp") == std::string::npos);
}

TEST_CASE("rotation::files of the same size are not mistaken for an interrupted rotation's copy") {
    TempDir dir;
    const std::string path = dir.path + "/rec.jsonl";
    RecordRotation rotation;
    rotation.max_bytes = 300;  // one line per file, every line the same length
    rotation.keep = 3;
    RecordWriter writer;
    REQUIRE(writer.open(path, rotation).is_ok());
    for (int i = 0; i < 5; ++i) {
        Frame f = frame_of(10);
        f.wall_time = 1000.0 + i;
        REQUIRE(writer.append(f, "a", true).is_ok());
    }
    CHECK(dir.names() == std::set<std::string>{"rec.jsonl", "rec.jsonl.1.zst", "rec.jsonl.2.zst", "rec.jsonl.3.zst"});
    CHECK(replayed(path) == iota(1, 5));
}

TEST_CASE("rotation::keep 0 drops what was rotated; a line larger than the limit still gets written") {
    TempDir dir;
    const std::string path = dir.path + "/rec.jsonl";
    RecordRotation rotation;
    rotation.max_bytes = 1000;
    rotation.keep = 0;
    RecordWriter writer;
    REQUIRE(writer.open(path, rotation).is_ok());
    for (int i = 0; i < 50; ++i) REQUIRE(writer.append(frame_of(i), "a", true).is_ok());
    CHECK(dir.names() == std::set<std::string>{"rec.jsonl"});
    const std::vector<int> got = replayed(path);
    CHECK(got.back() == 49);
    CHECK(got == iota(got.front(), 50));
    Frame big = frame_of(50);
    big.bytes.insert(big.bytes.end() - 3, 3000, 'y');
    REQUIRE(writer.append(big, "a", true).is_ok());
    CHECK(replayed(path) == std::vector<int>{50});  // alone in its file
}

TEST_CASE("rotation::an interrupted rotation is finished by the next writer and never replayed twice") {
    TempDir dir;
    const std::string path = dir.path + "/rec.jsonl";
    RecordRotation rotation;
    rotation.max_bytes = 3000;
    rotation.keep = 10;
    {
        RecordWriter writer;
        REQUIRE(writer.open(path, rotation).is_ok());
        for (int i = 0; i < 60; ++i) REQUIRE(writer.append(frame_of(i), "a", true).is_ok());
    }
    const std::vector<int> before = replayed(path);
    REQUIRE(before == iota(0, 60));

    SUBCASE("stopped after FILE.1.zst was renamed, before FILE.0 was removed") {
        // FILE.0 is then the same bytes as FILE.1.zst holds.
        const std::string first = path + ".1.zst";
        std::string plain;
        {
            Status e;
            auto one = make_replay_source(first, ReplayOptions{}, &e);
            REQUIRE(e.is_ok());
        }
        // Rebuild FILE.0 from FILE.1.zst's content.
        const std::string z = read_file(first);
        plain.resize(zstd_content_size(first));
        REQUIRE(ZSTD_decompress(plain.data(), plain.size(), z.data(), z.size()) == plain.size());
        write_file(path + ".0", plain);
        CHECK(replayed(path) == before);  // the copy is recognised and skipped
        RecordWriter writer;
        REQUIRE(writer.open(path, rotation).is_ok());
        CHECK_FALSE(exists(path + ".0"));
        CHECK(replayed(path) == before);
    }
    SUBCASE("stopped after FILE became FILE.0, before it was compressed") {
        REQUIRE(::rename(path.c_str(), (path + ".0").c_str()) == 0);
        write_file(path + ".1.zst.tmp", "half a frame");
        CHECK(replayed(path) == before);  // FILE.0 is read in its place in the set
        RecordWriter writer;
        REQUIRE(writer.open(path, rotation).is_ok());
        CHECK_FALSE(exists(path + ".0"));
        CHECK_FALSE(exists(path + ".1.zst.tmp"));
        REQUIRE(writer.append(frame_of(60), "a", true).is_ok());
        CHECK(replayed(path) == iota(0, 61));
    }
}

TEST_CASE("rotation::compressed and cut files replay up to the cut") {
    TempDir dir;
    const std::string path = dir.path + "/rec.jsonl";
    RecordRotation rotation;
    rotation.max_bytes = 2500;
    rotation.keep = 50;
    {
        RecordWriter writer;
        REQUIRE(writer.open(path, rotation).is_ok());
        for (int i = 0; i < 100; ++i) REQUIRE(writer.append(frame_of(i), "a", true).is_ok());
    }
    REQUIRE(replayed(path) == iota(0, 100));

    SUBCASE("the current file cut in the middle of its last line") {
        const std::string text = read_file(path);
        REQUIRE(text.size() > 40);
        write_file(path, text.substr(0, text.size() - 30));
        CHECK(replayed(path) == iota(0, 99));
    }
    SUBCASE("a compressed file alone, cut short: the lines that came out whole") {
        // Several zstd blocks (128 KiB each), so a cut leaves whole blocks before it.
        const std::string big = dir.path + "/big.jsonl";
        {
            RecordWriter writer;
            REQUIRE(writer.open(big).is_ok());
            for (int i = 0; i < 4000; ++i) REQUIRE(writer.append(frame_of(i), "a", true).is_ok());
        }
        const std::string text = read_file(big);
        std::string z(ZSTD_compressBound(text.size()), '\0');
        z.resize(ZSTD_compress(z.data(), z.size(), text.data(), text.size(), 3));
        const std::string first = dir.path + "/big.jsonl.zst";
        write_file(first, z);
        const std::vector<int> whole = replayed(first);
        REQUIRE(whole == iota(0, 4000));
        write_file(first, z.substr(0, z.size() / 2));
        const std::vector<int> cut = replayed(first);
        REQUIRE_FALSE(cut.empty());
        CHECK(cut.size() < whole.size());
        CHECK(cut == std::vector<int>(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cut.size())));
        // Damage past the first blocks: what came out before it plays, and that is said once.
        std::string damaged = z;
        const std::size_t at = damaged.size() * 3 / 4;
        for (std::size_t i = at; i < at + 64; ++i) damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
        write_file(first, damaged);
        std::vector<std::string> notes;
        const std::vector<int> kept = replayed_noting(first, notes);
        REQUIRE_FALSE(kept.empty());
        CHECK(kept.size() < whole.size());
        CHECK(kept == std::vector<int>(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(kept.size())));
        REQUIRE(notes.size() == 1);
        CHECK(notes[0].find(first + ": bad zstd data after ") == 0);
        CHECK(notes[0].find("played up to there") != std::string::npos);
    }
    SUBCASE("a file compressed by hand is read too") {
        const std::string text = read_file(path);
        std::string z(ZSTD_compressBound(text.size()), '\0');
        z.resize(ZSTD_compress(z.data(), z.size(), text.data(), text.size(), 19));
        write_file(dir.path + "/copy.zst", z);
        const std::vector<int> copy = replayed(dir.path + "/copy.zst");  // FILE alone: the newest
        REQUIRE_FALSE(copy.empty());
        CHECK(copy.front() > 0);
        CHECK(copy == iota(copy.front(), 100));
    }
    SUBCASE("a damaged compressed file is a one-line error naming it") {
        write_file(dir.path + "/bad.zst", std::string("\x28\xb5\x2f\xfd", 4) + std::string(64, '\xee'));
        Status e;
        auto source = make_replay_source(dir.path + "/bad.zst", ReplayOptions{}, &e);
        CHECK_FALSE(e.is_ok());
        CHECK(e.message().find(dir.path + "/bad.zst: bad zstd data") == 0);
    }
}

TEST_CASE("rotation::a member that cannot be read is skipped with one note naming it; the rest plays") {
    TempDir dir;
    const std::string path = dir.path + "/set.jsonl";
    RecordRotation rotation;
    rotation.max_bytes = 2500;
    rotation.keep = 50;
    {
        RecordWriter writer;
        REQUIRE(writer.open(path, rotation).is_ok());
        for (int i = 0; i < 100; ++i) REQUIRE(writer.append(frame_of(i), "a", true).is_ok());
    }
    const auto member = [&](int k) { return path + "." + std::to_string(k) + ".zst"; };
    REQUIRE(exists(member(6)));
    std::vector<std::vector<int>> in(7);  // what members 1..6 hold
    for (int k = 1; k <= 6; ++k) in[static_cast<std::size_t>(k)] = replayed(member(k));
    std::vector<int> expected = replayed(path);
    REQUIRE(expected == iota(0, 100));
    const auto without = [&](std::initializer_list<int> ks) {
        std::vector<int> out;
        for (int t : expected) {
            bool gone = false;
            for (int k : ks) {
                for (int u : in[static_cast<std::size_t>(k)]) gone = gone || u == t;
            }
            if (!gone) out.push_back(t);
        }
        return out;
    };
    std::vector<std::string> notes;

    SUBCASE("a damaged zstd frame") {
        std::string z = read_file(member(2));
        for (std::size_t i = 6; i < z.size(); ++i) z[i] = static_cast<char>(z[i] ^ 0x5a);
        write_file(member(2), z);
        CHECK(replayed_noting(path, notes) == without({2}));
        REQUIRE(notes.size() == 1);
        CHECK(notes[0].find(member(2) + ": bad zstd data") == 0);
        CHECK(notes[0].find("skipped") != std::string::npos);
    }
    SUBCASE("bad magic") {
        write_file(member(3), "this is not zstd\n");
        CHECK(replayed_noting(path, notes) == without({3}));
        REQUIRE(notes.size() == 1);
        CHECK(notes[0] == member(3) + ": neither zstd data nor --record JSON lines (bad magic); skipped");
    }
    SUBCASE("a gap: missing members are reported as one run") {
        ::unlink(member(4).c_str());
        ::unlink(member(5).c_str());
        CHECK(replayed_noting(path, notes) == without({4, 5}));
        REQUIRE(notes.size() == 1);
        CHECK(notes[0] == member(5) + " ... " + member(4) + ": missing (a gap in the rotated set); skipped");
    }
    SUBCASE("a directory, the newest rotated member") {
        ::unlink(member(1).c_str());
        REQUIRE(::mkdir(member(1).c_str(), 0700) == 0);
        CHECK(replayed_noting(path, notes) == without({1}));
        REQUIRE(notes.size() == 1);
        CHECK(notes[0] == member(1) + ": is a directory; skipped");
        ::rmdir(member(1).c_str());
    }
    SUBCASE("all of them at once") {
        write_file(member(3), "this is not zstd\n");
        ::unlink(member(4).c_str());
        ::unlink(member(6).c_str());
        REQUIRE(::mkdir(member(6).c_str(), 0700) == 0);
        CHECK(replayed_noting(path, notes) == without({3, 4, 6}));
        CHECK(notes.size() == 3);
        ::rmdir(member(6).c_str());
    }
}

TEST_CASE("rotation::a directory where the set goes fails safe: refused, FILE kept within its limit, named") {
    TempDir dir;
    const std::string path = dir.path + "/rec.jsonl";
    const std::string second = path + ".2.zst";
    RecordRotation rotation;
    rotation.max_bytes = 2500;
    rotation.keep = 3;
    REQUIRE(::mkdir(second.c_str(), 0700) == 0);
    {
        RecordWriter writer;
        const Status st = writer.open(path, rotation);
        CHECK(st.message() == "--record rotation: " + second + ": is a directory, not a file of the set");
    }
    ::rmdir(second.c_str());
    RecordWriter writer;
    REQUIRE(writer.open(path, rotation).is_ok());
    int i = 0;
    while (!exists(path + ".1.zst")) REQUIRE(writer.append(frame_of(i++), "a", true).is_ok());
    REQUIRE(::mkdir(second.c_str(), 0700) == 0);  // made while recording
    Status last = Status::ok();
    for (int n = 0; n < 60; ++n) {
        const Status st = writer.append(frame_of(i++), "a", true);
        if (!st) last = st;
        CHECK(file_size(path) <= rotation.max_bytes);
    }
    CHECK(last.message() == "--record rotation: " + second + ": is a directory, not a file of the set");
    CHECK(exists(path + ".1.zst"));
    CHECK_FALSE(exists(path + ".0"));
    ::rmdir(second.c_str());
    // Once it is gone, rotation resumes.
    for (int n = 0; n < 3; ++n) CHECK(writer.append(frame_of(i++), "a", true).is_ok());
    CHECK(exists(second));
}

TEST_CASE("rotation::options") {
    Options o;
    const char* ok[] = {"uwsgitop", "--record", "r.jsonl", "--record-max-size", "64", "--record-keep", "3", ":9191"};
    REQUIRE(parse_options(8, ok, nullptr, o).is_ok());
    CHECK(o.record_max_mib == 64);
    CHECK(o.record_keep == 3);
    const char* no_record[] = {"uwsgitop", "--record-max-size", "64", ":9191"};
    CHECK(parse_options(4, no_record, nullptr, o).message() == "--record-max-size goes with --record");
    const char* keep_alone[] = {"uwsgitop", "--record", "r", "--record-keep", "3", ":9191"};
    CHECK(parse_options(6, keep_alone, nullptr, o).message() == "--record-keep goes with --record-max-size");
    const char* bad[] = {"uwsgitop", "--record", "r", "--record-max-size", "0", ":9191"};
    CHECK(parse_options(6, bad, nullptr, o).message().find("--record-max-size: 0 is out of range") == 0);
}

namespace {

constexpr std::size_t kCap = 1 << 20;  // --max-size 1 MiB

// The lines of snapshots from..to-1 (frame_of), as RecordWriter writes them.
std::string record_lines(const std::string& dir, int from, int to) {
    const std::string path = dir + "/lines.tmp";
    ::unlink(path.c_str());
    {
        RecordWriter writer;
        REQUIRE(writer.open(path).is_ok());
        for (int i = from; i < to; ++i) REQUIRE(writer.append(frame_of(i), "a", true).is_ok());
    }
    std::string text = read_file(path);
    ::unlink(path.c_str());
    return text;
}

std::string zstd_of(const std::string& text) {
    std::string z(ZSTD_compressBound(text.size()), '\0');
    z.resize(ZSTD_compress(z.data(), z.size(), text.data(), text.size(), 1));
    REQUIRE_FALSE(ZSTD_isError(z.size()));
    return z;
}

// What a replay with --max-size kCap gives: the time of each snapshot
// played, or the error of a fetch; and the frame's largest capacity.
struct Played {
    std::vector<std::string> items;
    std::size_t capacity = 0;
};

Played play_capped(const std::string& path) {
    Status open_error;
    ReplayOptions options;
    options.max_record = kCap;
    options.speed = 0;
    auto source = make_replay_source(path, options, &open_error);
    REQUIRE_MESSAGE(open_error.is_ok(), open_error.message());
    Played out;
    Frame frame;
    while (!source->exhausted()) {
        const Status st = source->fetch(frame);
        out.items.push_back(st ? std::to_string(std::lround(frame.wall_time - 1000.0)) : st.message());
        out.capacity = std::max(out.capacity, frame.bytes.capacity());
    }
    return out;
}

}  // namespace

TEST_CASE("rotation::a line longer than --max-size is said with its file and line, never read whole; the rest plays") {
    TempDir dir;
    const std::string too_long = ": line longer than --max-size (1 MiB); skipped";
    // Line 3 is a 3 MiB snapshot recorded at t = 1002.5, between 1 and 2.
    const std::string huge = "{\"t\":1002.5,\"address\":\"a\",\"stats\":{\"pad\":\"" + std::string(3 * kCap, 'x') + "\"}}\n";
    const std::string text = record_lines(dir.path, 0, 2) + huge + record_lines(dir.path, 2, 5);
    const std::vector<std::string> expected_tail = {"2", "3", "4"};
    for (const bool compressed : {false, true}) {
        CAPTURE(compressed);
        const std::string path = dir.path + (compressed ? "/rec.jsonl.zst" : "/rec.jsonl");
        write_file(path, compressed ? zstd_of(text) : text);
        const Played p = play_capped(path);
        CHECK(p.items == std::vector<std::string>{"0", "1", path + ":3" + too_long, "2", "3", "4"});
        CHECK(p.capacity < kCap);  // the big line never reached the frame
        detail::RecordingFile file;
        REQUIRE(file.open(path, kCap).is_ok());
        REQUIRE(file.records().size() == 6);
        CHECK(file.records()[2].line == 3);
        CHECK(file.records()[2].t == doctest::Approx(1002.5));
        // Decompressed, the line keeps kCap + 1 bytes: enough to say it is too long.
        CHECK(file.records()[2].length == (compressed ? kCap + 1 : huge.size() - 1));
        CHECK(file.line_capacity() < 2 * kCap);
        ::unlink(path.c_str());
    }
    SUBCASE("keys in another order: no time at its head, no full parse of it") {
        const std::string path = dir.path + "/jq.jsonl";
        write_file(path, record_lines(dir.path, 0, 2) + "{\"stats\":{\"pad\":\"" + std::string(2 * kCap, 'y') +
                             "\"},\"t\":1003}\n" + record_lines(dir.path, 2, 4));
        const Played p = play_capped(path);
        CHECK(p.items == std::vector<std::string>{"0", "1", path + ":3" + too_long, "2", "3"});
    }
    SUBCASE("in a rotated set: the member and its line are named") {
        const std::string path = dir.path + "/set.jsonl";
        write_file(path + ".2.zst", zstd_of(record_lines(dir.path, 0, 3)));
        write_file(path + ".1.zst", zstd_of(record_lines(dir.path, 3, 5) + "\n" + huge + record_lines(dir.path, 5, 6)));
        write_file(path, record_lines(dir.path, 6, 8));
        const Played p = play_capped(path);
        CHECK(p.items == std::vector<std::string>{"0", "1", "2", "3", "4", path + ".1.zst:4" + too_long, "5", "6", "7"});
        CHECK(p.capacity < kCap);
    }
    SUBCASE("megabytes of zeros compressed: refused with no more than the limit read or kept") {
        // 48 MiB of '0' in one line, then a good snapshot; and 16 MiB of NUL bytes alone.
        const std::string zeros_line = "{\"t\":1001,\"address\":\"a\",\"stats\":\"" + std::string(48 * kCap, '0');
        const std::string path = dir.path + "/zeros.jsonl.zst";
        write_file(path, zstd_of(zeros_line + "\n" + record_lines(dir.path, 2, 3)));
        CHECK(file_size(path) < kCap / 8);
        const Played p = play_capped(path);
        CHECK(p.items == std::vector<std::string>{path + ":1" + too_long, "2"});
        detail::RecordingFile file;
        REQUIRE(file.open(path, kCap).is_ok());
        CHECK(file.records()[0].length == kCap + 1);
        CHECK(file.line_capacity() < 2 * kCap);

        const std::string nul = dir.path + "/nul.zst";
        write_file(nul, zstd_of(std::string(16 * kCap, '\0')));
        const Played q = play_capped(nul);
        CHECK(q.items == std::vector<std::string>{nul + ": snapshot 1 is longer than --max-size (1 MiB)"});
        CHECK(q.capacity < kCap);
        detail::RecordingFile nul_file;
        REQUIRE(nul_file.open(nul, kCap).is_ok());
        CHECK(nul_file.records()[0].length == kCap + 1);
    }
}

}  // TEST_SUITE
