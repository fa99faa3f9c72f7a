// replay.cpp — the replay source: plays an indexed recording (recording_file.hpp) back as frames, paced and with clocks that never run backwards.
//
// Each fetch reads the next record with pread into the frame's buffer and
// leaves just the document there: a JSON line's "stats" value is moved to the
// front (the white space after it kept), a "b64" value is decoded, a saved
// HTTP response is decoded to its body, a plain document is taken as it is.
// A record longer than max_record is never read: its fetch is one error
// naming the file and line. An unreadable JSON line is skipped; a line whose "b64" is not base64 (or
// is empty) is one error naming the record and what is wrong, and the next
// fetch goes on after it; in the other shapes the error is returned. With `loop`, the recording starts over after its last record.
// Pacing (delay_before_next) follows the recorded `t` of JSON lines,
// divided by the speed and capped at 60 s; the other shapes have no times,
// so pacing is left to the caller and frames get the playback clocks.
// Frame clocks are the recorded `t`; mono_time never runs backwards. A
// record whose recorded `t` repeats or goes back gets the previous
// mono_time, so rates see no time pass and are unknown for it rather than
// computed over an invented interval; looping or a seek back shifts
// mono_time forward by one mean interval instead.
// A window (--begin/--end) limits the records played to [lo_, hi_); seek()
// and position() count within it (the record before it may be read to prime
// rates). The index of line offsets and times is RecordingFile's, built on
// open, so a seek is an assignment and index_at() a binary search.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <limits>

#include "base64.hpp"
#include "uwsgitop/base/file_read.hpp"
#include "uwsgitop/base/text.hpp"
#include "connector.hpp"
#include "record_line.hpp"
#include "recording_file.hpp"

namespace uwsgitop {

namespace {

using detail::RecordingFile;
using detail::RecordingFormat;
using detail::RecordSpan;

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

class ReplaySource final : public Source {
public:
    ReplaySource(std::string path, const ReplayOptions& options) : path_(std::move(path)), options_(options) {
        if (!(options_.speed >= 0) || !std::isfinite(options_.speed)) options_.speed = 1.0;
        error_ = file_.open(path_, options_.max_record);
        if (error_) interval_ = file_.mean_interval();
        hi_ = file_.records().size();
        if (error_) error_ = apply_window();
        next_ = lo_;
    }

    Status open_status() const { return error_; }
    const std::vector<std::string>& notes() const { return file_.notes(); }

    const std::string& label() const override { return path_; }

    bool exhausted() const override { return !error_.is_ok() || (!options_.loop && next_ >= hi_); }

    bool timed() const { return file_.format() == RecordingFormat::Lines; }

    std::optional<RecordPosition> position() const override {
        if (!timed() || !fetched_any_ || current_ < lo_ || current_ >= hi_) return std::nullopt;
        const auto& recs = file_.records();
        RecordPosition at;
        at.index = current_ - lo_;
        at.count = hi_ - lo_;
        at.time = recs[current_].t;
        at.first = recs[lo_].t;
        at.last = recs[hi_ - 1].t;
        if (current_ > lo_) at.gap = std::fabs(at.time - recs[current_ - 1].t);
        if (current_ + 1 < hi_) at.gap = std::min(at.gap, std::fabs(recs[current_ + 1].t - at.time));
        if (std::isnan(at.gap)) at.gap = std::numeric_limits<double>::infinity();
        return at;
    }

    void set_speed(double speed) override {
        if (speed >= 0 && std::isfinite(speed)) options_.speed = speed;
    }

    bool seek(std::ptrdiff_t index) override {
        if (!error_ || !timed()) return false;
        const std::ptrdiff_t abs = static_cast<std::ptrdiff_t>(lo_) + index;
        if (abs < 0 || abs >= static_cast<std::ptrdiff_t>(hi_) || index < -1) return false;
        next_ = static_cast<std::size_t>(abs);
        return true;
    }

