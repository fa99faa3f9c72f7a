// Tests for source.hpp: the socket, libcurl, file and stdin sources against
// in-test fake servers (fake_stats_server.hpp: loopback TCP on port 0, a unix
// socket in a mkdtemp directory, abstract sockets) that behave like uWSGI.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "../../../src/source/connector.hpp"
#include "fake_stats_server.hpp"
#include "uwsgitop/source/source.hpp"

using namespace uwsgitop;
using namespace uwsgitop::testing;

namespace {

std::unique_ptr<Source> source_for(const std::string& text, FetchLimits limits = {}) {
    Address address;
    const Status st = parse_address(text, address);
    REQUIRE_MESSAGE(st.is_ok(), st.message());
    auto source = make_source(address, limits);
    REQUIRE(source != nullptr);
    CHECK(source->label() == text);
    return source;
}

std::string bytes_of(const Frame& frame) { return std::string(frame.bytes.begin(), frame.bytes.end()); }

Status fetch_once(const std::string& text, Frame& frame, FetchLimits limits = {}) {
    return source_for(text, limits)->fetch(frame);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

const std::string kFixtures = UWSGITOP_TEST_FIXTURES;

std::atomic<int> g_lookups{0};

// A resolver that knows every name as 127.0.0.1 and counts its calls.
int count_lookup_as_loopback(const char*, const char* service, const addrinfo* hints, addrinfo** result) {
    ++g_lookups;
    return ::getaddrinfo("127.0.0.1", service, hints, result);
}

}  // namespace

TEST_CASE("source::socket looks a named host up once, again after a failed connect") {
    const std::string doc = R"({"version":"2.0.21","workers":[]})";
    Frame frame;
    g_lookups = 0;
    std::unique_ptr<Source> source;
    {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Plain, doc, 0}});
        Address address;
        REQUIRE(parse_address("stats.example:" + std::to_string(server.port()), address).is_ok());
        source = detail::make_socket_source_with_lookup(address, FetchLimits{}, count_lookup_as_loopback);
        for (int i = 0; i < 3; ++i) {
            const Status st = source->fetch(frame);
            REQUIRE_MESSAGE(st.is_ok(), st.message());
            CHECK(bytes_of(frame) == doc);
        }
        CHECK(g_lookups == 1);
    }
    // The server is gone: the first failure still uses the kept addresses,
    // and drops them, so the next fetch looks the name up again.
    CHECK_FALSE(source->fetch(frame).is_ok());
    CHECK(g_lookups == 1);
    CHECK_FALSE(source->fetch(frame).is_ok());
    CHECK(g_lookups == 2);
}

