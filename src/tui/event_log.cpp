// event_log.cpp — the screen's bounded event log around one EventTracker (see event_log.hpp).
#include "uwsgitop/tui/event_log.hpp"

#include <algorithm>
#include <iterator>
#include <variant>

#include "uwsgitop/base/text.hpp"

namespace uwsgitop::tui {

EventLog::EventLog(EventOptions options, std::size_t capacity)
    : tracker_(options), capacity_(std::max<std::size_t>(1, capacity)) {}

namespace {

int64_t int_fact(const Event& e, std::string_view key) {
    const FactValue* v = e.fact(key);
    return v && std::holds_alternative<int64_t>(*v) ? std::get<int64_t>(*v) : 0;
}

void set_int_fact(Event& e, std::string_view key, int64_t value) {
    for (Fact& f : e.facts) {
        if (f.key == key) f.value = value;
    }
}

// The line's text: the event's, and over how long when it holds several.
std::string folded_text(const LoggedEvent& l) {
    std::string t = event_text(l.event);
    if (l.folded > 1) {
        t += " over ";
        append_int(t, static_cast<int64_t>(l.event.time - l.since + 0.5));
        t += " s";
    }
    return t;
}

}  // namespace

// Joins an exceptions event to its worker's line begun less than
// kFoldSeconds before it, which moves to the top; false when there is none.
bool EventLog::fold(Event& e) {
    if (e.kind != EventKind::Exceptions || !e.worker) return false;
    for (auto it = ring_.rbegin(); it != ring_.rend(); ++it) {
        // Lines are in the order of their latest time: below one that old,
        // every line began earlier still.
        if (e.time - it->event.time >= kFoldSeconds) break;
        const Event& o = it->event;
        if (o.kind != EventKind::Exceptions || o.worker != e.worker || o.instance != e.instance) continue;
        if (e.time - it->since >= kFoldSeconds) return false;   // its minute is over: a new line
        LoggedEvent l = std::move(*it);
        ring_.erase(std::next(it).base());
        set_int_fact(e, "count", int_fact(l.event, "count") + int_fact(e, "count"));
        l.event = std::move(e);
        ++l.folded;
        l.text = folded_text(l);
        ring_.push_back(std::move(l));
        return true;
    }
    return false;
}

std::size_t EventLog::add(std::vector<Event>& fresh) {
    for (Event& e : fresh) {
        ++handed_;
        if (fold(e)) continue;
        LoggedEvent l;
        l.text = event_text(e);
        l.since = e.time;
        l.event = std::move(e);
        l.serial = next_serial_++;
        ring_.push_back(std::move(l));
        if (ring_.size() > capacity_) ring_.pop_front();
    }
    const std::size_t n = fresh.size();
    fresh.clear();
    return n;
}

std::size_t EventLog::on_snapshot(const Snapshot& snap, double wall, std::string_view instance) {
    if (have_last_ && wall < last_wall_) {
        // Stepped back in a recording: no events between non-neighbours, and
        // none from the part not yet played again.
        tracker_.reset();
        while (!ring_.empty() && ring_.back().event.time > wall) ring_.pop_back();
    }
    have_last_ = true;
    last_wall_ = wall;
    // A worker busy now and in the last snapshot with the same request count
    // has been in one request for a whole interval.
    bool stuck = false;
    std::vector<std::pair<int64_t, int64_t>>& busy = busy_next_;
    busy.clear();
    for (const Worker& w : snap.workers) {
        if (w.status != "busy" || !w.id || !w.requests) continue;
        busy.emplace_back(*w.id, *w.requests);
        for (const auto& [id, requests] : busy_) {
            if (id == *w.id && requests == *w.requests) stuck = true;
        }
    }
    busy_.swap(busy);  // both keep their storage: no allocation per snapshot
    wants_cores_ = stuck;
    tracker_.update(snap, wall, instance, fresh_);
    return add(fresh_);
}

bool EventLog::attach_stacks(const std::function<bool(Event&)>& attach) {
    constexpr std::size_t kLooked = 64;  // a capture is kept for the newest events only
    bool any = false;
    const std::size_t n = std::min(ring_.size(), kLooked);
    for (std::size_t i = 0; i < n; ++i) {
        Event& e = ring_[ring_.size() - 1 - i].event;
        if ((e.kind == EventKind::Stuck || e.kind == EventKind::Harakiri) && e.stack.empty() && attach(e)) any = true;
    }
    return any;
}

void EventLog::jumped() {
    tracker_.reset();
    busy_.clear();
    wants_cores_ = false;
}

std::size_t EventLog::on_failure(std::string_view error, double wall, std::string_view instance) {
    tracker_.failure(error, wall, instance, fresh_);
    busy_.clear();
    wants_cores_ = false;
    return add(fresh_);
}

Value EventLog::value(std::size_t row, uint32_t col) const {
    if (row >= ring_.size()) return Value::unknown();
    const LoggedEvent& l = newest(row);
    switch (static_cast<EventColumn>(col)) {
        case EventColumn::Time: return Value::num(l.event.time);
        case EventColumn::Instance: return Value::str(l.event.instance);
        case EventColumn::Kind: return Value::str(event_kind_info(l.event.kind).name);
        case EventColumn::Worker: return l.event.worker ? Value::num(static_cast<double>(*l.event.worker)) : Value::unknown();
        case EventColumn::Text: return Value::str(l.text);
        case EventColumn::Count_: break;
    }
    return Value::unknown();
}

}  // namespace uwsgitop::tui
