// Tests for recording.hpp (RecordWriter) and make_replay_source (source.hpp):
// round trips through real files in a mkdtemp directory.
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "uwsgitop/source/recording.hpp"
#include "uwsgitop/source/source.hpp"

using namespace uwsgitop;

namespace {

const std::string kFixtures = UWSGITOP_TEST_FIXTURES;

class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/uwsgitop-rec-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        for (const std::string& f : files) ::unlink(f.c_str());
        ::rmdir(path.c_str());
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) {
        files.push_back(path + "/" + name);
        return files.back();
    }
    std::string path;
    std::vector<std::string> files;
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

Frame make_frame(const std::string& bytes, double t) {
    Frame f;
    f.bytes.assign(bytes.begin(), bytes.end());
    f.wall_time = t;
    f.mono_time = 12345.0;  // not recorded
    return f;
}

std::string bytes_of(const Frame& frame) { return std::string(frame.bytes.begin(), frame.bytes.end()); }

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

const std::string kCompact = R"({"version":"2.0.21","workers":[{"id":1,"requests":10}]})";
const std::string kPretty = "{\n\t\"version\":\"2.0.21\",\r\n\t\"workers\":[\n\t\t{\"id\":1,\"requests\":11}\n\t]\n}\n";
// uWSGI 2.0 does not escape strings: a quote, a control byte, invalid UTF-8.
const std::string kInvalid = std::string("{\"cwd\":\"/srv/we\"ird\",\"vars\":[\"a\x01\xff\nb\"],\"x\":0}");
const double kT[3] = {1700000000.125, 1700000001.5, 1700000003.875};

// Records the three frames above into `path`.
void record_three(const std::string& path) {
    RecordWriter writer;
    REQUIRE(writer.open(path).is_ok());
    CHECK(writer.is_open());
    REQUIRE(writer.append(make_frame(kCompact, kT[0]), "127.0.0.1:9191", true).is_ok());
    REQUIRE(writer.append(make_frame(kPretty, kT[1]), "127.0.0.1:9191", true).is_ok());
    REQUIRE(writer.append(make_frame(kInvalid, kT[2]), "127.0.0.1:9191", false).is_ok());
}

std::string spaces_for_newlines(std::string s) {
    for (char& c : s) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return s;
}

}  // namespace

