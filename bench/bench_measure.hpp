// bench_measure.hpp — timing one benchmark stage many times.
//
// measure() first runs setup() + body() `warmup` times untimed, then calls
// setup() (not timed) and body() (timed) until the time budget is spent and
// at least `min_runs` samples exist, or `max_runs` is reached; it reports the
// median and the best wall time. Wall time is taken
// with steady_clock; the thread CPU time, the minor page faults of the
// calling thread and (where the kernel allows perf_event_open, which a VM
// often does not) retired user instructions are sampled around the whole
// series, giving per-run means.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace uwsgitop::bench {

struct StageResult {
    std::string name;
    std::size_t runs = 0;
    double median_ns = 0;
    double best_ns = 0;
    double cpu_ns = 0;                    // mean thread CPU per run (includes setup)
    double faults = 0;                    // mean minor faults per run (calling thread)
    std::optional<double> instructions;   // mean user instructions per run (body only)
};

struct Budget {
    double seconds = 1.0;
    std::size_t min_runs = 5;
    std::size_t max_runs = 100000;
    std::size_t warmup = 2;   // untimed setup+body runs first (buffers reach their size)
};

double now_ns();             // steady clock
double thread_cpu_ns();      // CLOCK_THREAD_CPUTIME_ID
long thread_minor_faults();  // getrusage(RUSAGE_THREAD).ru_minflt
long process_minor_faults(); // getrusage(RUSAGE_SELF).ru_minflt
long peak_rss_kib();         // VmHWM of this process

// A user-space instruction counter for the calling thread; valid() is false
// when perf_event_open is not permitted or not supported.
class InstructionCounter {
public:
    InstructionCounter();
    ~InstructionCounter();
    InstructionCounter(const InstructionCounter&) = delete;
    InstructionCounter& operator=(const InstructionCounter&) = delete;
    bool valid() const { return fd_ >= 0; }
    void start();
    uint64_t stop();   // instructions since start()

private:
    int fd_ = -1;
};

template <class Setup, class Body>
StageResult measure(const std::string& name, const Budget& budget, Setup&& setup, Body&& body) {
    StageResult r;
    r.name = name;
    std::vector<double> samples;
    InstructionCounter counter;
    double instr_total = 0;
    for (std::size_t i = 0; i < budget.warmup; ++i) {
        setup();
        body();
    }
    const double t_end = now_ns() + budget.seconds * 1e9;
    const double cpu0 = thread_cpu_ns();
    const long f0 = thread_minor_faults();
    while (samples.size() < budget.max_runs &&
           (samples.size() < budget.min_runs || now_ns() < t_end)) {
        setup();
        if (counter.valid()) counter.start();
        const double t0 = now_ns();
        body();
        const double t1 = now_ns();
        if (counter.valid()) instr_total += static_cast<double>(counter.stop());
        samples.push_back(t1 - t0);
    }
    r.runs = samples.size();
    const double n = static_cast<double>(r.runs);
    r.cpu_ns = (thread_cpu_ns() - cpu0) / n;
    r.faults = static_cast<double>(thread_minor_faults() - f0) / n;
    if (counter.valid()) r.instructions = instr_total / n;
    std::vector<double> sorted = samples;
    std::sort(sorted.begin(), sorted.end());
    r.best_ns = sorted.front();
    r.median_ns = sorted[sorted.size() / 2];
    return r;
}

}  // namespace uwsgitop::bench
