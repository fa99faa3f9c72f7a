// stack_reader.cpp — the details' stack reads on a thread (see stack_reader.hpp).
#include "uwsgitop/tui/stack_reader.hpp"

#include <mutex>
#include <thread>
#include <utility>

#include "uwsgitop/tui/signals.hpp"

namespace uwsgitop::tui {

StackScope stack_scope(const Options& o, const std::string& address) {
    StackScope s;
    s.given = o.tracebacker;
    if (o.demo) {
        s.refusal = "stacks: the demo is not a live instance; no stack is read";
    } else if (!o.replay_path.empty()) {
        s.refusal = "stacks: a recording is not a live instance; no stack is read";
    } else if (address.empty()) {
        s.refusal = "stacks: no single instance on this screen";
    } else if (Status st = parse_address(address, s.address); !st) {
        s.refusal = "stacks: " + st.message();
    }
    return s;
}

StackReadThread::StackReadThread(const ReadStack& read, const action::ProcRoot& proc, action::StackTarget target) {
    thread_ = start_without_screen_signals([this, read, proc, target = std::move(target)] {
        WorkerStack ws = read(proc, target);
        const std::lock_guard<std::mutex> lock(mu_);
        result_ = std::move(ws);
    });
}

StackReadThread::~StackReadThread() {
    if (thread_.joinable()) thread_.join();
}

std::optional<WorkerStack> StackReadThread::done() {
    const std::lock_guard<std::mutex> lock(mu_);
    return result_;
}

StackReader::StackReader(StackScope scope, ReadStack read) : scope_(std::move(scope)), read_(std::move(read)) {
    if (!read_) read_ = [](const action::ProcRoot& proc, const action::StackTarget& t) { return action::read_stack_of(proc, t); };
}

StackReader::~StackReader() = default;

void StackReader::start(action::StackTarget target) {
    runner_ = std::make_unique<StackReadThread>(read_, scope_.proc, std::move(target));
}

void StackReader::request(const Snapshot& snap, int64_t worker_id) {
    if (!scope_.refusal.empty()) {
        WorkerStack ws;
        ws.worker_id = static_cast<long>(worker_id);
        ws.reason = scope_.refusal;
        refused_ = std::move(ws);
        return;
    }
    action::StackTarget target = action::stack_target(snap, scope_.address, static_cast<long>(worker_id), scope_.given);
    if (runner_) next_ = std::move(target);
    else start(std::move(target));
}

bool StackReader::in_flight() const { return runner_ != nullptr; }

std::optional<WorkerStack> StackReader::take() {
    if (refused_) return std::exchange(refused_, std::nullopt);
    if (!runner_) return std::nullopt;
    std::optional<WorkerStack> got = runner_->done();
    if (!got) return std::nullopt;
    runner_.reset();  // joins the finished thread
    if (next_) start(*std::exchange(next_, std::nullopt));
    return got;
}

}  // namespace uwsgitop::tui