TEST_SUITE("source") {

TEST_CASE("source::socket plain stats server") {
    const std::string doc = document(5000);
    SUBCASE("immediate reply, TCP") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Plain, doc, 0}});
        Frame frame;
        const double before = monotonic_seconds();
        const Status st = fetch_once(server.address, frame);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(bytes_of(frame) == doc);
        CHECK(frame.mono_time >= before);
        CHECK(frame.mono_time <= monotonic_seconds());
        CHECK(frame.wall_time > 1.6e9);
    }
    SUBCASE("reply after 250 ms is not a failure (the HTTP probe is harmless)") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Plain, doc, 250}});
        auto source = source_for(server.address);
        Frame frame;
        for (int i = 0; i < 2; ++i) {
            const Status st = source->fetch(frame);
            REQUIRE_MESSAGE(st.is_ok(), st.message());
            CHECK(bytes_of(frame) == doc);
        }
    }
    SUBCASE("large reply, and the buffer is reused") {
        const std::string big = document(3 << 19, 'y');
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Plain, big, 0}});
        auto source = source_for(server.address);
        Frame frame;
        REQUIRE(source->fetch(frame).is_ok());
        CHECK(bytes_of(frame) == big);
        const char* data = frame.bytes.data();
        const std::size_t capacity = frame.bytes.capacity();
        REQUIRE(source->fetch(frame).is_ok());
        CHECK(bytes_of(frame) == big);
        CHECK(frame.bytes.data() == data);
        CHECK(frame.bytes.capacity() == capacity);
    }
    SUBCASE(":PORT is localhost, every resolved address tried") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Plain, doc, 0}});
        Frame frame;
        const Status st = fetch_once(":" + std::to_string(server.port()), frame);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(bytes_of(frame) == doc);
    }
    SUBCASE("IPv6") {
        FakeServer server(FakeServer::Kind::Tcp6, {{Mode::Plain, doc, 0}});
        if (!server.listening()) return;
        Frame frame;
        const Status st = fetch_once(server.address, frame);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(bytes_of(frame) == doc);
    }
    SUBCASE("unix socket") {
        FakeServer server(FakeServer::Kind::Unix, {{Mode::Plain, doc, 0}});
        Frame frame;
        const Status st = fetch_once(server.address, frame);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(bytes_of(frame) == doc);
    }
    SUBCASE("abstract socket bound the uWSGI way (trailing NUL)") {
        FakeServer server(FakeServer::Kind::Abstract, {{Mode::Plain, doc, 0}});
        Frame frame;
        const Status st = fetch_once(server.address, frame);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(bytes_of(frame) == doc);
    }
    SUBCASE("abstract socket bound without the trailing NUL") {
        FakeServer server(FakeServer::Kind::AbstractNoNul, {{Mode::Plain, doc, 0}});
        Frame frame;
        const Status st = fetch_once(server.address, frame);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(bytes_of(frame) == doc);
    }
}

// After a big reply from a plain server the next connection waits for a
// low-water mark of that size (socket.cpp, set_low_water): what is read must
// not change, only when the thread wakes.
TEST_CASE("source::socket after a big plain reply: a smaller one ends at its EOF, a stalled one counts its bytes") {
    const std::string big = document(600 * 1024, 'b');
    FetchLimits limits;
    limits.timeout_seconds = 0.5;
    SUBCASE("a reply smaller than the mark is read at its EOF") {
        const std::string small = document(100 * 1024, 's');
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Plain, big, 0}, {Mode::Plain, small, 0}});
        auto source = source_for(server.address, limits);
        Frame frame;
        REQUIRE(source->fetch(frame).is_ok());
        REQUIRE(bytes_of(frame) == big);
        const Status st = source->fetch(frame);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(bytes_of(frame) == small);
        CHECK(server.connections() == 2);
    }
    SUBCASE("bytes queued below the mark are counted when the server stalls") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Plain, big, 0}, {Mode::HalfThenSilent, big, 0}});
        auto source = source_for(server.address, limits);
        Frame frame;
        REQUIRE(source->fetch(frame).is_ok());
        const Status st = source->fetch(frame);
        REQUIRE_FALSE(st.is_ok());
        CHECK(st.message() == server.address + ": timed out after 0.5s (reading, " + std::to_string(big.size() / 2) +
                                  " bytes so far)");
        CHECK(server.connections() == 2);
    }
    // The server sends half, pauses 600 ms, sends the rest: the frame's time
    // is when the first bytes were read.
    limits.timeout_seconds = 2.0;
    SUBCASE("without a mark the first bytes are read at once; with one, once the mark is reached") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::HalfPauseRest, big, 600}});
        auto source = source_for(server.address, limits);
        Frame frame;
        double t0 = monotonic_seconds();
        REQUIRE(source->fetch(frame).is_ok());  // a new source: no mark
        CHECK(bytes_of(frame) == big);
        CHECK(frame.mono_time - t0 < 0.3);
        t0 = monotonic_seconds();
        REQUIRE(source->fetch(frame).is_ok());  // after 600 KiB: a mark of 600 KiB
        CHECK(bytes_of(frame) == big);
        CHECK(frame.mono_time - t0 >= 0.55);
    }
    SUBCASE("a read that times out with the mark turns it off") {
        limits.timeout_seconds = 1.0;
        FakeServer server(FakeServer::Kind::Tcp,
                          {{Mode::Plain, big, 0}, {Mode::HalfThenSilent, big, 0}, {Mode::HalfPauseRest, big, 600}});
        auto source = source_for(server.address, limits);
        Frame frame;
        REQUIRE(source->fetch(frame).is_ok());
        REQUIRE_FALSE(source->fetch(frame).is_ok());
        const double t0 = monotonic_seconds();
        const Status st = source->fetch(frame);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(bytes_of(frame) == big);
        CHECK(frame.mono_time - t0 < 0.3);  // read as it came
        CHECK(server.connections() == 3);
    }
}

