// capture_reader.cpp — long requests' stacks read off the UI thread (see capture_reader.hpp).
#include "uwsgitop/tui/capture_reader.hpp"

#include <utility>

namespace uwsgitop::tui {

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
    reading_ = std::move(queue_.front());
    queue_.pop_front();
    runner_ = std::make_unique<StackReadThread>(read_, scope_.proc, reading_.target);
}

bool CaptureReader::take() {
    if (!runner_) return false;
    std::optional<WorkerStack> got = runner_->done();
    if (!got) return false;
    runner_.reset();  // joins the finished thread
    captures_.store(reading_, std::move(*got));
    start_next();
    return true;
}

}  // namespace uwsgitop::tui
