// replay.cpp — the replay source: plays an indexed recording (recording_file.hpp) back as frames, paced and with clocks that never run backwards.
//
// Each fetch reads the next record with pread into the frame's buffer and
// leaves just the document there: a JSON line's "stats" value is moved to the
// front (the white space after it kept), a "b64" value is decoded, a saved
// HTTP response is decoded to its body, a plain document is taken as it is.
// An unreadable JSON line is skipped; in the other shapes the error is
// returned. With `loop`, the recording starts over after its last record.
// Pacing (delay_before_next) follows the recorded `t` of JSON lines,
// divided by the speed and capped at 60 s; the other shapes have no times,
// so pacing is left to the caller and frames get the playback clocks.
// Frame clocks are the recorded `t`; mono_time is shifted forward whenever it
// would not increase (looping, or a recording that goes back in time), so
// rates never see time run backwards.
#include <cmath>
#include <limits>

#include "base64.hpp"
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
        error_ = file_.open(path_);
        if (error_) interval_ = file_.mean_interval();
    }

    Status open_status() const { return error_; }

    const std::string& label() const override { return path_; }

    bool exhausted() const override {
        return !error_.is_ok() || (!options_.loop && next_ >= file_.records().size());
    }

    std::optional<double> delay_before_next() const override {
        if (file_.format() != RecordingFormat::Lines) return std::nullopt;
        if (!fetched_any_ || options_.speed == 0) return 0.0;  // --speed 0: no waiting
        double d = 0;
        if (current_ + 1 < file_.records().size()) {
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
        for (std::size_t tries = 0; tries < file_.records().size(); ++tries) {
            if (next_ >= file_.records().size()) {
                if (!options_.loop) break;
                next_ = 0;
            }
            const std::size_t i = next_++;
            Status st = load(file_.records()[i], frame);
            if (!st) {
                if (file_.format() == RecordingFormat::Lines) continue;  // an unreadable line is skipped
                return st;
            }
            current_ = i;
            stamp(file_.records()[i], frame);
            fetched_any_ = true;
            return Status::ok();
        }
        frame.bytes.clear();
        return Status::fail(path_ + ": end of recording");
    }

private:
    // Reads the record into frame.bytes, leaving just the document.
    Status load(const RecordSpan& rec, Frame& frame) {
        Status rs = file_.read_at(rec.offset, static_cast<std::size_t>(rec.length), frame.bytes);
        if (!rs) return rs;
        if (frame.bytes.size() != rec.length) return file_.fail("file shrank while playing");
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
        if (!detail::base64_decode(fields_.b64, frame.bytes)) return file_.fail("bad base64 in a record");
        return Status::ok();
    }

    void stamp(const RecordSpan& rec, Frame& frame) {
        if (file_.format() != RecordingFormat::Lines) {
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
    RecordingFile file_;
    std::size_t next_ = 0;
    std::size_t current_ = 0;
    bool fetched_any_ = false;
    double interval_ = 1.0;
    double mono_offset_ = 0;
    double last_mono_ = 0;
    double last_t_ = 0;
    detail::RecordLineReader line_reader_;
    detail::RecordLine fields_;
};

}  // namespace

std::unique_ptr<Source> make_replay_source(const std::string& path, const ReplayOptions& options,
                                           Status* error) {
    auto source = std::make_unique<ReplaySource>(path, options);
    if (error != nullptr) *error = source->open_status();
    return source;
}

}  // namespace uwsgitop
