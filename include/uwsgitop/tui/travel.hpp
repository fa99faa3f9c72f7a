// travel.hpp — the screen's moves through a replay ([ ] { } ( ) keys).
//
// A TravelStep (the `arg` of an Action::Travel key binding) becomes a
// pipeline Travel (pipeline.hpp): one snapshot back / forward, 60 s of
// recorded time back / forward, or to the first / last snapshot of the
// window (a step so large that the pipeline clamps it to the window's ends).
// The fetch thread carries it out from the snapshot on screen (fetcher.hpp),
// with the rates of a forward pass. travel_note() is the status-line text
// after the key.
#pragma once

#include <cstdint>
#include <string_view>

#include "uwsgitop/pipeline/pipeline.hpp"

namespace uwsgitop::tui {

enum class TravelStep : uint8_t { Back, Forward, MinuteBack, MinuteForward, Start, End };

constexpr double kTravelJumpSeconds = 60.0;

Travel travel_for(TravelStep step);
std::string_view travel_note(TravelStep step);

}  // namespace uwsgitop::tui
