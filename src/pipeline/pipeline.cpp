// pipeline.cpp — fetch, record, parse, rates (see pipeline.hpp).
#include "uwsgitop/pipeline/pipeline.hpp"

#include <algorithm>

#include "uwsgitop/base/page_release.hpp"

namespace uwsgitop {

Pipeline::Pipeline(std::unique_ptr<Source> source) : source_(std::move(source)) {}

Status Pipeline::record_to(const std::string& path, const RecordRotation& rotation) {
    return recorder_.open(path, rotation);
}

void Pipeline::release_idle() {
    release_contents(frame_.bytes);
    if (!keep_raw_) release_contents(raw_);
    parser_.release_idle();
    tracker_.release_idle();
    prime_snap_.release();
    prime_rates_.release();
}

Status Pipeline::refresh(Snapshot& into, Rates& rates) {
    if (!refreshed_) {
        refreshed_ = true;
        if (source_->seek(0)) return seek(0, into, rates);
    }
    return fetch_parse(into, rates, true);
}

Status Pipeline::seek(std::size_t index, Snapshot& into, Rates& rates) {
    refreshed_ = true;
    tracker_.reset();
    const auto i = static_cast<std::ptrdiff_t>(index);
    if (source_->seek(i - 1)) (void)fetch_parse(prime_snap_, prime_rates_, false);  // a bad line: no rates
    if (!source_->seek(i)) return Status::fail(source_->label() + ": no snapshot " + std::to_string(index + 1));
    return fetch_parse(into, rates, false);
}

Status Pipeline::travel(const Travel& travel, Snapshot& into, Rates& rates) {
    const std::optional<RecordPosition> at = source_->position();
    if (!at || at->count == 0) return Status::fail(source_->label() + ": not a recording with times");
    return seek(travel_target(*at, travel), into, rates);
}

std::size_t Pipeline::travel_target(const RecordPosition& at, const Travel& travel) const {
    if (at.count == 0) return 0;
    std::size_t target = at.index;
    if (travel.kind == Travel::Kind::Snapshots) {
        const double t = static_cast<double>(at.index) + travel.amount;
        target = t <= 0 ? 0 : static_cast<std::size_t>(std::min(t, static_cast<double>(at.count - 1)));
    } else {
        target = source_->index_at(at.time + travel.amount);
        // Forward from a gap longer than the jump: at least the next one.
        if (travel.amount > 0 && target <= at.index) target = std::min(at.index + 1, at.count - 1);
    }
    return target;
}

Status Pipeline::fetch_parse(Snapshot& into, Rates& rates, bool record) {
    // One read buffer (frame_), reused by every refresh: the snapshot keeps
    // copies of its strings, not the document (parse.hpp).
    into.clear();
    Status st = source_->fetch(frame_);
    if (!st) return st;
    return parse_frame(into, rates, record);
}

Status Pipeline::complete(const Status& fetched, Snapshot& into, Rates& rates) {
    refreshed_ = true;
    into.clear();
    if (!fetched) return fetched;
    return parse_frame(into, rates, true);
}

Status Pipeline::parse_frame(Snapshot& into, Rates& rates, bool record) {
    last_wall_ = frame_.wall_time;
    const bool recording = record && recorder_.is_open();
    const bool need_copy = keep_raw_ || recording;
    if (need_copy) raw_.assign(frame_.bytes.begin(), frame_.bytes.end());
    const double mono = frame_.mono_time;
    Status st = parser_.parse(frame_.bytes, into, scope_);
    if (recording) {
        Frame copy;
        copy.bytes.swap(raw_);
        copy.wall_time = last_wall_;
        copy.mono_time = mono;
        Status rec = recorder_.append(copy, source_->label(), st.is_ok() && !into.repaired);
        copy.bytes.swap(raw_);
        if (!rec) return rec;
    }
    if (!st) return Status::fail(source_->label() + ": " + st.message());
    tracker_.update(into, mono, rates);
    return Status::ok();
}

}  // namespace uwsgitop
