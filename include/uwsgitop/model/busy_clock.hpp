// busy_clock.hpp — how long each worker has been in the request it is running.
//
// BusyClock::update() is given the snapshots of one instance in the order
// they were read, each with the monotonic and the wall-clock time of its
// read. A worker is in one request while its status is "busy" and neither
// its pid nor its `requests` counter (uWSGI counts a request when it ends)
// changed. Its time in that request:
//   * when the snapshot has the worker's cores: the wall-clock time minus the
//     earliest req_info.request_start of its cores in a request (whole
//     seconds, as uWSGI writes it); the request is then also dated for the
//     snapshots without cores that follow;
//   * otherwise: since the first snapshot that showed it busy at this count,
//     a lower bound that falls short by less than one interval.
// seconds() is parallel to the last snapshot's workers: NaN for a worker not
// busy, without an id, a pid or a requests counter. A snapshot whose master
// pid changed starts every worker over; reset() forgets everything.
#pragma once

#include <cstdint>
#include <vector>

#include "uwsgitop/model/model.hpp"

namespace uwsgitop {

class BusyClock {
public:
    void update(const Snapshot& snap, double mono_seconds, double wall_seconds);
    const std::vector<double>& seconds() const { return seconds_; }
    // The requests counter of worker `index` in the last snapshot (-1 unknown):
    // with its pid, what names the request seconds() is about.
    int64_t requests_of(std::size_t index) const;
    void reset();

private:
    struct Busy {
        int64_t pid = 0, requests = -1;
        double since = 0;  // monotonic time the request began (or was first seen)
    };
    // The earliest request_start of the worker's cores in a request, or 0.
    static int64_t request_start(const Snapshot& snap, const Worker& w);

    int64_t master_pid_ = -1;
    std::vector<Busy> prev_, next_;  // indexed by worker id
    std::vector<double> seconds_;
    std::vector<int64_t> requests_;
};

}  // namespace uwsgitop