TEST_CASE("source::socket stats-http detection") {
    const std::string doc = document(3000);
    SUBCASE("a server that waits for a request is asked over HTTP") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Http, http_reply("200 OK", doc), 0}});
        Frame frame;
        const Status st = fetch_once(server.address, frame);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(bytes_of(frame) == doc);
        REQUIRE(server.requests().size() == 1);
        CHECK(server.requests()[0].rfind("GET / HTTP/1.0\r\n", 0) == 0);
    }
    SUBCASE("once known as HTTP, the request is sent before anything arrives") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Http, http_reply("200 OK", doc), 0},
                                                  {Mode::PlainThenRead, http_reply("200 OK", doc), 0}});
        auto source = source_for(server.address);
        Frame frame;
        REQUIRE(source->fetch(frame).is_ok());
        const Status st = source->fetch(frame);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(bytes_of(frame) == doc);
        const auto requests = server.requests();
        REQUIRE(requests.size() == 2);
        CHECK(requests[1].rfind("GET / HTTP/1.0\r\n", 0) == 0);
    }
    SUBCASE("a plain reply cut by the probe is read again without it") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::ResetOnRequest, doc, 2000},
                                                  {Mode::ResetOnRequest, doc, 250}});
        auto source = source_for(server.address);
        Frame frame;
        for (int i = 0; i < 2; ++i) {
            const Status st = source->fetch(frame);
            REQUIRE_MESSAGE(st.is_ok(), st.message());
            CHECK(bytes_of(frame) == doc);
        }
        // 1st fetch: probed, reset, reconnected silently; 2nd: nothing sent.
        CHECK(server.requests() == std::vector<std::string>{"request", "", ""});
    }
    SUBCASE("a plain server that falls silent is probed again next time") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Plain, doc, 0}, {Mode::Silent, "", 0},
                                                  {Mode::Http, http_reply("200 OK", doc), 0}});
        FetchLimits limits;
        limits.timeout_seconds = 0.5;
        auto source = source_for(server.address, limits);
        Frame frame;
        REQUIRE(source->fetch(frame).is_ok());
        CHECK(source->fetch(frame).message() == server.address + ": timed out after 0.5s (no reply)");
        const Status st = source->fetch(frame);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(bytes_of(frame) == doc);
    }
    SUBCASE("unix socket and explicit unix-http: address") {
        FakeServer server(FakeServer::Kind::Unix, {{Mode::Http, http_reply("200 OK", doc), 0}});
        Frame frame;
        Status st = fetch_once(server.address, frame);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(bytes_of(frame) == doc);
        st = fetch_once("unix-http:" + server.address, frame);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(bytes_of(frame) == doc);
        st = fetch_once("http+unix://" + server.address, frame);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(bytes_of(frame) == doc);
    }
    SUBCASE("unix-http:@name") {
        FakeServer server(FakeServer::Kind::Abstract, {{Mode::Http, http_reply("200 OK", doc), 0}});
        Frame frame;
        const Status st = fetch_once("unix-http:" + server.address, frame);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(bytes_of(frame) == doc);
    }
    SUBCASE("HTTP 404 is an error with the status") {
        FakeServer server(FakeServer::Kind::Unix, {{Mode::Http, http_reply("404 Not Found", "nope"), 0}});
        Frame frame;
        const Status st = fetch_once("unix-http:" + server.address, frame);
        CHECK(st.message() == "unix-http:" + server.address + ": HTTP 404 Not Found");
    }
    SUBCASE("the reason phrase is escaped") {
        FakeServer server(FakeServer::Kind::Unix, {{Mode::Http, http_reply("500 Bad\x1b[2J", ""), 0}});
        Frame frame;
        const Status st = fetch_once("unix-http:" + server.address, frame);
        CHECK(st.message().find("HTTP 500 Bad\\x1b[2J") != std::string::npos);
        CHECK(st.message().find('\x1b') == std::string::npos);
    }
    SUBCASE("chunked transfer encoding") {
        const std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    "a\r\n{\"version\"\r\n"
                                    "3;ext=1\r\n:\"2\r\n"
                                    "2\r\n\"}\r\n"
                                    "0\r\n\r\n";
        FakeServer server(FakeServer::Kind::Unix, {{Mode::Http, chunked, 0}});
        Frame frame;
        const Status st = fetch_once("unix-http:" + server.address, frame);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(bytes_of(frame) == "{\"version\":\"2\"}");
    }
    SUBCASE("chunked reply without the last chunk") {
        FakeServer server(FakeServer::Kind::Unix,
                          {{Mode::Http, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n", 0}});
        Frame frame;
        CHECK(fetch_once("unix-http:" + server.address, frame).message().find("chunked reply cut short") != std::string::npos);
    }
    SUBCASE("Content-Length longer than the body") {
        FakeServer server(FakeServer::Kind::Unix,
                          {{Mode::Http, http_reply("200 OK", "{\"a\":1}", "Content-Length: 100\r\n"), 0}});
        Frame frame;
        CHECK(fetch_once("unix-http:" + server.address, frame).message().find("cut short (7 of 100 bytes)") != std::string::npos);
    }
}

TEST_CASE("source::socket failures name the address and the cause") {
    Frame frame;
    SUBCASE("connection refused") {
        std::string address;
        {
            FakeServer server(FakeServer::Kind::Tcp, {{Mode::Close, "", 0}});
            address = server.address;
        }  // the port is closed now
        CHECK(fetch_once(address, frame).message() == address + ": connection refused");
    }
    SUBCASE("silence until the timeout") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Silent, "", 0}});
        FetchLimits limits;
        limits.timeout_seconds = 0.5;
        const auto start = std::chrono::steady_clock::now();
        const Status st = fetch_once(server.address, frame, limits);
        CHECK(st.message() == server.address + ": timed out after 0.5s (no reply)");
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
    }
    SUBCASE("truncated reply") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Plain, "{\"version\":\"2.0.21\",\"workers\":[", 0}});
        CHECK(fetch_once(server.address, frame).message() == server.address + ": reply cut short after 31 bytes");
    }
    SUBCASE("empty reply") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Close, "", 0}});
        CHECK(fetch_once(server.address, frame).message() == server.address + ": empty reply");
    }
    SUBCASE("connection reset") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Rst, "", 0}});
        CHECK(fetch_once(server.address, frame).message() == server.address + ": connection reset");
    }
    SUBCASE("size cap") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Plain, document(5000), 0}, {Mode::Plain, document(3 << 20), 0}});
        FetchLimits limits;
        limits.max_bytes = 1000;
        CHECK(fetch_once(server.address, frame, limits).message() == server.address + ": reply larger than 1000 bytes");
        limits.max_bytes = 1 << 20;
        CHECK(fetch_once(server.address, frame, limits).message() == server.address + ": reply larger than 1 MiB");
    }
    SUBCASE("size cap on an HTTP body") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Http, http_reply("200 OK", document(5000)), 0}});
        FetchLimits limits;
        limits.max_bytes = 1000;
        CHECK(fetch_once(server.address, frame, limits).message() == server.address + ": reply larger than 1000 bytes");
    }
    SUBCASE("unix socket problems") {
        char tmpl[] = "/tmp/uwsgitop-test-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        const std::string dir = tmpl;
        CHECK(fetch_once(dir + "/missing.sock", frame).message() == dir + "/missing.sock: no such socket");
        const std::string file = dir + "/plain-file";
        { std::ofstream(file) << "x"; }
        CHECK(fetch_once(file, frame).message() == file + ": not a socket");
        ::unlink(file.c_str());
        ::rmdir(dir.c_str());
        CHECK(fetch_once("@uwsgitop-test-nobody-here", frame).message() ==
              "@uwsgitop-test-nobody-here: no such abstract socket (connection refused)");
    }
    SUBCASE("permission denied") {
        if (::geteuid() == 0) return;  // root is never denied
        FakeServer server(FakeServer::Kind::Unix, {{Mode::Plain, "{}", 0}});
        REQUIRE(::chmod(server.address.c_str(), 0) == 0);
        CHECK(fetch_once(server.address, frame).message() == server.address + ": permission denied");
    }
    SUBCASE("unknown host") {
        const Status st = fetch_once("no-such-host.invalid:9191", frame);
        CHECK(st.message().rfind("no-such-host.invalid:9191: cannot resolve host", 0) == 0);
    }
}

