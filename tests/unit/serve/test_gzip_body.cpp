// test_gzip_body.cpp — Accept-Encoding, gzip members, and gzip-coded answers
// from the server that decompress to the plain ones.
#include <doctest/doctest.h>

#include <zlib.h>

#include <thread>

#include "../fake_stats_server.hpp"
#include "http_test_client.hpp"
#include "serve_test_support.hpp"
#include "uwsgitop/serve/gzip_body.hpp"

using namespace uwsgitop;
using namespace uwsgitop::testing;

namespace {

std::string gunzip(const std::string& in) {
    z_stream z{};
    REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
    std::string out;
    char buf[65536];
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        rc = inflate(&z, Z_NO_FLUSH);
        out.append(buf, sizeof buf - z.avail_out);
    }
    inflateEnd(&z);
    CHECK(rc == Z_STREAM_END);
    return out;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("accepts_gzip: codings, q values, wildcards, case and junk") {
    CHECK(accepts_gzip("gzip"));
    CHECK(accepts_gzip("gzip, deflate, br"));
    CHECK(accepts_gzip("deflate ,  GZip ;q=0.5"));
    CHECK(accepts_gzip("x-gzip"));
    CHECK(accepts_gzip("*"));
    CHECK(accepts_gzip("identity;q=1, *;q=0.1"));
    CHECK_FALSE(accepts_gzip(""));
    CHECK_FALSE(accepts_gzip("identity"));
    CHECK_FALSE(accepts_gzip("deflate, br"));
    CHECK_FALSE(accepts_gzip("gzip;q=0"));
    CHECK_FALSE(accepts_gzip("gzip;q=0.000"));
    CHECK_FALSE(accepts_gzip("gzip;q=0, *"));   // the named entry decides over *
    CHECK_FALSE(accepts_gzip("*;q=0"));
    CHECK_FALSE(accepts_gzip("gzip;q=abc"));
    CHECK_FALSE(accepts_gzip("gzip;q=2"));
    CHECK_FALSE(accepts_gzip("gzipx"));
    CHECK_FALSE(accepts_gzip(",,,;;;="));
}

TEST_CASE("gzip(): one member that inflates to the text, empty and large") {
    CHECK(gunzip(gzip("")).empty());
    std::string big;
    for (int i = 0; i < 200000; ++i) big += "uwsgi_worker_requests_total{instance=\"web\",worker=\"" + std::to_string(i) + "\"} 7\n";
    const std::string z = gzip(big);
    CHECK(z.size() < big.size() / 4);
    CHECK(static_cast<unsigned char>(z[0]) == 0x1f);
    CHECK(static_cast<unsigned char>(z[1]) == 0x8b);
    CHECK(gunzip(z) == big);
}

TEST_CASE("the server gzips /metrics and /probe when asked, the same poll's answer as the plain one") {
    FakeServer target(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 300}});
    ServeOptions o = options_for();
    Running s(fleet_of({{"web", target.address}}), o);

    // Two scrapes of one poll (the target takes 300 ms): one plain, one gzip.
    HttpReply plain, coded;
    std::thread a([&] { plain = get(s.port(), "/metrics"); });
    std::thread b([&] { coded = get(s.port(), "/metrics", "Accept-Encoding: gzip, deflate\r\n"); });
    a.join();
    b.join();
    REQUIRE(target.connections() == 1);
    CHECK(plain.status == 200);
    CHECK(coded.status == 200);
    CHECK_FALSE(has(plain.headers, "Content-Encoding"));
    CHECK(has(coded.headers, "Content-Encoding: gzip"));
    CHECK(has(coded.headers, "Vary: Accept-Encoding"));
    CHECK(coded.body.size() < plain.body.size() / 2);
    CHECK(gunzip(coded.body) == plain.body);

    const HttpReply om = get(s.port(), "/metrics",
                             "Accept: application/openmetrics-text; version=1.0.0\r\nAccept-Encoding: gzip\r\n");
    CHECK(has(om.headers, "application/openmetrics-text"));
    CHECK(has(gunzip(om.body), "# EOF\n"));

    CHECK_FALSE(has(get(s.port(), "/metrics", "Accept-Encoding: gzip;q=0\r\n").headers, "Content-Encoding"));
    const HttpReply head = request(s.port(), "HEAD", "/metrics", "Accept-Encoding: gzip\r\n");
    CHECK(has(head.headers, "Content-Encoding: gzip"));
    CHECK(head.body.empty());

    const HttpReply probe = get(s.port(), "/probe?target=" + target.address, "Accept-Encoding: gzip\r\n");
    CHECK(probe.status == 200);
    CHECK(has(probe.headers, "Content-Encoding: gzip"));
    CHECK(has(gunzip(probe.body), "uwsgi_up{instance=\"" + target.address + "\""));
}