    std::size_t index_at(double t) const override {
        const auto& recs = file_.records();
        const auto first = recs.begin() + static_cast<std::ptrdiff_t>(lo_);
        const auto last = recs.begin() + static_cast<std::ptrdiff_t>(hi_);
        // Times are in recording order; a recording that went back in time
        // is searched as if sorted (the answer is then some record near t).
        const auto it = std::partition_point(first, last, [t](const RecordSpan& r) { return !(r.t >= t); });
        const std::size_t i = static_cast<std::size_t>(it - first);
        return std::min(i, hi_ - lo_ - 1);
    }

    std::optional<double> delay_before_next() const override {
        if (file_.format() != RecordingFormat::Lines) return std::nullopt;
        if (!fetched_any_ || options_.speed == 0) return 0.0;  // --speed 0: no waiting
        double d = 0;
        if (current_ + 1 < hi_) {
            d = file_.records()[current_ + 1].t - file_.records()[current_].t;
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
        for (std::size_t tries = 0; tries <= hi_ - lo_; ++tries) {
            if (next_ >= hi_) {
                if (!options_.loop) break;
                next_ = lo_;
            }
            const std::size_t i = next_++;
            if (file_.records()[i].length > options_.max_record) return too_long(i);
            Status st = load(file_.records()[i], frame);
            if (!st) {
                if (file_.format() != RecordingFormat::Lines) return st;
                if (!bad_b64_) continue;  // an unreadable line is skipped
                bad_b64_ = false;  // a record whose "b64" is bad is said, once
                return file_.fail("record " + std::to_string(i + 1) + ": " + st.message());
            }
            const bool follows = fetched_any_ && i == current_ + 1;
            current_ = i;
            stamp(file_.records()[i], follows, frame);
            fetched_any_ = true;
            return Status::ok();
        }
        frame.bytes.clear();
        return Status::fail(path_ + ": end of recording");
    }

private:
    // A record longer than --max-size, never read: one error naming the file
    // (the member of a rotated set) and the line; the next fetch goes on.
    Status too_long(std::size_t i) const {
        const RecordSpan& rec = file_.records()[i];
        const std::string limit = "longer than --max-size (" + size_text(options_.max_record) + ")";
        if (file_.format() != RecordingFormat::Lines) {
            return file_.fail("snapshot " + std::to_string(i + 1) + " is " + limit);
        }
        return Status::fail(file_.part_path(rec) + ":" + std::to_string(rec.line) + ": line " + limit + "; skipped");
    }

    // The local time of day `secs` on the day of the recording's first record
    // (the next day when that is before the first record and the recording
    // reaches it: a recording that crossed midnight).
    double resolve(const TimeSpec& spec) const {
        if (spec.kind == TimeSpec::Kind::Epoch) return spec.value;
        const double first = file_.records().front().t;
        const std::time_t t0 = static_cast<std::time_t>(std::floor(first));
        std::tm tm{};
        localtime_r(&t0, &tm);
        const long secs = static_cast<long>(spec.value);
        tm.tm_hour = static_cast<int>(secs / 3600);
        tm.tm_min = static_cast<int>(secs / 60 % 60);
        tm.tm_sec = static_cast<int>(secs % 60);
        tm.tm_isdst = -1;
        double at = static_cast<double>(std::mktime(&tm)) + (spec.value - static_cast<double>(secs));
        if (at < std::floor(first) && at + 86400 <= file_.records().back().t) at += 86400;
        return at;
    }

    Status apply_window() {
        if (options_.begin.kind == TimeSpec::Kind::None && options_.end.kind == TimeSpec::Kind::None) {
            return Status::ok();
        }
        if (!timed()) return file_.fail("--begin/--end: this recording has no recorded times");
        const auto& recs = file_.records();
        double begin = -std::numeric_limits<double>::infinity();
        double end = std::numeric_limits<double>::infinity();
        if (options_.begin.kind != TimeSpec::Kind::None) begin = resolve(options_.begin);
        if (options_.end.kind != TimeSpec::Kind::None) {
            end = resolve(options_.end);
            if (end < begin && options_.end.kind == TimeSpec::Kind::TimeOfDay) end += 86400;
        }
        // --end 17:33 takes the whole minute, 17:33:05 the whole second.
        const double end_unit = options_.end.unit;
        lo_ = static_cast<std::size_t>(
            std::partition_point(recs.begin(), recs.end(), [&](const RecordSpan& r) { return r.t < begin; }) -
            recs.begin());
        const auto before_end = [&](const RecordSpan& r) { return end_unit > 0 ? r.t < end + end_unit : !(r.t > end); };
        hi_ = static_cast<std::size_t>(std::partition_point(recs.begin(), recs.end(), before_end) - recs.begin());
        if (lo_ >= hi_) {
            auto when = [](double t) {
                if (!std::isfinite(t)) return std::string(t < 0 ? "the start" : "the end");
                const std::time_t tt = static_cast<std::time_t>(t);
                std::tm tm{};
                char buf[40];
                localtime_r(&tt, &tm);
                return std::string(buf, std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm));
            };
            return file_.fail("no snapshot recorded from " + when(begin) + " to " + when(end) + " (--begin/--end)");
        }
        return Status::ok();
    }