TEST_CASE("source::curl http:// through libcurl") {
    const std::string doc = document(2000);
    Frame frame;
    SUBCASE("200 with a body, one handle reused") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::HttpFull, http_reply("200 OK", doc), 0}});
        const std::string url = "http://" + server.address + "/";
        auto source = source_for(url);
        for (int i = 0; i < 2; ++i) {
            const Status st = source->fetch(frame);
            REQUIRE_MESSAGE(st.is_ok(), st.message());
            CHECK(bytes_of(frame) == doc);
        }
        const auto requests = server.requests();
        REQUIRE(requests.size() == 2);
        CHECK(requests[0].rfind("GET / HTTP/1.1\r\n", 0) == 0);
        CHECK(requests[0].find("gzip") != std::string::npos);  // Accept-Encoding
        CHECK(frame.wall_time > 1.6e9);
    }
    SUBCASE("404 is an error with the status") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::HttpFull, http_reply("404 Not Found", "x"), 0}});
        const std::string url = "http://" + server.address + "/";
        CHECK(fetch_once(url, frame).message() == url + ": HTTP 404 Not Found");
    }
    SUBCASE("gzip body is decoded") {
        const unsigned char gz[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xab, 0x56, 0x2a, 0x4b,
                                    0x2d, 0x2a, 0xce, 0xcc, 0xcf, 0x53, 0xb2, 0x52, 0x4a, 0xaf, 0xca, 0x2c, 0x28, 0x48,
                                    0x4d, 0x51, 0xaa, 0x05, 0x00, 0x5f, 0xd8, 0x09, 0x0b, 0x15, 0x00, 0x00, 0x00};
        const std::string body(reinterpret_cast<const char*>(gz), sizeof gz);
        FakeServer server(FakeServer::Kind::Tcp,
                          {{Mode::HttpFull, http_reply("200 OK", body, "Content-Encoding: gzip\r\n"), 0}});
        const Status st = fetch_once("http://" + server.address + "/", frame);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(bytes_of(frame) == "{\"version\":\"gzipped\"}");
    }
    SUBCASE("redirects are followed, but not more than 3") {
        const std::string moved = http_reply("302 Found", "", "Location: http://127.0.0.1:{PORT}/next\r\n");
        FakeServer once(FakeServer::Kind::Tcp, {{Mode::HttpFull, moved, 0}, {Mode::HttpFull, http_reply("200 OK", doc), 0}});
        const Status st = fetch_once("http://" + once.address + "/", frame);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(bytes_of(frame) == doc);
        FakeServer loop(FakeServer::Kind::Tcp, {{Mode::HttpFull, moved, 0}});
        const std::string url = "http://" + loop.address + "/";
        CHECK(fetch_once(url, frame).message() == url + ": too many redirects (more than 3)");
    }
    SUBCASE("size cap, refused, timeout") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::HttpFull, http_reply("200 OK", doc), 0}});
        FetchLimits limits;
        limits.max_bytes = 100;
        const std::string url = "http://" + server.address + "/";
        CHECK(fetch_once(url, frame, limits).message() == url + ": reply larger than 100 bytes");

        FakeServer silent(FakeServer::Kind::Tcp, {{Mode::Silent, "", 0}});
        limits.timeout_seconds = 0.5;
        const std::string slow = "http://" + silent.address + "/";
        CHECK(fetch_once(slow, frame, limits).message() == slow + ": timed out after 0.5s");

        std::string closed;
        {
            FakeServer gone(FakeServer::Kind::Tcp, {{Mode::Close, "", 0}});
            closed = "http://" + gone.address + "/";
        }
        CHECK(fetch_once(closed, frame).message() == closed + ": connection refused");
    }
}

