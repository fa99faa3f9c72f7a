// travel.cpp — TravelStep to a pipeline Travel, b's times and the replay
// speeds (see travel.hpp), and the view-model's side of travel: the keys,
// the go-to prompt, Enter on an event and the replay position
// (view_model.hpp).
#include "uwsgitop/tui/travel.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <string>

#include "uwsgitop/base/text.hpp"
#include "uwsgitop/source/source.hpp"

#include "uwsgitop/tui/view_model.hpp"
#include "uwsgitop/view/summary.hpp"

namespace uwsgitop::tui {

namespace {

// Far past either end of any recording: the pipeline clamps it to the window.
constexpr double kToTheEnd = 1e15;

constexpr std::array kSpeeds = {0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0};

Status not_a_time(std::string_view text) {
    std::string msg("\"");
    append_escaped(msg, text.substr(0, 40));
    msg += "\" is not a time (14:03:12, 14:03, -5m, +30s, -1h30m or 2026-12-07T14:03:12)";
    return Status::fail(msg);
}

// "-5m", "+1h30m", "+90", "-1.5m": seconds from the position, or false.
bool relative_seconds(std::string_view text, double& out) {
    if (text.size() < 2 || (text[0] != '+' && text[0] != '-')) return false;
    double total = 0;
    std::size_t i = 1;
    while (i < text.size()) {
        // Digits with at most one '.', read by hand (no locale).
        const std::size_t start = i;
        double n = 0, scale = 0;
        int digits = 0;
        for (; i < text.size() && i - start < 12; ++i) {
            const char c = text[i];
            if (c == '.' && scale == 0) {
                scale = 1;
            } else if (c >= '0' && c <= '9') {
                ++digits;
                if (scale == 0) {
                    n = n * 10 + (c - '0');
                } else {
                    scale /= 10;
                    n += (c - '0') * scale;
                }
            } else {
                break;
            }
        }
        if (digits == 0) return false;
        double unit = 1;
        if (i < text.size()) {
            switch (text[i]) {
                case 's': unit = 1; break;
                case 'm': unit = 60; break;
                case 'h': unit = 3600; break;
                case 'd': unit = 86400; break;
                default: return false;
            }
            ++i;
        } else if (start > 1) {
            return false;  // "+1h30": a bare number only alone
        }
        total += n * unit;
    }
    out = text[0] == '-' ? -total : total;
    return std::isfinite(out);
}

// Local time of day `secs` (after midnight) on the day `days` after that of `t`.
double on_day_of(double t, int days, double secs) {
    const std::time_t tt = static_cast<std::time_t>(std::floor(t));
    std::tm tm{};
    if (!localtime_r(&tt, &tm)) return NAN;
    const long whole = static_cast<long>(secs);
    tm.tm_mday += days;
    tm.tm_hour = static_cast<int>(whole / 3600);
    tm.tm_min = static_cast<int>(whole / 60 % 60);
    tm.tm_sec = static_cast<int>(whole % 60);
    tm.tm_isdst = -1;
    return static_cast<double>(std::mktime(&tm)) + (secs - static_cast<double>(whole));
}

}  // namespace

Status parse_go_to(std::string_view text, const RecordPosition& at, double& out) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    if (text.empty()) return Status::fail("no time given (14:03:12, 14:03, -5m, +30s or 2026-12-07T14:03:12)");
    double rel = 0;
    if (relative_seconds(text, rel)) {
        out = at.time + rel;
        return Status::ok();
    }
    TimeSpec spec;
    if (!parse_time_spec(text, spec)) return not_a_time(text);
    if (spec.kind == TimeSpec::Kind::Epoch) {
        out = spec.value;
        return Status::ok();
    }
    // A time of day: the day before, of or after the position, whichever
    // lies in the window nearest to it; the position's day when none does.
    double best = on_day_of(at.time, 0, spec.value);
    bool best_inside = false;
    for (int days = -1; days <= 1; ++days) {
        const double t = on_day_of(at.time, days, spec.value);
        if (!(t >= at.first && t <= at.last)) continue;
        if (!best_inside || std::fabs(t - at.time) < std::fabs(best - at.time)) best = t;
        best_inside = true;
    }
    if (!std::isfinite(best)) return not_a_time(text);
    out = best;
    return Status::ok();
}

std::span<const double> speed_steps() { return kSpeeds; }

double step_speed(double current, int direction) {
    if (direction > 0) {
        if (current == 0) return 0;
        for (double s : kSpeeds) {
            if (s > current + 1e-9) return s;
        }
        return 0;  // past the last step: no waiting
    }
    if (current == 0) return kSpeeds.back();
    for (auto it = kSpeeds.rbegin(); it != kSpeeds.rend(); ++it) {
        if (*it < current - 1e-9) return *it;
    }
    return current;
}

void append_speed(std::string& out, double speed) {
    if (!(speed > 0)) {
        out += "max";
        return;
    }
    std::string n;
    append_fixed(n, speed, 2);
    if (n.find('.') != std::string::npos) {
        while (n.back() == '0') n.pop_back();
        if (n.back() == '.') n.pop_back();
    }
    out += n;
    out += 'x';
}

Travel travel_for(TravelStep step) {
    using K = Travel::Kind;
    switch (step) {
        case TravelStep::Back: return {K::Snapshots, -1};
        case TravelStep::Forward: return {K::Snapshots, 1};
        case TravelStep::MinuteBack: return {K::Seconds, -kTravelJumpSeconds};
        case TravelStep::MinuteForward: return {K::Seconds, kTravelJumpSeconds};
        case TravelStep::Start: return {K::Snapshots, -kToTheEnd};
        case TravelStep::End: return {K::Snapshots, kToTheEnd};
    }
    return {};
}

