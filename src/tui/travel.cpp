// travel.cpp — TravelStep to a pipeline Travel (see travel.hpp), and the
// view-model's side of travel: the keys and the replay position
// (view_model.hpp).
#include "uwsgitop/tui/travel.hpp"

#include <string>

#include "uwsgitop/tui/view_model.hpp"

namespace uwsgitop::tui {

namespace {

// Far past either end of any recording: the pipeline clamps it to the window.
constexpr double kToTheEnd = 1e15;

}  // namespace

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