TEST_CASE("source::file snapshots") {
    Frame frame;
    SUBCASE("a .json fixture is read whole, every fetch") {
        const std::string path = kFixtures + "/prefork-1.json";
        auto source = source_for("file:" + path);
        for (int i = 0; i < 2; ++i) {
            const Status st = source->fetch(frame);
            REQUIRE_MESSAGE(st.is_ok(), st.message());
            CHECK(bytes_of(frame) == read_file(path));
            CHECK_FALSE(source->exhausted());
        }
    }
    SUBCASE("a saved --stats-http reply has its headers stripped") {
        const std::string raw = read_file(kFixtures + "/http-1.http");
        const std::size_t body = raw.find("\r\n\r\n");
        REQUIRE(body != std::string::npos);
        REQUIRE(fetch_once("file:" + kFixtures + "/http-1.http", frame).is_ok());
        CHECK(bytes_of(frame) == raw.substr(body + 4));
    }
    SUBCASE("errors") {
        CHECK(fetch_once("file:/no/such/file.json", frame).message() == "file:/no/such/file.json: no such file");
        CHECK(fetch_once("file:" + kFixtures, frame).message() == "file:" + kFixtures + ": is a directory");
        FetchLimits limits;
        limits.max_bytes = 100;
        const std::string text = "file:" + kFixtures + "/prefork-1.json";
        CHECK(fetch_once(text, frame, limits).message() == text + ": larger than 100 bytes");
        CHECK(fetch_once("file:/dev/null", frame).message() == "file:/dev/null: empty");
    }
}

