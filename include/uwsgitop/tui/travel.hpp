// travel.hpp — the screen's moves through a replay ([ ] { } ( ) b keys, Enter
// on an event) and its playback speed (+ - f in a replay).
//
// A TravelStep (the `arg` of an Action::Travel key binding) becomes a
// pipeline Travel (pipeline.hpp): one snapshot back / forward, 60 s of
// recorded time back / forward, or to the first / last snapshot of the
// window (a step so large that the pipeline clamps it to the window's ends).
// `b` and Enter on an event travel to a recorded time (Travel::Kind::At).
// The fetch thread carries it out from the snapshot on screen (fetcher.hpp),
// with the rates of a forward pass. travel_note() is the status-line text
// after the key.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "uwsgitop/base/status.hpp"
#include "uwsgitop/pipeline/pipeline.hpp"

namespace uwsgitop::tui {

enum class TravelStep : uint8_t { Back, Forward, MinuteBack, MinuteForward, Start, End };

constexpr double kTravelJumpSeconds = 60.0;

Travel travel_for(TravelStep step);
std::string_view travel_note(TravelStep step);

// The recorded time (epoch seconds) that `b`'s text names, seen from the
// snapshot at `at`:
//   * "14:03", "14:03:12", "14:03:12.25": that local time of day, on the day
//     of `at` or the one before or after, whichever lies in the window
//     (at.first..at.last) nearest to `at`; on `at`'s day when none does;
//   * "-5m", "+30s", "-1h30m", "+90": that far from `at` (units d h m s,
//     seconds when none; decimals allowed: "-1.5m");
//   * ISO 8601 "2026-12-07T16:33:07" (or a space for the T), optional
//     fractional seconds and "Z" or "+HH:MM" (none: local time).
// The time may lie outside the window (the caller clamps and says so). A
// failure names the text (escaped) and the accepted forms; `out` is then
// unchanged.
Status parse_go_to(std::string_view text, const RecordPosition& at, double& out);

// Playback speeds + and - step through in a replay (times real time); past
// the last step is 0, no waiting, where + stays.
std::span<const double> speed_steps();
// The next step after `current` (direction > 0: faster, else slower;
// 0 counts as faster than any step); `current` itself at either end.
double step_speed(double current, int direction);
// "4x", "0.25x", "max" (0: no waiting).
void append_speed(std::string& out, double speed);
// f in a replay: this many times the speed (as f's 0.1 s is a tenth of 1 s).
constexpr double kFastSpeedFactor = 10.0;

}  // namespace uwsgitop::tui
