// history.cpp — ring buffers and sparklines (see history.hpp).
#include "uwsgitop/rates/history.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "uwsgitop/model/worker_counts.hpp"

namespace uwsgitop {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

Series::Series(std::size_t capacity) : data_(capacity ? capacity : 1, kNaN) {}

void Series::push(double value) {
    data_[head_] = value;
    head_ = (head_ + 1) % data_.size();
    if (count_ < data_.size()) ++count_;
}

double Series::at(std::size_t i) const {
    if (i >= count_) return kNaN;
    const std::size_t oldest = (head_ + data_.size() - count_) % data_.size();
    return data_[(oldest + i) % data_.size()];
}

double Series::newest() const { return count_ ? at(count_ - 1) : kNaN; }

double peak(const Series& s, std::size_t width) {
    const std::size_t shown = std::min(width, s.size());
    double max = kNaN;
    for (std::size_t i = s.size() - shown; i < s.size(); ++i) {
        const double v = s.at(i);
        if (!std::isnan(v) && v >= 0 && !(v <= max)) max = v;
    }
    return max;
}

void sparkline(const Series& s, std::size_t width, SparkStyle style, std::string& out, double top) {
    static const char* const kBlocks[] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                          "\u2585", "\u2586", "\u2587", "\u2588"};
    static const char kAscii[] = "_.-~=*#@";
    const std::size_t shown = std::min(width, s.size());
    const std::size_t first = s.size() - shown;
    double max = top > 0 ? top : peak(s, width);
    if (std::isnan(max)) max = 0;
    out.append(width - shown, ' ');
    for (std::size_t i = first; i < s.size(); ++i) {
        const double v = s.at(i);
        if (std::isnan(v) || v < 0) {
            out += ' ';  // unknown: a gap
            continue;
        }
        int level = 0;
        if (max > 0) level = static_cast<int>(std::lround(v / max * 7.0));
        if (level < 0) level = 0;
        if (level > 7) level = 7;
        if (style == SparkStyle::Unicode) out += kBlocks[level];
        else out += kAscii[level];
    }
}

void InstanceHistory::add(const Snapshot& snap, const Rates& rates) {
    rps.push(rates.total_requests);
    if (snap.kind == SnapshotKind::Master) {
        busy.push(static_cast<double>(count_workers(snap).busy));
        listen_queue.push(snap.listen_queue ? static_cast<double>(*snap.listen_queue) : kNaN);
    } else {
        busy.push(kNaN);
        listen_queue.push(kNaN);
    }
}

void InstanceHistory::add_gap() {
    rps.push(kNaN);
    busy.push(kNaN);
    listen_queue.push(kNaN);
}

void WorkerHistory::add(const Snapshot& snap, const Rates& rates) {
    std::vector<bool> seen(by_id_.size(), false);
    for (std::size_t i = 0; i < snap.workers.size(); ++i) {
        const Int& id = snap.workers[i].id;
        if (!id || *id <= 0 || *id > 100000) continue;
        const auto k = static_cast<std::size_t>(*id);
        if (k >= by_id_.size()) {
            by_id_.resize(k + 1, Series(capacity_));
            seen.resize(k + 1, false);
        }
        by_id_[k].push(i < rates.workers.size() ? rates.workers[i].requests : kNaN);
        seen[k] = true;
    }
    for (std::size_t k = 0; k < by_id_.size(); ++k) {
        if (!seen[k] && by_id_[k].size()) by_id_[k].push(kNaN);
    }
}

const Series* WorkerHistory::rps(int64_t worker_id) const {
    if (worker_id <= 0 || static_cast<std::size_t>(worker_id) >= by_id_.size()) return nullptr;
    const Series& s = by_id_[static_cast<std::size_t>(worker_id)];
    return s.size() ? &s : nullptr;
}

}  // namespace uwsgitop