TEST_CASE("source::stdin reads once, then is exhausted") {
    const std::string path = kFixtures + "/unix-1.json";
    const int saved = ::dup(STDIN_FILENO);
    const int in = ::open(path.c_str(), O_RDONLY);
    REQUIRE(saved >= 0);
    REQUIRE(in >= 0);
    REQUIRE(::dup2(in, STDIN_FILENO) == STDIN_FILENO);
    ::close(in);
    auto source = source_for("-");
    Frame frame;
    CHECK_FALSE(source->exhausted());
    const Status first = source->fetch(frame);
    const std::string got = bytes_of(frame);
    const Status second = source->fetch(frame);
    ::dup2(saved, STDIN_FILENO);
    ::close(saved);
    REQUIRE_MESSAGE(first.is_ok(), first.message());
    CHECK(got == read_file(path));
    CHECK(source->exhausted());
    CHECK(second.message() == "standard input: end of input");
}

TEST_CASE("source::make_source never connects") {
    // Nothing listens at these; building the sources must still succeed.
    for (const char* text : {"127.0.0.1:1", "/nonexistent.sock", "@nobody", "http://127.0.0.1:1/",
                             "unix-http:/nonexistent.sock", "file:/nonexistent", "-"}) {
        auto source = source_for(text);
        CHECK_FALSE(source->exhausted());
        CHECK_FALSE(source->delay_before_next().has_value());
    }
}

}  // TEST_SUITE

