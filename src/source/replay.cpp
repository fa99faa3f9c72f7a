// source_replay.cpp — playing back a recording.
//
// Three shapes are recognised from the content:
//   * our JSON lines (recording.hpp): the first line starts with {"t": or is
//     an object with "t" and "stats"/"b64". One record per complete line;
//     an incomplete last line (and any line that does not parse) is skipped.
//   * uWSGI --stats-push file: whole documents one after another (a '}' then
//     white space with a newline then '{' separates them). No timestamps:
//     pacing is left to the caller and frames get the playback clocks.
//   * one plain snapshot (JSON, or a saved HTTP response): one record.
// The file is indexed once (offset, length and time of each record) and
// records are read lazily with pread into the frame's buffer, so big
// recordings are never held in memory. The "stats" value is located with a
// RapidJSON SAX pass (no DOM) and moved to the front of the buffer.
// Frame clocks are the recorded `t`; mono_time is shifted forward whenever it
// would not increase (looping, or a recording that goes back in time), so
// rates never see time run backwards.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <limits>

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "base64.hpp"
#include "connector.hpp"

namespace uwsgitop {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kChunk = 1 << 20;
constexpr std::size_t kHead = 64;

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// What one JSON line holds.
struct LineFields {
    double t = kNaN;
    bool has_stats = false;
    std::size_t stats_begin = 0;
    std::size_t stats_end = 0;
    bool has_b64 = false;
    std::string b64;
};

// SAX handler noting the top-level "t", the byte range of "stats" and the
// text of "b64". `stream->Tell()` is the offset just after the last token.
class LineHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, LineHandler> {
public:
    LineHandler(const char* data, const rapidjson::MemoryStream* stream, LineFields* out)
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
    LineFields* out_;
    int depth_ = 0;
    Field key_ = Field::Other;
    std::size_t key_end_ = 0;
};

// Parses one line; true if it is a whole object with "stats" or "b64".
bool parse_line(rapidjson::Reader& reader, const char* data, std::size_t size, LineFields& out) {
    out = LineFields{};
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
bool fast_line(const char* d, std::size_t n, LineFields& out) {
    out = LineFields{};
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

// A record line: the fast layout, else a SAX parse.
bool read_fields(rapidjson::Reader& reader, const char* data, std::size_t size, LineFields& out) {
    return fast_line(data, size, out) || parse_line(reader, data, size, out);
}

// `{"t":NUMBER,` at the start of a line (our writer's order): the number, or
// NaN when the line does not start that way.
double quick_t(const char* p, std::size_t n) {
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

struct Record {
    uint64_t offset = 0;
    uint64_t length = 0;
    double t = kNaN;
};

enum class Format { Lines, Documents, Http };

class ReplaySource final : public Source {
public:
    ReplaySource(std::string path, const ReplayOptions& options) : path_(std::move(path)), options_(options) {
        if (!(options_.speed > 0) || !std::isfinite(options_.speed)) options_.speed = 1.0;
        error_ = open_and_index();
    }

    ~ReplaySource() override {
        if (fd_ >= 0) ::close(fd_);
    }

    Status open_status() const { return error_; }

    const std::string& label() const override { return path_; }

    bool exhausted() const override {
        return !error_.is_ok() || (!options_.loop && next_ >= records_.size());
    }

    std::optional<double> delay_before_next() const override {
        if (format_ != Format::Lines) return std::nullopt;
        if (!fetched_any_) return 0.0;
        double d = 0;
        if (current_ + 1 < records_.size()) {
            d = records_[current_ + 1].t - records_[current_].t;
        } else if (options_.loop) {
            d = interval_;
        }
        if (!std::isfinite(d) || d < 0) d = 0;
        d /= options_.speed;
        return d > 60 ? 60.0 : d;
    }

    Status fetch(Frame& frame) override {
        frame.bytes.clear();
        if (!error_) return error_;
        for (std::size_t tries = 0; tries < records_.size(); ++tries) {
            if (next_ >= records_.size()) {
                if (!options_.loop) break;
                next_ = 0;
            }
            const std::size_t i = next_++;
            Status st = load(records_[i], frame);
            if (!st) {
                if (format_ == Format::Lines) continue;  // an unreadable line is skipped
                return st;
            }
            current_ = i;
            stamp(records_[i], frame);
            fetched_any_ = true;
            return Status::ok();
        }
        frame.bytes.clear();
        return Status::fail(path_ + ": end of recording");
    }

private:
    Status fail(const std::string& cause) const { return Status::fail(path_ + ": " + cause); }

    Status open_and_index() {
        fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd_ < 0) return fail(errno == ENOENT ? "no such file" : detail::errno_text(errno));
        struct stat st {};
        if (::fstat(fd_, &st) != 0) return fail(detail::errno_text(errno));
        if (S_ISDIR(st.st_mode)) return fail("is a directory");
        size_ = static_cast<uint64_t>(st.st_size);

        // Where the content starts, and how.
        ByteBuffer head;
        uint64_t start = 0;
        for (;;) {
            Status rs = read_at(start, kHead, head);
            if (!rs) return rs;
            if (head.empty()) return fail("no snapshot in it (empty)");
            std::size_t i = 0;
            while (i < head.size() && is_space(head[i])) ++i;
            start += i;
            if (i < head.size()) break;
        }
        Status rs = read_at(start, kHead, head);
        if (!rs) return rs;
        if (detail::looks_like_http_reply(head.data(), head.size())) {
            format_ = Format::Http;
            records_.push_back(Record{start, size_ - start, kNaN});
            return Status::ok();
        }
        if (head[0] != '{') {
            format_ = Format::Documents;  // not JSON: let the parser say so
            records_.push_back(Record{start, size_ - start, kNaN});
            return Status::ok();
        }
        bool lines = !std::isnan(quick_t(head.data(), head.size()));
        if (!lines) {
            // Maybe our format with keys in another order (edited with jq).
            ByteBuffer first;
            Status ls = read_line(start, first);
            if (!ls) return ls;
            LineFields f;
            lines = read_fields(reader_, first.data(), first.size(), f) && !std::isnan(f.t);
        }
        Status is = lines ? index_lines(start) : index_documents(start);
        if (!is) return is;
        if (records_.empty()) return fail("no complete snapshot in it");
        const std::size_t n = records_.size();
        if (format_ == Format::Lines && n > 1) {
            const double span = records_[n - 1].t - records_[0].t;
            if (std::isfinite(span) && span > 0) interval_ = span / static_cast<double>(n - 1);
        }
        return Status::ok();
    }

    // Reads up to `n` bytes at `offset` into `out` (resized to what was read).
    Status read_at(uint64_t offset, std::size_t n, ByteBuffer& out) const {
        out.resize(n);
        std::size_t got = 0;
        while (got < n) {
            const ssize_t r = ::pread(fd_, out.data() + got, n - got, static_cast<off_t>(offset + got));
            if (r == 0) break;
            if (r < 0) {
                if (errno == EINTR) continue;
                out.resize(got);
                return fail(detail::errno_text(errno));
            }
            got += static_cast<std::size_t>(r);
        }
        out.resize(got);
        return Status::ok();
    }

    // The line starting at `offset`, without its newline.
    Status read_line(uint64_t offset, ByteBuffer& out) const {
        out.clear();
        ByteBuffer chunk;
        for (;;) {
            Status rs = read_at(offset + out.size(), kChunk, chunk);
            if (!rs) return rs;
            const auto* nl = static_cast<const char*>(std::memchr(chunk.data(), '\n', chunk.size()));
            const std::size_t take = nl != nullptr ? static_cast<std::size_t>(nl - chunk.data()) : chunk.size();
            out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(take));
            if (nl != nullptr || chunk.size() < kChunk) return Status::ok();
        }
    }

    // One record per complete line whose first non-space byte is '{'; the
    // time comes from the line's head, or from a full parse when the keys
    // are not in our order. An unterminated last line counts only if it
    // parses whole.
    Status index_lines(uint64_t start) {
        format_ = Format::Lines;
        ByteBuffer chunk;
        std::vector<uint64_t> slow;  // records whose t needs a full parse
        char head[kHead];
        std::size_t head_len = 0;
        uint64_t line_start = start;
        auto finish_line = [&](uint64_t end) {
            std::size_t i = 0;
            while (i < head_len && is_space(head[i])) ++i;
            if (i < head_len && head[i] == '{') {
                const double t = quick_t(head, head_len);
                if (std::isnan(t)) slow.push_back(records_.size());
                records_.push_back(Record{line_start, end - line_start, t});
            }
        };
        for (uint64_t pos = start; pos < size_;) {
            Status rs = read_at(pos, kChunk, chunk);
            if (!rs) return rs;
            if (chunk.empty()) break;
            std::size_t i = 0;
            while (i < chunk.size()) {
                const auto* nl = static_cast<const char*>(std::memchr(chunk.data() + i, '\n', chunk.size() - i));
                const std::size_t seg_end = nl != nullptr ? static_cast<std::size_t>(nl - chunk.data()) : chunk.size();
                const std::size_t copy = std::min(kHead - head_len, seg_end - i);
                std::memcpy(head + head_len, chunk.data() + i, copy);
                head_len += copy;
                if (nl == nullptr) break;
                finish_line(pos + seg_end);
                head_len = 0;
                line_start = pos + seg_end + 1;
                i = seg_end + 1;
            }
            pos += chunk.size();
        }
        if (line_start < size_) {
            const std::size_t before = records_.size();
            finish_line(size_);
            if (records_.size() > before && (slow.empty() || slow.back() != before)) slow.push_back(before);
        }
        // Full parses: foreign key order, and the unterminated last line.
        ByteBuffer line;
        std::vector<bool> drop(records_.size(), false);
        bool any_drop = false;
        for (uint64_t r : slow) {
            Record& rec = records_[r];
            Status rs = read_at(rec.offset, rec.length, line);
            if (!rs) return rs;
            LineFields f;
            if (read_fields(reader_, line.data(), line.size(), f)) {
                rec.t = f.t;
            } else if (rec.offset + rec.length >= size_ || std::isnan(rec.t)) {
                drop[r] = true;
                any_drop = true;
            }
        }
        if (any_drop) {
            std::size_t w = 0;
            for (std::size_t r = 0; r < records_.size(); ++r) {
                if (!drop[r]) records_[w++] = records_[r];
            }
            records_.resize(w);
        }
        return Status::ok();
    }

    // Documents: a '{' that follows a '}' with a newline in between (only
    // white space) starts a new one. A last document not ending in '}' was
    // cut short and is dropped.
    Status index_documents(uint64_t start) {
        format_ = Format::Documents;
        ByteBuffer chunk;
        char last = '\0';           // last non-space byte
        uint64_t last_close = 0;    // offset just after the last '}'
        bool newline = false;       // a newline since `last`
        uint64_t doc_start = start;
        for (uint64_t pos = start; pos < size_;) {
            Status rs = read_at(pos, kChunk, chunk);
            if (!rs) return rs;
            if (chunk.empty()) break;
            for (std::size_t i = 0; i < chunk.size(); ++i) {
                const char c = chunk[i];
                if (is_space(c)) {
                    if (c == '\n') newline = true;
                    continue;
                }
                if (c == '{' && last == '}' && newline) {
                    records_.push_back(Record{doc_start, last_close - doc_start, kNaN});
                    doc_start = pos + i;
                } else if (c == '}') {
                    last_close = pos + i + 1;
                }
                last = c;
                newline = false;
            }
            pos += chunk.size();
        }
        if (last == '}') records_.push_back(Record{doc_start, last_close - doc_start, kNaN});
        return Status::ok();
    }

    // Reads the record into frame.bytes, leaving just the document.
    Status load(const Record& rec, Frame& frame) {
        Status rs = read_at(rec.offset, static_cast<std::size_t>(rec.length), frame.bytes);
        if (!rs) return rs;
        if (frame.bytes.size() != rec.length) return fail("file shrank while playing");
        if (format_ == Format::Http) {
            Status st = detail::decode_http_reply(frame.bytes, std::numeric_limits<std::size_t>::max());
            return st ? Status::ok() : fail(st.message());
        }
        if (format_ == Format::Documents) return Status::ok();
        if (!read_fields(reader_, frame.bytes.data(), frame.bytes.size(), fields_)) {
            return fail("unreadable record");
        }
        if (fields_.has_stats) {
            // Keep the white space that followed the document (it was its
            // trailing newline before recording turned it into a space).
            std::size_t end = fields_.stats_end;
            while (end < frame.bytes.size() && is_space(frame.bytes[end])) ++end;
            const std::size_t len = end - fields_.stats_begin;
            std::memmove(frame.bytes.data(), frame.bytes.data() + fields_.stats_begin, len);
            frame.bytes.resize(len);
            return Status::ok();
        }
        if (!detail::base64_decode(fields_.b64, frame.bytes)) return fail("bad base64 in a record");
        return Status::ok();
    }

    void stamp(const Record& rec, Frame& frame) {
        if (format_ != Format::Lines) {
            frame.wall_time = wall_clock_seconds();
            frame.mono_time = monotonic_seconds();
            return;
        }
        double t = rec.t;
        if (std::isnan(t)) t = fetched_any_ ? last_t_ + interval_ : 0.0;
        double mono = t + mono_offset_;
        if (fetched_any_ && !(mono > last_mono_)) {
            mono_offset_ += (last_mono_ - mono) + interval_;
            mono = t + mono_offset_;
        }
        frame.wall_time = t;
        frame.mono_time = mono;
        last_t_ = t;
        last_mono_ = mono;
    }

    std::string path_;
    ReplayOptions options_;
    Status error_;
    int fd_ = -1;
    uint64_t size_ = 0;
    Format format_ = Format::Documents;
    std::vector<Record> records_;
    std::size_t next_ = 0;
    std::size_t current_ = 0;
    bool fetched_any_ = false;
    double interval_ = 1.0;
    double mono_offset_ = 0;
    double last_mono_ = 0;
    double last_t_ = 0;
    rapidjson::Reader reader_;
    LineFields fields_;
};

}  // namespace

std::unique_ptr<Source> make_replay_source(const std::string& path, const ReplayOptions& options,
                                           Status* error) {
    auto source = std::make_unique<ReplaySource>(path, options);
    if (error != nullptr) *error = source->open_status();
    return source;
}

}  // namespace uwsgitop