    // Reads the record into frame.bytes, leaving just the document.
    Status load(const RecordSpan& rec, Frame& frame) {
        Status rs = file_.read_record(rec, frame.bytes);
        if (!rs) return rs;
        if (file_.format() == RecordingFormat::Http) {
            Status st = detail::decode_http_reply(frame.bytes, std::numeric_limits<std::size_t>::max());
            return st ? Status::ok() : file_.fail(st.message());
        }
        if (file_.format() == RecordingFormat::Documents) return Status::ok();
        if (!line_reader_.read(frame.bytes.data(), frame.bytes.size(), fields_)) {
            return file_.fail("unreadable record");
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
        std::size_t bad_at = 0;
        if (!detail::base64_decode(fields_.b64, frame.bytes, &bad_at)) {
            bad_b64_ = true;
            if (bad_at >= fields_.b64.size()) return Status::fail("bad base64 in \"b64\": cut short");
            const auto c = static_cast<unsigned char>(fields_.b64[bad_at]);
            static const char kHex[] = "0123456789abcdef";
            const std::string what = c >= 0x20 && c < 0x7f ? std::string{'\'', static_cast<char>(c), '\''}
                                                            : std::string{'0', 'x', kHex[c >> 4], kHex[c & 15]};
            return Status::fail("bad base64 in \"b64\": " + what + " at offset " + std::to_string(bad_at));
        }
        if (frame.bytes.empty()) {
            bad_b64_ = true;
            return Status::fail("\"b64\" is empty: no snapshot in this record");
        }
        return Status::ok();
    }

    // `follows`: the record comes right after the one fetched before (not a
    // loop back to the start, not a seek).
    void stamp(const RecordSpan& rec, bool follows, Frame& frame) {
        if (file_.format() != RecordingFormat::Lines) {
            frame.wall_time = wall_clock_seconds();
            frame.mono_time = monotonic_seconds();
            return;
        }
        double t = rec.t;
        if (std::isnan(t)) t = fetched_any_ ? last_t_ + interval_ : 0.0;
        double mono = t + mono_offset_;
        if (fetched_any_ && !(mono > last_mono_)) {
            // A repeated or earlier time in the recording: no time passed as
            // far as rates can tell (an unknown rate, never one over an
            // invented interval). A loop or a seek back: one mean interval on.
            mono_offset_ += (last_mono_ - mono) + (follows ? 0.0 : interval_);
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
    RecordingFile file_;
    std::size_t next_ = 0;
    std::size_t current_ = 0;
    std::size_t lo_ = 0, hi_ = 0;  // the window: records [lo_, hi_)
    bool fetched_any_ = false;
    bool bad_b64_ = false;  // load() failed on a record's "b64" (said, not skipped)
    double interval_ = 1.0;
    double mono_offset_ = 0;
    double last_mono_ = 0;
    double last_t_ = 0;
    detail::RecordLineReader line_reader_;
    detail::RecordLine fields_;
};

bool two_digits(std::string_view s, std::size_t at, int& out) {
    if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') return false;
    out = (s[at] - '0') * 10 + (s[at + 1] - '0');
    return true;
}

// "HH:MM[:SS[.fff]]" at `at`; moves `at` past it. `unit`: the span the text
// names (60 for HH:MM, 1 for HH:MM:SS, 0.1 for HH:MM:SS.f ...).
bool clock_time(std::string_view s, std::size_t& at, int& h, int& m, double& sec, double& unit) {
    if (!two_digits(s, at, h) || at + 2 >= s.size() || s[at + 2] != ':' || !two_digits(s, at + 3, m)) return false;
    at += 5;
    sec = 0;
    unit = 60;
    if (at < s.size() && s[at] == ':') {
        int whole = 0;
        if (!two_digits(s, at + 1, whole)) return false;
        at += 3;
        sec = whole;
        unit = 1;
        if (at < s.size() && (s[at] == '.' || s[at] == ',')) {
            double scale = 0.1;
            std::size_t j = at + 1;
            for (; j < s.size() && s[j] >= '0' && s[j] <= '9'; ++j, scale /= 10) sec += (s[j] - '0') * scale;
            if (j == at + 1) return false;
            unit = scale * 10;
            at = j;
        }
    }
    return h < 24 && m < 60 && sec < 61;
}

}  // namespace

Status parse_time_spec(std::string_view text, TimeSpec& out) {
    const auto bad = [&] {
        std::string msg(1, '"');
        msg.append(escape_for_display(text.substr(0, 64)));
        msg.append("\" is not a time (HH:MM, HH:MM:SS or ISO 8601 such as 2026-12-03T14:05:00)");
        return Status::fail(msg);
    };
    int h = 0, m = 0;
    double sec = 0, unit = 0;
    std::size_t at = 0;
    if (text.size() <= 12 && clock_time(text, at, h, m, sec, unit) && at == text.size()) {
        out.kind = TimeSpec::Kind::TimeOfDay;
        out.value = h * 3600.0 + m * 60.0 + sec;
        out.unit = unit;
        return Status::ok();
    }
    int year = 0, mon = 0, day = 0;
    const auto year_end = std::from_chars(text.data(), text.data() + std::min<std::size_t>(text.size(), 4), year);
    if (year_end.ec != std::errc() || year_end.ptr != text.data() + 4 || text.size() < 16 || text[4] != '-' ||
        !two_digits(text, 5, mon) || text[7] != '-' || !two_digits(text, 8, day) || (text[10] != 'T' && text[10] != ' ')) {
        return bad();
    }
    at = 11;
    if (!clock_time(text, at, h, m, sec, unit) || mon < 1 || mon > 12 || day < 1 || day > 31) return bad();
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = static_cast<int>(sec);
    const double frac = sec - std::floor(sec);
    if (at == text.size()) {
        tm.tm_isdst = -1;
        out.value = static_cast<double>(std::mktime(&tm)) + frac;
    } else {
        long offset = 0;
        if (text[at] == 'Z' && at + 1 == text.size()) {
            offset = 0;
        } else if ((text[at] == '+' || text[at] == '-') && at + 6 == text.size() && text[at + 3] == ':') {
            int oh = 0, om = 0;
            if (!two_digits(text, at + 1, oh) || !two_digits(text, at + 4, om)) return bad();
            offset = (oh * 3600L + om * 60L) * (text[at] == '-' ? -1 : 1);
        } else {
            return bad();
        }
        out.value = static_cast<double>(timegm(&tm)) - static_cast<double>(offset) + frac;
    }
    out.kind = TimeSpec::Kind::Epoch;
    out.unit = unit;
    return Status::ok();
}

std::unique_ptr<Source> make_replay_source(const std::string& path, const ReplayOptions& options,
                                           Status* error, std::vector<std::string>* notes) {
    auto source = std::make_unique<ReplaySource>(path, options);
    if (error != nullptr) *error = source->open_status();
    if (notes != nullptr) *notes = source->notes();
    return source;
}

}  // namespace uwsgitop
