// capture_reader.cpp — long requests' stacks read off the UI thread (see capture_reader.hpp).
#include "uwsgitop/tui/capture_reader.hpp"

#include <mutex>
#include <thread>
#include <utility>

#include "uwsgitop/tui/signals.hpp"

namespace uwsgitop::tui {

// One read on its own thread; the result once it has returned.
struct CaptureReader::Runner {
    action::CaptureTarget target;
    std::mutex mu;
    std::optional<WorkerStack> result;
    std::thread thread;

    Runner(const ReadStack& read, const action::ProcRoot& proc, action::CaptureTarget t) : target(std::move(t)) {
        thread = start_without_screen_signals([this, read, proc] {
            WorkerStack ws = read(proc, target.target);
            const std::lock_guard<std::mutex> lock(mu);
            result = std::move(ws);
        });
    }
    ~Runner() {
        if (thread.joinable()) thread.join();
    }
    Runner(const Runner&) = delete;
    Runner& operator=(const Runner&) = delete;
    std::optional<WorkerStack> done() {
        const std::lock_guard<std::mutex> lock(mu);
        return result;
    }
};

CaptureReader::CaptureReader(StackScope scope, double stuck_after, ReadStack read)
    : scope_(std::move(scope)), read_(std::move(read)), captures_(stuck_after, scope_.given, scope_.proc) {
    if (!read_) read_ = [](const action::ProcRoot& proc, const action::StackTarget& t) { return action::read_stack_of(proc, t); };
}

CaptureReader::~CaptureReader() = default;

void CaptureReader::on_snapshot(const Snapshot& snap, const Rates& rates) {
    if (!scope_.refusal.empty()) return;
    due_.clear();
    captures_.due(snap, rates, scope_.address, due_);
    for (action::CaptureTarget& t : due_) queue_.push_back(std::move(t));
    if (!runner_) start_next();
}

void CaptureReader::start_next() {
    if (queue_.empty()) return;
    runner_ = std::make_unique<Runner>(read_, scope_.proc, std::move(queue_.front()));
    queue_.pop_front();
}

bool CaptureReader::take() {
    if (!runner_) return false;
    std::optional<WorkerStack> got = runner_->done();
    if (!got) return false;
    const action::CaptureTarget target = runner_->target;
    runner_.reset();  // joins the finished thread
    captures_.store(target, std::move(*got));
    start_next();
    return true;
}

}  // namespace uwsgitop::tui
