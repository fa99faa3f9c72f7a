// record_line.cpp — one recording line read: the fast scan of our own layout, else a SAX pass.
#include "record_line.hpp"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string_view>

#include <rapidjson/memorystream.h>

namespace uwsgitop::detail {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// SAX handler noting the top-level "t", the byte range of "stats" and the
// text of "b64". `stream->Tell()` is the offset just after the last token.
class LineHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, LineHandler> {
public:
    LineHandler(const char* data, const rapidjson::MemoryStream* stream, RecordLine* out)
        : data_(data), stream_(stream), out_(out) {}

    bool Default() { return scalar(); }
    bool Int(int v) { return number(v); }
    bool Uint(unsigned v) { return number(v); }
    bool Int64(int64_t v) { return number(static_cast<double>(v)); }
    bool Uint64(uint64_t v) { return number(static_cast<double>(v)); }
    bool Double(double v) { return number(v); }
    bool String(const char* s, rapidjson::SizeType len, bool) {
        if (depth_ == 1 && key_ == Field::B64) {
            out_->b64.assign(s, len);
            out_->has_b64 = true;
        }
        return scalar();
    }
    bool Key(const char* s, rapidjson::SizeType len, bool) {
        if (depth_ == 1) {
            const std::string_view k(s, len);
            key_ = k == "t" ? Field::T : k == "stats" ? Field::Stats : k == "b64" ? Field::B64 : Field::Other;
            key_end_ = stream_->Tell();
        }
        return true;
    }
    bool StartObject() { return open(); }
    bool StartArray() { return open(); }
    bool EndObject(rapidjson::SizeType) { return close(); }
    bool EndArray(rapidjson::SizeType) { return close(); }

private:
    enum class Field { Other, T, Stats, B64 };

    bool open() {
        ++depth_;
        return true;
    }
    bool close() {
        --depth_;
        if (depth_ == 1) value_done();
        return true;
    }
    bool number(double v) {
        if (depth_ == 1 && key_ == Field::T) out_->t = v;
        return scalar();
    }
    bool scalar() {
        if (depth_ == 0) return false;  // a record is an object
        if (depth_ == 1) value_done();
        return true;
    }
    void value_done() {
        if (key_ == Field::Stats) {
            std::size_t b = key_end_;
            while (is_space(data_[b]) || data_[b] == ':') ++b;
            out_->has_stats = true;
            out_->stats_begin = b;
            out_->stats_end = stream_->Tell();
        }
        key_ = Field::Other;
    }

    const char* data_;
    const rapidjson::MemoryStream* stream_;
    RecordLine* out_;
    int depth_ = 0;
    Field key_ = Field::Other;
    std::size_t key_end_ = 0;
};

// Parses one line; true if it is a whole object with "stats" or "b64".
bool parse_line(rapidjson::Reader& reader, const char* data, std::size_t size, RecordLine& out) {
    out = RecordLine{};
    rapidjson::MemoryStream stream(data, size);
    LineHandler handler(data, &stream, &out);
    const rapidjson::ParseResult ok = reader.Parse<rapidjson::kParseDefaultFlags>(stream, handler);
    return !ok.IsError() && (out.has_stats || out.has_b64);
}

// True if `p` holds one JSON object or array, balanced, then only white
// space. Only the structure is checked (strings skipped with their escapes):
// enough to tell a whole recorded document from one cut short.
bool balanced(const char* p, std::size_t n) {
    std::size_t i = 0;
    while (i < n && is_space(p[i])) ++i;
    if (i == n || (p[i] != '{' && p[i] != '[')) return false;
    long depth = 0;
    for (; i < n; ++i) {
        const char c = p[i];
        if (c == '"') {
            for (++i; i < n && p[i] != '"'; ++i) {
                if (p[i] == '\\') ++i;
            }
            if (i >= n) return false;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            ++i;
            break;
        }
    }
    if (depth != 0) return false;
    while (i < n && is_space(p[i])) ++i;
    return i == n;
}

// Our writer's exact layout, {"t":NUM,"address":"...","stats":DOC} or with
// "b64":"..." in place of "stats", read without a full JSON parse (a 4 MB
// line costs a structure scan instead of a SAX pass). False for anything
// else; parse_line() then decides.
bool fast_line(const char* d, std::size_t n, RecordLine& out) {
    out = RecordLine{};
    std::size_t i = 0;
    while (i < n && is_space(d[i])) ++i;
    auto expect = [&](std::string_view s) {
        if (n - i < s.size() || std::memcmp(d + i, s.data(), s.size()) != 0) return false;
        i += s.size();
        return true;
    };
    if (!expect("{\"t\":")) return false;
    double t = kNaN;
    const auto res = std::from_chars(d + i, d + n, t);
    if (res.ec != std::errc()) return false;
    i = static_cast<std::size_t>(res.ptr - d);
    if (!expect(",\"address\":\"")) return false;
    for (;; ++i) {
        if (i >= n || static_cast<unsigned char>(d[i]) < 0x20) return false;
        if (d[i] == '"') break;
        if (d[i] == '\\') ++i;
    }
    ++i;
    std::size_t e = n;
    while (e > i && is_space(d[e - 1])) --e;
    if (e == i || d[e - 1] != '}') return false;
    --e;  // the record's own closing brace
    if (expect(",\"stats\":")) {
        if (i > e || !balanced(d + i, e - i)) return false;
        out.has_stats = true;
        out.stats_begin = i;
        out.stats_end = e;
    } else if (expect(",\"b64\":\"")) {
        if (i >= e || d[e - 1] != '"') return false;
        out.b64.assign(d + i, e - 1 - i);
        out.has_b64 = true;
    } else {
        return false;
    }
    out.t = t;
    return true;
}

}  // namespace

// A record line: the fast layout, else a SAX parse.
bool RecordLineReader::read(const char* data, std::size_t size, RecordLine& out) {
    return fast_line(data, size, out) || parse_line(reader_, data, size, out);
}

double leading_record_time(const char* p, std::size_t n) {
    std::size_t i = 0;
    while (i < n && is_space(p[i])) ++i;
    const std::string_view head(p + i, n - i);
    if (head.substr(0, 5) != "{\"t\":") return kNaN;
    double t = kNaN;
    const auto res = std::from_chars(head.data() + 5, head.data() + head.size(), t);
    if (res.ec != std::errc() || res.ptr == head.data() + head.size()) return kNaN;
    if (*res.ptr != ',' && *res.ptr != '}' && !is_space(*res.ptr)) return kNaN;
    return t;
}

}  // namespace uwsgitop::detail
