// pipeline.cpp — fetch, record, parse, rates (see pipeline.hpp).
#include "uwsgitop/pipeline/pipeline.hpp"

namespace uwsgitop {

Pipeline::Pipeline(std::unique_ptr<Source> source) : source_(std::move(source)) {}

Status Pipeline::record_to(const std::string& path, const RecordRotation& rotation) {
    return recorder_.open(path, rotation);
}

Status Pipeline::refresh(Snapshot& into, Rates& rates) {
    // One read buffer (frame_), reused by every refresh: the snapshot keeps
    // copies of its strings, not the document (parse.hpp).
    into.clear();
    Status st = source_->fetch(frame_);
    if (!st) return st;
    last_wall_ = frame_.wall_time;
    const bool need_copy = keep_raw_ || recorder_.is_open();
    if (need_copy) raw_.assign(frame_.bytes.begin(), frame_.bytes.end());
    const double mono = frame_.mono_time;
    st = parser_.parse(frame_.bytes, into, scope_);
    if (recorder_.is_open()) {
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
