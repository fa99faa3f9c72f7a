// pipeline.cpp — fetch, record, parse, rates (see pipeline.hpp).
#include "uwsgitop/pipeline/pipeline.hpp"

#include <algorithm>
#include <new>

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
    } else if (travel.kind == Travel::Kind::At) {
        target = source_->index_at(travel.amount);
    } else {
        target = source_->index_at(at.time + travel.amount);
        // Forward from a gap longer than the jump: at least the next one.
        if (travel.amount > 0 && target <= at.index) target = std::min(at.index + 1, at.count - 1);
    }
    return target;
}

namespace {

// Documents smaller than this are read whole: streaming them saves little
// and costs a recv() per kStreamStep (socket.cpp).
constexpr std::size_t kStreamFrom = 256 * 1024;
// After a streamed read that had to be read again whole (the lenient path,
// a document that outgrew the room), this many refreshes read whole.
constexpr unsigned kWholeAfterFallback = 100;
// The buffer a streamed read works in: the parser moves what it has not
// parsed to the front once it has passed 64 KiB (parse/text_window.hpp), so
// this holds any string of up to about 1 MiB.
constexpr std::size_t kStreamRoom = 1024 * 1024;

class FetchFeed final : public ByteFeed {
public:
    explicit FetchFeed(StreamedFetch& fetch) : fetch_(fetch) {}
    bool more(std::size_t want) override { return fetch_.more(want); }
    void forget(std::size_t n) override { fetch_.forget(n); }

private:
    StreamedFetch& fetch_;
};

}  // namespace

StreamedFetch* Pipeline::stream_for(bool record) {
    if (scope_ != ParseScope::Everything || keep_raw_ || (record && recorder_.is_open())) return nullptr;
    if (whole_left_ > 0) {
        --whole_left_;
        return nullptr;
    }
    if (last_size_ < kStreamFrom) return nullptr;
    return source_->streamed();
}

Pipeline::Streamed Pipeline::fetch_streamed(StreamedFetch& fetch, Snapshot& into, Rates& rates, Status& st) {
    // The room the streamed read works in, allocated once (the capacity
    // stays): the bytes must not move while they are parsed. A bigger
    // buffer left by a whole read (pages resident) is given back for it.
    frame_.bytes.clear();
    if (frame_.bytes.capacity() < kStreamRoom || frame_.bytes.capacity() > 2 * kStreamRoom) {
        try {
            ByteBuffer room;
            room.reserve(kStreamRoom);
            frame_.bytes.swap(room);
        } catch (const std::bad_alloc&) {
            return Streamed::NotTried;
        }
    }
    fetch.begin(frame_);
    FetchFeed feed(fetch);
    bool parsed = false;
    try {
        parsed = parser_.parse_streamed(frame_.bytes, feed, last_size_, into);
    } catch (...) {
        fetch.cancel();  // no socket left open behind an allocation failure
        throw;
    }
    const bool in_flight = fetch.more(0);
    if (in_flight) fetch.cancel();  // the parse stopped early: not strict JSON
    if (!in_flight) {
        Status fetched = fetch.result();
        if (!fetched && !fetch.needs_whole()) {
            // The source's own failure (timeout, reset, cut short, too
            // large), as fetch() reports it.
            into.clear();
            st = std::move(fetched);
            return Streamed::Done;
        }
        if (parsed && fetched) {
            into.peer = frame_.peer;
            last_wall_ = frame_.wall_time;
            last_size_ = fetch.received();
            tracker_.update(into, frame_.mono_time, rates, frame_.wall_time);
            st = Status::ok();
            return Streamed::Done;
        }
    }
    into.clear();
    whole_left_ = kWholeAfterFallback;
    return Streamed::ReadWhole;
}

Status Pipeline::fetch_parse(Snapshot& into, Rates& rates, bool record) {
    // One read buffer (frame_), reused by every refresh: the snapshot keeps
    // copies of its strings, not the document (parse.hpp).
    into.clear();
    if (StreamedFetch* fetch = stream_for(record)) {
        Status st = Status::ok();
        const Streamed how = fetch_streamed(*fetch, into, rates, st);
        if (how == Streamed::Done) return st;
        if (how == Streamed::ReadWhole) {
            // Read again whole, within the same deadline.
            st = fetch->fetch_whole(frame_);
            if (!st) return st;
            return parse_frame(into, rates, record);
        }
    }
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
    into.peer = frame_.peer;
    last_size_ = frame_.bytes.size();
    tracker_.update(into, mono, rates, last_wall_);
    return Status::ok();
}

}  // namespace uwsgitop