std::string_view travel_note(TravelStep step) {
    switch (step) {
        case TravelStep::Back: return "one snapshot back (paused; Space plays on)";
        case TravelStep::Forward: return "one snapshot forward (paused; Space plays on)";
        case TravelStep::MinuteBack: return "one minute back (paused; Space plays on)";
        case TravelStep::MinuteForward: return "one minute forward (paused; Space plays on)";
        case TravelStep::Start: return "first snapshot (paused; Space plays on)";
        case TravelStep::End: return "last snapshot (paused; Space plays on)";
    }
    return "";
}

void ViewModel::travel(uint8_t arg) {
    const auto step = static_cast<TravelStep>(arg);
    if (!replay_) {
        set_flash("not a replay: [ ] { } ( ) travel through --replay FILE");
        return;
    }
    // Like atop: a step keeps the operator where they stepped.
    paused_ = true;
    travels_.push_back(travel_for(step));
    set_flash(std::string(travel_note(step)));
}

double ViewModel::speed() const { return fast_ && speed_ > 0 ? speed_ * kFastSpeedFactor : speed_; }

void ViewModel::step_replay_speed(int direction) {
    speed_ = step_speed(speed(), direction);
    fast_ = false;
    std::string msg("replay speed ");
    append_speed(msg, speed_);
    if (speed_ == 0) msg += " (no waiting)";
    if (paused_) msg += " (paused; Space plays on)";
    set_flash(std::move(msg));
}

void ViewModel::toggle_replay_fast() {
    fast_ = !fast_;
    std::string msg(fast_ ? "fast replay: " : "replay speed ");
    append_speed(msg, speed());
    set_flash(std::move(msg));
}

void ViewModel::open_go_to() {
    if (!replay_) {
        set_flash("not a replay: b goes to a time of --replay FILE");
        return;
    }
    if (!position_) {
        set_flash("b: no recorded times to go to (a --stats-push file, or nothing shown yet)");
        return;
    }
    goto_editing_ = true;
    goto_text_.clear();
}

void ViewModel::edit_go_to(int k) {
    if (k == key::Enter || k == '\r') {
        goto_editing_ = false;
        go_to(goto_text_);
    } else if (k == key::Escape) {
        goto_editing_ = false;
    } else if (k == key::Backspace || k == 127 || k == 8) {
        if (!goto_text_.empty()) goto_text_.pop_back();
    } else if (k == 21) {  // Ctrl-U
        goto_text_.clear();
    } else if (k > 0x20 && k < 0x7F && goto_text_.size() < kMaxGoTo) {
        goto_text_ += static_cast<char>(k);  // a time is ASCII
    } else if (k == ' ' && goto_text_.size() < kMaxGoTo) {
        goto_text_ += ' ';                   // "2026-12-07 14:03"
    }
}

void ViewModel::go_to(std::string_view text) {
    if (!position_) return;
    const RecordPosition& at = *position_;
    double t = 0;
    if (const Status st = parse_go_to(text, at, t); !st) {
        set_flash("b: " + st.message());
        return;
    }
    std::string msg;
    ClockStyle style = replay_clock_style(at);
    if (style.decimals == 0 && t != std::floor(t)) style.decimals = 2;
    if (t < at.first || t > at.last) {
        append_clock(msg, t, style);
        msg += t < at.first ? " is before the recording: its first snapshot, " : " is after the recording: its last snapshot, ";
        t = t < at.first ? at.first : at.last;
    } else {
        msg += "went to ";
    }
    append_clock(msg, t, style);
    msg += " (paused; Space plays on)";
    paused_ = true;
    travels_.push_back(Travel{Travel::Kind::At, t});
    set_flash(std::move(msg));
}

bool ViewModel::travel_to_event(uint32_t row) {
    if (!replay_ || !position_ || row >= events_.size()) return false;
    const LoggedEvent& e = events_.newest(row);
    paused_ = true;
    travels_.push_back(Travel{Travel::Kind::At, e.event.time});
    // The time and the way back first: a narrow status line cuts the text.
    notice_ = "event at ";
    append_clock(notice_, e.event.time, replay_clock_style(*position_));
    const auto tab = std::find(panes_.begin(), panes_.end(), PaneId::Events);
    if (tab != panes_.end() && tab - panes_.begin() < 9) {
        notice_ += " (";
        append_int(notice_, static_cast<int64_t>(tab - panes_.begin() + 1));
        notice_ += ": events)";
    }
    notice_ += ": ";
    append_escaped(notice_, e.text);
    notice_until_ = mono_now_ + kNoticeSeconds;
    // The server as it was then, on its worker when the event names one.
    if (e.event.worker) {
        PaneState& w = states_[static_cast<std::size_t>(PaneId::Workers)];
        w.sel_worker = *e.event.worker;
        w.sel_core = -1;
    }
    set_pane(PaneId::Workers);
    return true;
}

std::vector<Travel> ViewModel::take_travels() {
    std::vector<Travel> out;
    out.swap(travels_);
    return out;
}

void ViewModel::set_record_position(const std::optional<RecordPosition>& at) {
    if (at && !(position_ && at->index == position_->index + 1)) {
        history_.clear();
        worker_history_.clear();
        if (position_) events_.jumped();  // no events between non-neighbours
    }
    position_ = at;
}

}  // namespace uwsgitop::tui
