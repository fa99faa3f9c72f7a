// history.hpp — short time series for the screen's sparklines.
//
// A Series is a fixed-capacity ring of samples; NaN marks an unknown sample
// (first sample of a rate, a failed poll) and is drawn as a gap, never as 0.
// sparkline() draws the newest `width` samples right-aligned (older to the
// left), scaled from 0 to the maximum known sample in view, with Unicode
// block characters or, for terminals without UTF-8, an ASCII ramp.
// InstanceHistory keeps the three series the header and the fleet rows show.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "uwsgitop/model/model.hpp"
#include "uwsgitop/rates/rates.hpp"

namespace uwsgitop {

class Series {
public:
    explicit Series(std::size_t capacity = 600);
    void push(double value);  // NaN = unknown
    std::size_t size() const { return count_; }
    std::size_t capacity() const { return data_.size(); }
    // i = 0 is the oldest kept sample, size()-1 the newest.
    double at(std::size_t i) const;
    double newest() const;
    void clear() { count_ = 0; head_ = 0; }

private:
    std::vector<double> data_;
    std::size_t head_ = 0;   // next write position
    std::size_t count_ = 0;
};

enum class SparkStyle { Unicode, Ascii };

// Appends exactly `width` terminal columns (UTF-8 when Unicode). The full
// block stands for `top` when top > 0 (samples above it are drawn full), for
// the window's peak (see peak()) otherwise.
void sparkline(const Series& s, std::size_t width, SparkStyle style, std::string& out, double top = 0);

// The largest known sample among the newest `width`; NaN when none is known.
double peak(const Series& s, std::size_t width);

struct InstanceHistory {
    Series rps, busy, listen_queue;
    explicit InstanceHistory(std::size_t capacity = 600) : rps(capacity), busy(capacity), listen_queue(capacity) {}
    // One sample per successful refresh.
    void add(const Snapshot& snap, const Rates& rates);
    // A failed refresh: a gap in every series.
    void add_gap();
    // Starts over (a jump through a replay: samples stay in recorded order).
    void clear() { rps.clear(); busy.clear(); listen_queue.clear(); }
};

// Per-worker RPS history keyed by worker id, for the optional sparkline column.
class WorkerHistory {
public:
    explicit WorkerHistory(std::size_t capacity = 120) : capacity_(capacity) {}
    void add(const Snapshot& snap, const Rates& rates);
    const Series* rps(int64_t worker_id) const;
    // Starts over, keeping the storage.
    void clear() { for (Series& s : by_id_) s.clear(); }

private:
    std::size_t capacity_;
    std::vector<Series> by_id_;   // index = worker id
};

}  // namespace uwsgitop