TEST_SUITE("recording") {

TEST_CASE("recording::RecordWriter writes one JSON object per line") {
    TempDir dir;
    const std::string path = dir.file("rec.jsonl");
    record_three(path);
    const std::vector<std::string> lines = lines_of(read_file(path));
    REQUIRE(lines.size() == 3);
    const char* third_key[3] = {"stats", "stats", "b64"};
    for (int i = 0; i < 3; ++i) {
        rapidjson::Document doc;
        doc.Parse(lines[static_cast<std::size_t>(i)].c_str());
        INFO("line " << i << ": " << lines[static_cast<std::size_t>(i)]);
        REQUIRE_FALSE(doc.HasParseError());
        REQUIRE(doc.IsObject());
        REQUIRE(doc.MemberCount() == 3);
        auto it = doc.MemberBegin();
        CHECK(std::string(it->name.GetString()) == "t");
        CHECK(std::fabs(it->value.GetDouble() - kT[i]) < 1e-6);
        ++it;
        CHECK(std::string(it->name.GetString()) == "address");
        CHECK(std::string(it->value.GetString()) == "127.0.0.1:9191");
        ++it;
        CHECK(std::string(it->name.GetString()) == third_key[i]);
    }
    CHECK(lines[0].find(kCompact) != std::string::npos);  // embedded verbatim
}

TEST_CASE("recording::round trip through the replay source") {
    TempDir dir;
    const std::string path = dir.file("rec.jsonl");
    record_three(path);
    Status open_error = Status::fail("not set");
    ReplayOptions options;
    auto source = make_replay_source(path, options, &open_error);
    REQUIRE_MESSAGE(open_error.is_ok(), open_error.message());
    CHECK(source->label() == path);
    CHECK(source->delay_before_next() == doctest::Approx(0.0));

    const std::string expected[3] = {kCompact, spaces_for_newlines(kPretty), kInvalid};
    Frame frame;
    for (int i = 0; i < 3; ++i) {
        CHECK_FALSE(source->exhausted());
        const Status st = source->fetch(frame);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(bytes_of(frame) == expected[i]);
        CHECK(frame.wall_time == doctest::Approx(kT[i]).epsilon(1e-12));
        CHECK(frame.mono_time == doctest::Approx(kT[i]).epsilon(1e-12));
        if (i < 2) {
            REQUIRE(source->delay_before_next().has_value());
            CHECK(*source->delay_before_next() == doctest::Approx(kT[i + 1] - kT[i]));
        }
    }
    CHECK(source->exhausted());
    CHECK(source->fetch(frame).message() == path + ": end of recording");
}

TEST_CASE("recording::replay pacing and looping") {
    TempDir dir;
    const std::string path = dir.file("rec.jsonl");
    record_three(path);
    SUBCASE("speed divides the delays") {
        ReplayOptions options;
        options.speed = 2;
        auto source = make_replay_source(path, options);
        Frame frame;
        REQUIRE(source->fetch(frame).is_ok());
        CHECK(*source->delay_before_next() == doctest::Approx((kT[1] - kT[0]) / 2));
    }
    SUBCASE("looping keeps the monotonic clock increasing") {
        ReplayOptions options;
        options.loop = true;
        auto source = make_replay_source(path, options);
        Frame frame;
        std::vector<double> mono;
        for (int i = 0; i < 7; ++i) {
            const Status st = source->fetch(frame);
            REQUIRE_MESSAGE(st.is_ok(), st.message());
            CHECK(frame.wall_time == doctest::Approx(kT[i % 3]).epsilon(1e-12));
            mono.push_back(frame.mono_time);
            CHECK_FALSE(source->exhausted());
        }
        for (std::size_t i = 1; i < mono.size(); ++i) CHECK(mono[i] > mono[i - 1]);
        // One loop later = the span of the recording plus one mean interval.
        const double interval = (kT[2] - kT[0]) / 2;
        CHECK(mono[3] - mono[2] == doctest::Approx(interval));
        CHECK(mono[6] - mono[3] == doctest::Approx(kT[2] - kT[0] + interval));
    }
    SUBCASE("delays are clamped to 0..60 seconds") {
        const std::string odd = dir.file("odd.jsonl");
        write_file(odd, "{\"t\":100,\"address\":\"a\",\"stats\":{}}\n"
                        "{\"t\":1000,\"address\":\"a\",\"stats\":{}}\n"
                        "{\"t\":10,\"address\":\"a\",\"stats\":{}}\n");
        auto source = make_replay_source(odd, ReplayOptions{});
        Frame frame;
        REQUIRE(source->fetch(frame).is_ok());
        CHECK(*source->delay_before_next() == doctest::Approx(60.0));
        REQUIRE(source->fetch(frame).is_ok());
        CHECK(*source->delay_before_next() == doctest::Approx(0.0));
        const double before = frame.mono_time;
        REQUIRE(source->fetch(frame).is_ok());
        CHECK(frame.wall_time == doctest::Approx(10.0));
        // Time never runs backwards for rates; an earlier t is no time passed (an unknown rate).
        CHECK(frame.mono_time == before);
    }
}

TEST_CASE("recording::a file cut short stays readable") {
    TempDir dir;
    const std::string path = dir.file("rec.jsonl");
    record_three(path);
    const std::string whole = read_file(path);
    const std::size_t last_line = whole.rfind('\n', whole.size() - 2) + 1;
    SUBCASE("an incomplete last line is ignored") {
        write_file(path, whole.substr(0, last_line + (whole.size() - last_line) / 2));
        auto source = make_replay_source(path, ReplayOptions{});
        Frame frame;
        REQUIRE(source->fetch(frame).is_ok());
        CHECK(bytes_of(frame) == kCompact);
        REQUIRE(source->fetch(frame).is_ok());
        CHECK(source->exhausted());
        CHECK_FALSE(source->fetch(frame).is_ok());
    }
    SUBCASE("a line cut inside the document is skipped, even ending in a brace") {
        write_file(path, "{\"t\":1,\"address\":\"a\",\"stats\":{\"n\":1}}\n"
                         "{\"t\":2,\"address\":\"a\",\"stats\":{\"a\":{\"b\":\"}\"}\n"
                         "{\"t\":3,\"address\":\"a\",\"stats\":{\"n\":3}}\n");
        auto source = make_replay_source(path, ReplayOptions{});
        Frame frame;
        REQUIRE(source->fetch(frame).is_ok());
        CHECK(bytes_of(frame) == "{\"n\":1}");
        REQUIRE(source->fetch(frame).is_ok());
        CHECK(bytes_of(frame) == "{\"n\":3}");
        CHECK(frame.wall_time == doctest::Approx(3.0));
        CHECK(source->exhausted());
    }
    SUBCASE("appending after a cut line starts a new line") {
        write_file(path, whole.substr(0, last_line + 20));
        RecordWriter writer;
        REQUIRE(writer.open(path).is_ok());
        REQUIRE(writer.append(make_frame("{\"after\":1}", kT[2] + 1), "x", true).is_ok());
        auto source = make_replay_source(path, ReplayOptions{});
        Frame frame;
        std::vector<std::string> got;
        while (!source->exhausted()) {
            const Status st = source->fetch(frame);
            REQUIRE_MESSAGE(st.is_ok(), st.message());
            got.push_back(bytes_of(frame));
        }
        REQUIRE(got.size() == 3);
        CHECK(got[0] == kCompact);
        CHECK(got[2] == "{\"after\":1}");
    }
}

TEST_CASE("recording::other shapes the replay source accepts") {
    TempDir dir;
    Frame frame;
    SUBCASE("uWSGI --stats-push file: documents separated by a blank line") {
        const std::string a = read_file(kFixtures + "/prefork-1.json");
        const std::string b = read_file(kFixtures + "/prefork-2.json");
        REQUIRE(b.find("\n\n") != std::string::npos);  // uWSGI's empty arrays hold blank lines
        const std::string path = dir.file("push.stats");
        write_file(path, a + "\n\n" + b + "\n\n" + b.substr(0, b.size() / 2));  // last one cut short
        auto source = make_replay_source(path, ReplayOptions{});
        const double before = monotonic_seconds();
        REQUIRE(source->fetch(frame).is_ok());
        CHECK(bytes_of(frame) == a);
        CHECK_FALSE(source->delay_before_next().has_value());
        CHECK(frame.mono_time >= before);
        REQUIRE(source->fetch(frame).is_ok());
        CHECK(bytes_of(frame) == b);
        CHECK(source->exhausted());
    }
    SUBCASE("a single snapshot, JSON or a saved HTTP reply") {
        const std::string json = kFixtures + "/minified-1.json";
        auto source = make_replay_source(json, ReplayOptions{});
        REQUIRE(source->fetch(frame).is_ok());
        CHECK(bytes_of(frame) == read_file(json));
        CHECK(source->exhausted());
        const std::string raw = read_file(kFixtures + "/http-unix-1.http");
        source = make_replay_source(kFixtures + "/http-unix-1.http", ReplayOptions{});
        REQUIRE(source->fetch(frame).is_ok());
        CHECK(bytes_of(frame) == raw.substr(raw.find("\r\n\r\n") + 4));
    }
    SUBCASE("JSON lines with the keys in another order") {
        const std::string path = dir.file("jq.jsonl");
        write_file(path, "{\"address\":\"a\",\"stats\":{\"n\":1},\"t\":5}\n"
                         "{\"stats\" : [1, {\"t\":99}] , \"t\":7.5}\n");
        auto source = make_replay_source(path, ReplayOptions{});
        REQUIRE(source->fetch(frame).is_ok());
        CHECK(bytes_of(frame) == "{\"n\":1}");
        CHECK(frame.wall_time == doctest::Approx(5.0));
        CHECK(*source->delay_before_next() == doctest::Approx(2.5));
        REQUIRE(source->fetch(frame).is_ok());
        CHECK(bytes_of(frame) == "[1, {\"t\":99}] ");  // with the white space after it
        CHECK(frame.wall_time == doctest::Approx(7.5));
    }
    SUBCASE("open errors") {
        Status err;
        auto source = make_replay_source(dir.path + "/missing", ReplayOptions{}, &err);
        CHECK(err.message() == dir.path + "/missing: no such file");
        CHECK(source->exhausted());
        CHECK(source->fetch(frame).message() == err.message());
        const std::string empty = dir.file("empty");
        write_file(empty, "\n  \n");
        make_replay_source(empty, ReplayOptions{}, &err);
        CHECK(err.message().find("no snapshot") != std::string::npos);
        make_replay_source(dir.path, ReplayOptions{}, &err);
        CHECK(err.message() == dir.path + ": is a directory");
    }
}

TEST_CASE("recording::a bad \"b64\" value says what is wrong, once, and the replay goes on") {
    TempDir dir;
    const std::string path = dir.file("b64.jsonl");
    write_file(path, "{\"t\":1,\"address\":\"a\",\"b64\":\"eyJ4IjoxfQ==\"}\n"   // {"x":1}
                     "{\"t\":2,\"address\":\"a\",\"b64\":\"eyJ4!joxfQ==\"}\n"
                     "{\"t\":3,\"address\":\"a\",\"b64\":\"==\"}\n"
                     "{\"t\":4,\"address\":\"a\",\"b64\":\"eyJ4\x7f" "joxfQ==\"}\n"
                     "{\"t\":5,\"address\":\"a\",\"b64\":\"eyJ4I\"}\n"
                     "{\"t\":6,\"address\":\"a\",\"b64\":\"eyJ4IjoyfQ==\"}\n");  // {"x":2}
    auto source = make_replay_source(path, ReplayOptions{});
    Frame frame;
    REQUIRE(source->fetch(frame).is_ok());
    CHECK(bytes_of(frame) == "{\"x\":1}");
    CHECK(source->fetch(frame).message() == path + ": record 2: bad base64 in \"b64\": '!' at offset 4");
    CHECK(source->fetch(frame).message() == path + ": record 3: \"b64\" is empty: no snapshot in this record");
    CHECK(source->fetch(frame).message() == path + ": record 4: bad base64 in \"b64\": 0x7f at offset 4");
    CHECK(source->fetch(frame).message() == path + ": record 5: bad base64 in \"b64\": cut short");
    REQUIRE(source->fetch(frame).is_ok());
    CHECK(bytes_of(frame) == "{\"x\":2}");
    CHECK(frame.wall_time == 6);
}

TEST_CASE("recording::RecordWriter errors") {
    RecordWriter writer;
    Status st = writer.open("/no/such/dir/x");
    CHECK(st.message() == "--record /no/such/dir/x: No such file or directory");
    CHECK_FALSE(writer.is_open());
    CHECK_FALSE(writer.append(make_frame("{}", 1), "a", true).is_ok());
    SUBCASE("a write that fails is reported on append") {
        // A file size limit stands in for a full disk (EFBIG instead of ENOSPC).
        TempDir dir;
        const std::string path = dir.file("full.jsonl");
        REQUIRE(writer.open(path).is_ok());
        rlimit old{};
        REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
        rlimit small = old;
        small.rlim_cur = 16;
        const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
        st = writer.append(make_frame(kCompact, 1), "a", true);
        ::setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, old_handler);
        CHECK(st.message() == "--record " + path + ": File too large");
    }
    SUBCASE("a FIFO, a device or a directory is refused at once, never waited on") {
        TempDir dir;
        const std::string fifo = dir.file("fifo");
        REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
        st = writer.open(fifo);
        CHECK(st.message() == "--record " + fifo + ": not a regular file (a FIFO)");
        CHECK_FALSE(writer.is_open());
        CHECK(writer.open("/dev/full").message() == "--record /dev/full: not a regular file (a device)");
        CHECK(writer.open(dir.path).message() == "--record " + dir.path + ": Is a directory");
    }
    SUBCASE("an address with a quote stays valid JSON") {
        TempDir dir;
        const std::string path = dir.file("q.jsonl");
        REQUIRE(writer.open(path).is_ok());
        REQUIRE(writer.append(make_frame("{}", 2), "a\"b\\c", true).is_ok());
        rapidjson::Document doc;
        doc.Parse(read_file(path).c_str());
        REQUIRE_FALSE(doc.HasParseError());
        CHECK(std::string(doc["address"].GetString()) == "a\"b\\c");
    }
}

}  // TEST_SUITE