namespace {

// A unix stats server in a child of this test that answers `doc` once: when
// `orphaned`, the child that listened forks the one that answers and exits
// first (the socket outlives the process that listened). Returns the pid
// that listened; `path` is the socket.
pid_t serve_once_unix(const std::string& path, const std::string& doc, bool orphaned) {
    int ready[2];
    REQUIRE(pipe2(ready, O_CLOEXEC) == 0);
    const pid_t listener = fork();
    REQUIRE(listener >= 0);
    if (listener == 0) {
        ::alarm(10);  // never outlives the test for long
        const int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un sun{};
        sun.sun_family = AF_UNIX;
        std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
        if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0 || ::listen(s, 4) != 0) ::_exit(1);
        if (orphaned && ::fork() != 0) ::_exit(0);  // the listener leaves; its child keeps the socket
        const char byte = 1;
        if (::write(ready[1], &byte, 1) != 1) ::_exit(1);
        const int c = ::accept(s, nullptr, nullptr);
        if (c >= 0 && ::write(c, doc.data(), doc.size()) < 0) ::_exit(1);
        // The reply ends here; stay alive until the client has read it and
        // closed, so the client sees a running listener (not a race).
        if (c >= 0) ::shutdown(c, SHUT_WR);
        char rest = 0;
        while (c >= 0 && ::read(c, &rest, 1) > 0) {
        }
        ::_exit(0);
    }
    ::close(ready[1]);
    char byte = 0;
    CHECK(::read(ready[0], &byte, 1) == 1);
    ::close(ready[0]);
    return listener;
}

}  // namespace

TEST_CASE("source::socket records who answered: a unix peer's pid and start time, or that the listener is gone") {
    char tmpl[] = "/tmp/uwsgitop-peer-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    const std::string path = std::string(tmpl) + "/s.sock";
    const std::string doc = "{\"version\":\"2.0.21\",\"pid\":1,\"workers\":[]}";
    SUBCASE("the listener answers") {
        const pid_t listener = serve_once_unix(path, doc, false);
        Frame frame;
        REQUIRE(fetch_once(path, frame).is_ok());
        CHECK(frame.peer.kind == uwsgitop::Peer::Kind::Unix);
        CHECK(frame.peer.pid == listener);
        CHECK_FALSE(frame.peer.listener_exited);
        std::ifstream stat("/proc/" + std::to_string(listener) + "/stat");
        std::string line;
        std::getline(stat, line);
        CHECK(frame.peer.start_time != 0);
        CHECK(line.find(" " + std::to_string(frame.peer.start_time) + " ") != std::string::npos);
        int status = 0;
        waitpid(listener, &status, 0);
    }
    SUBCASE("the listener exited before we connected: its pid proves nothing") {
        const pid_t listener = serve_once_unix(path, doc, true);
        int status = 0;
        REQUIRE(waitpid(listener, &status, 0) == listener);  // gone (its child answers)
        Frame frame;
        REQUIRE(fetch_once(path, frame).is_ok());
        CHECK(frame.peer.pid == listener);
        CHECK(frame.peer.listener_exited);
        CHECK(frame.peer.start_time == 0);
    }
    SUBCASE("TCP: the address and port the socket reached") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Plain, doc, 0}});
        Frame frame;
        REQUIRE(fetch_once(server.address, frame).is_ok());
        CHECK(frame.peer.kind == uwsgitop::Peer::Kind::Tcp);
        CHECK_FALSE(frame.peer.v6);
        CHECK(frame.peer.port == server.port());
        CHECK(frame.peer.addr[0] == 127);
    }
    ::unlink(path.c_str());
    ::rmdir(tmpl);
}
