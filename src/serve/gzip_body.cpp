// gzip_body.cpp — Accept-Encoding and gzip with zlib (see gzip_body.hpp).
#include "uwsgitop/serve/gzip_body.hpp"

#include <zlib.h>

#include <charconv>
#include <limits>

namespace uwsgitop {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool same_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

// The q value of one "coding;q=V" entry: 1 without one, -1 when malformed.
double q_of(std::string_view params) {
    double q = 1;
    while (!params.empty()) {
        const std::size_t semi = params.find(';');
        std::string_view p = trim(params.substr(0, semi));
        params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
        if (p.size() < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=') continue;
        p.remove_prefix(2);
        const auto res = std::from_chars(p.data(), p.data() + p.size(), q);
        if (res.ec != std::errc() || res.ptr != p.data() + p.size() || q < 0 || q > 1) return -1;
    }
    return q;
}

}  // namespace

bool accepts_gzip(std::string_view header) {
    double named = -1, any = -1;
    while (!header.empty()) {
        const std::size_t comma = header.find(',');
        const std::string_view entry = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
        const std::size_t semi = entry.find(';');
        const std::string_view name = trim(entry.substr(0, semi));
        const double q = q_of(semi == std::string_view::npos ? std::string_view() : entry.substr(semi + 1));
        if (same_name(name, "gzip") || same_name(name, "x-gzip")) named = q;
        if (name == "*") any = q;
    }
    return named >= 0 ? named > 0 : any > 0;
}

std::string gzip(std::string_view text) {
    if (text.size() > std::numeric_limits<uInt>::max() / 2) return {};
    z_stream z{};
    if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
    std::string out(deflateBound(&z, static_cast<uLong>(text.size())), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) return {};
    return out;
}

}  // namespace uwsgitop
