// big_stats_doc.hpp — generated stats documents of a big async uWSGI (W workers x C cores), for tests and the bench.
//
// make_async_stats() writes what uWSGI 2.0.21 writes for `--async C`
// (core/master_utils.c: one key a line, indented with tabs, `"vars":[` and
// `"req_info":` as in tests/fixtures/async.json), W workers of C cores each:
// 4 workers x 1,000 cores are about 1 MB, 16 x 1,000 about 4 MB (the bench's
// real bigasync capture), 64 x 1,000 about 16 MB. Counters come from `seed`
// and grow with `step` (two steps of one seed are two successive reads:
// rates); every 80th core is in a request, with vars and a request_start.
// With `odd` some cores are what the fast core reader must hand back to
// RapidJSON: a var with an escape or a UTF-8 letter, keys in another order,
// a null, a double, an unknown key, a space before a colon, whitespace of
// every kind, and a trailing comma at the end of a list.
#pragma once

#include <cstdint>
#include <string>

namespace uwsgitop::testing {

inline std::string make_async_stats(unsigned workers, unsigned cores, uint64_t seed, unsigned step,
                                    bool odd = false) {
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    const auto rnd = [&x](uint64_t n) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x % n;
    };
    const auto num = [](uint64_t v) { return std::to_string(v); };
    std::string o;
    o.reserve(static_cast<std::size_t>(workers) * cores * 260 + 4096);
    o += "{\n\t\"version\":\"2.0.21-debian\",\n\t\"listen_queue\":0,\n\t\"listen_queue_errors\":0,\n"
         "\t\"signal_queue\":0,\n\t\"load\":" + num(step) + ",\n\t\"pid\":4242,\n\t\"uid\":0,\n\t\"gid\":0,\n"
         "\t\"cwd\":\"/srv/app\",\n\t\"locks\":[\n\t\t{\n\t\t\t\"user 0\":0\n\t\t},\n\t\t{\n\t\t\t\"signal\":0\n\t\t}\n\t],\n"
         "\t\"sockets\":[\n\t\t{\n\t\t\t\"name\":\"127.0.0.1:8080\",\n\t\t\t\"proto\":\"http\",\n\t\t\t\"queue\":0,\n"
         "\t\t\t\"max_queue\":1024,\n\t\t\t\"shared\":0,\n\t\t\t\"can_offload\":0\n\t\t}\n\t],\n\t\"workers\":[";
    uint64_t serial = 0;
    for (unsigned w = 1; w <= workers; ++w) {
        uint64_t wreq = 0;
        std::string cs;
        for (unsigned c = 0; c < cores; ++c, ++serial) {
            const uint64_t base = rnd(1000);
            const uint64_t req = base * (c % 7 == 0 ? 3 : 1) + (c % 3 == 0 ? step * (c % 11) : 0);
            wreq += req;
            const bool busy = serial % 80 == 17;
            const unsigned kind = odd ? static_cast<unsigned>(serial % 97) : 1000;
            cs += c == 0 ? "\n\t\t\t\t{\n" : ",{\n";
            const auto key = [&](const char* k, uint64_t v) {
                cs += "\t\t\t\t\t\"";
                cs += k;
                cs += "\":";
                cs += num(v);
                cs += ",\n";
            };
            if (kind == 5) {  // another order
                key("requests", req);
                key("id", c);
            } else {
                key("id", c);
                key("requests", req);
            }
            key("static_requests", rnd(5));
            if (kind == 9) {
                cs += "\t\t\t\t\t\"routed_requests\":null,\n";
            } else if (kind == 13) {
                cs += "\t\t\t\t\t\"routed_requests\":2.0,\n";
            } else if (kind == 21) {
                cs += "\t\t\t\t\t\"routed_requests\" : 7,\n";
            } else {
                key("routed_requests", rnd(3));
            }
            if (kind == 33) cs += "\t\t\t\t\t\"new_counter\":[1,{\"a\":2}],\n";
            key("offloaded_requests", 0);
            key("write_errors", rnd(2));
            key("read_errors", kind == 40 ? 1234567890123ull : 0);
            key("in_request", busy ? 1 : 0);
            cs += kind == 44 ? "\t \r\t\t\t\"vars\":[" : "\t\t\t\t\t\"vars\":[";
            if (busy || kind == 50 || kind == 51) {
                cs += "\n\t\t\t\t\t\t\"REQUEST_METHOD=GET\",\n\t\t\t\t\t\t\"PATH_INFO=/slow\",\n";
                if (kind == 50) cs += "\t\t\t\t\t\t\"QUOTED=a\\\"b\\\\c\",\n";
                if (kind == 51) cs += "\t\t\t\t\t\t\"NAME=Jos\xC3\xA9\",\n";
                cs += "\t\t\t\t\t\t\"REQUEST_URI=/slow?s=" + num(c) + "\",\n\t\t\t\t\t\t\"SERVER_PROTOCOL=HTTP/1.1\",\n"
                      "\t\t\t\t\t\t\"SCRIPT_NAME=\",\n\t\t\t\t\t\t\"REMOTE_ADDR=127.0.0.1\",\n\t\t\t\t\t\t\"\"";
                cs += kind == 60 ? ",\n" : "\n";
                cs += "\t\t\t\t\t],\n";
            } else {
                cs += "\n\n\t\t\t\t\t],\n";
            }
            cs += "\t\t\t\t\t\"req_info\":\t\t\t\t\t{\n";
            if (busy) cs += "\t\t\t\t\t\t\"request_start\":" + num(1795613700 + c % 50) + "\n";
            cs += "\n\t\t\t\t\t}\n\t\t\t\t}";
        }
        if (odd && w % 3 == 0) cs += ",";  // a trailing comma ends this list
        o += w == 1 ? "\n\t\t{\n" : ",{\n";
        o += "\t\t\t\"id\":" + num(w) + ",\n\t\t\t\"pid\":" + num(5000 + w) + ",\n\t\t\t\"accepting\":1,\n"
             "\t\t\t\"requests\":" + num(wreq) + ",\n\t\t\t\"delta_requests\":" + num(wreq % 100) + ",\n"
             "\t\t\t\"exceptions\":" + num(w * step) + ",\n\t\t\t\"harakiri_count\":0,\n\t\t\t\"signals\":0,\n"
             "\t\t\t\"signal_queue\":0,\n\t\t\t\"status\":\"busy\",\n\t\t\t\"rss\":22671360,\n"
             "\t\t\t\"vsz\":246530048,\n\t\t\t\"running_time\":" + num(65088789 + step * 1000) + ",\n"
             "\t\t\t\"last_spawn\":1795613736,\n\t\t\t\"respawn_count\":1,\n\t\t\t\"tx\":" + num(wreq * 512) + ",\n"
             "\t\t\t\"avg_rt\":94176,\n\t\t\t\"apps\":[\n\t\t\t\t{\n\t\t\t\t\t\"id\":0,\n\t\t\t\t\t\"modifier1\":0,\n"
             "\t\t\t\t\t\"mountpoint\":\"\",\n\t\t\t\t\t\"startup_time\":0,\n\t\t\t\t\t\"requests\":" + num(wreq) + ",\n"
             "\t\t\t\t\t\"exceptions\":0,\n\t\t\t\t\t\"chdir\":\"\"\n\t\t\t\t}\n\t\t\t],\n\t\t\t\"cores\":[";
        o += cs;
        o += "\n\t\t\t]\n\t\t}";
    }
    o += "\n\t]\n}\n";
    return o;
}

}  // namespace uwsgitop::testing
