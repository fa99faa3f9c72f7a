// Unit tests for a worker's Python stacks on the screen: the view-model's
// requests and results (Enter, p), the details text (text_view), and the
// StackReader that reads off the UI thread (stack_reader.hpp) with its read
// replaced by the test's.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "tui_test_support.hpp"
#include "uwsgitop/tui/keys.hpp"
#include "uwsgitop/tui/stack_reader.hpp"
#include "uwsgitop/tui/text_view.hpp"
#include "uwsgitop/tui/view_model.hpp"

using namespace uwsgitop;
using namespace uwsgitop::tui;
using tuitest::TestSnap;
using tuitest::keys;

namespace {

TestSnap two() {
    return TestSnap{
        {1, 101, "idle", 10, 1.0, 1, 0},
        {2, 102, "busy", 40, 5.0, 1, 1, "/slow"},
    };
}

ViewModel make(TestSnap& t) {
    ViewModel vm(tuitest::default_options(), "/run/app/stats.sock");
    vm.set_size(120, 40);
    vm.set_snapshot(&t.snap, &t.rates, tuitest::kNow);
    return vm;
}

WorkerStack stack_of_two() {
    WorkerStack ws;
    ws.worker_id = 2;
    ws.read = true;
    ws.frames = {{"uWSGIWorker2Core0", "app.py", 77, "application", "_sleep(s)"}};
    return ws;
}

std::string detail_text(const ViewModel& vm) {
    TextLines lines;
    build_detail(vm, lines);
    std::string all;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        all += lines[i].text;
        all += '\n';
    }
    return all;
}

}  // namespace

TEST_CASE("stacks view: Enter on a worker asks for its stacks once; p asks again, only in its details") {
    TestSnap t = two();
    ViewModel vm = make(t);
    CHECK_FALSE(vm.take_stack_request());
    keys(vm, "p");
    CHECK_FALSE(vm.take_stack_request());  // no details open: a hint, no read
    CHECK(std::string(vm.flash()).find("Enter on a worker") != std::string::npos);
    vm.handle_key(key::Enter);
    REQUIRE(vm.overlay() == Overlay::Detail);
    const int64_t shown = vm.detail_worker();
    CHECK(vm.take_stack_request());
    CHECK_FALSE(vm.take_stack_request());  // once
    keys(vm, "p");
    CHECK(vm.overlay() == Overlay::Detail);  // p keeps the details open
    CHECK(vm.take_stack_request());
    CHECK(std::string(vm.flash()) == "p: reading worker " + std::to_string(shown) + "'s Python stacks");
    vm.handle_key(key::Escape);
    keys(vm, "p");
    CHECK_FALSE(vm.take_stack_request());
}

TEST_CASE("stacks view: the details say reading, then show the frames; another worker's result is not kept") {
    TestSnap t = two();
    ViewModel vm = make(t);
    vm.handle_key(key::Enter);  // the busiest worker first: worker 2
    REQUIRE(vm.detail_worker() == 2);
    CHECK(detail_text(vm).find("Python stacks (p reads them)") != std::string::npos);
    vm.set_stack_reading();
    CHECK(detail_text(vm).find("Python stacks (reading...)") != std::string::npos);

    WorkerStack other;
    other.worker_id = 1;
    other.read = true;
    vm.set_stack(other, tuitest::kNow);
    CHECK(vm.detail_stack().worker == INT64_MIN);

    vm.set_stack_reading();
    vm.set_stack(stack_of_two(), tuitest::kNow);
    const std::string text = detail_text(vm);
    CHECK(text.find("Python stacks (read ") != std::string::npos);
    CHECK(text.find("; p reads again)") != std::string::npos);
    CHECK(text.find("  thread uWSGIWorker2Core0\n    app.py:77 application\n      _sleep(s)\n") != std::string::npos);

    WorkerStack none;
    none.worker_id = 2;
    none.reason = "/run/app/stats.sock: no Python tracebacker: start uWSGI with --py-tracebacker /run/app/tb "
                  "--enable-threads (or give uwsgitop --tracebacker PREFIX)";
    vm.set_stack(none, tuitest::kNow);
    const std::string hint = detail_text(vm);
    CHECK(hint.find("no Python tracebacker: start uWSGI with") != std::string::npos);
    CHECK(hint.find("thread uWSGIWorker2Core0") == std::string::npos);
}

TEST_CASE("stack reader: reads on its own thread, one at a time, the latest request kept for after") {
    TestSnap t = two();
    std::atomic<bool> release{false};
    std::atomic<int> reads{0};
    StackScope scope;
    REQUIRE(parse_address("/run/app/stats.sock", scope.address));
    StackReader reader(std::move(scope), [&](const action::ProcRoot&, const action::StackTarget& target) {
        ++reads;
        while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        WorkerStack ws;
        ws.worker_id = target.worker_id;
        ws.read = true;
        ws.frames = {{"T", "f.py", target.pid, "g", ""}};  // the pid the snapshot named, as the line
        return ws;
    });
    CHECK_FALSE(reader.in_flight());
    reader.request(t.snap, 2);
    CHECK(reader.in_flight());
    CHECK_FALSE(reader.take().has_value());  // never waits
    reader.request(t.snap, 1);               // kept until the first ends
    reader.request(t.snap, 2);               // replaces the kept one
    release = true;
    std::optional<WorkerStack> first;
    REQUIRE(tuitest::eventually([&] { return (first = reader.take()).has_value(); }, 5.0));
    CHECK(first->worker_id == 2);
    CHECK(first->frames[0].line == 102);
    std::optional<WorkerStack> second;
    REQUIRE(tuitest::eventually([&] { return (second = reader.take()).has_value(); }, 5.0));
    CHECK(second->worker_id == 2);
    CHECK_FALSE(reader.in_flight());
    CHECK(reads == 2);
}

TEST_CASE("stack reader: a replay, the demo or no single address is refused at once, nothing read") {
    Options replay = tuitest::default_options();
    replay.replay_path = "/tmp/x.jsonl";
    CHECK(stack_scope(replay, "").refusal == "stacks: a recording is not a live instance; no stack is read");
    Options demo = tuitest::default_options();
    demo.demo = true;
    CHECK(stack_scope(demo, "").refusal.find("the demo") != std::string::npos);
    CHECK(stack_scope(tuitest::default_options(), "").refusal == "stacks: no single instance on this screen");
    CHECK(stack_scope(tuitest::default_options(), "/run/app/stats.sock").refusal.empty());

    TestSnap t = two();
    int reads = 0;
    StackReader reader(stack_scope(replay, ""), [&](const action::ProcRoot&, const action::StackTarget&) {
        ++reads;
        return WorkerStack{};
    });
    reader.request(t.snap, 2);
    CHECK_FALSE(reader.in_flight());
    const std::optional<WorkerStack> got = reader.take();
    REQUIRE(got.has_value());
    CHECK(got->worker_id == 2);
    CHECK_FALSE(got->read);
    CHECK(got->reason.find("recording") != std::string::npos);
    CHECK(reads == 0);
}
