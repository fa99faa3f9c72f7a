// Tests for tracebacker_text.hpp (the parse, hostile input too) and
// tracebacker.hpp (the holder proof and the read) on a fake /proc tree
// beside real unix sockets this test binds and serves.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

#include "fake_proc.hpp"
#include "uwsgitop/action/tracebacker.hpp"
#include "uwsgitop/action/tracebacker_text.hpp"

namespace act = uwsgitop::action;
namespace fs = std::filesystem;
using actiontest::FakeProc;
using namespace std::string_literals;

namespace {

constexpr const char* kLab =
    "*** uWSGI Python tracebacker output ***\n\n"
    "thread_id = uWSGIWorker1Core0 filename = app.py lineno = 7 function = application line = middle(6)\n"
    "thread_id = uWSGIWorker1Core0 filename = app.py lineno = 5 function = middle line = inner(n)\n"
    "thread_id = uWSGIWorker1Core0 filename = app.py lineno = 3 function = inner line = time.sleep(n)\n"
    "thread_id = Thread-1 filename = /usr/lib/python3/threading.py lineno = 320 function = wait line = waiter.acquire()\n\n";

// A unix socket this test listens on at PATH that answers each connection
// with `reply` (or nothing, held open, when `silent`); counts the accepts.
struct Server {
    std::string path;
    int fd = -1;
    std::string reply;
    bool silent = false;
    std::atomic<int> accepts{0};
    std::atomic<bool> stop{false};
    std::thread thread;

    Server(std::string p, std::string r, bool quiet = false) : path(std::move(p)), reply(std::move(r)), silent(quiet) {
        fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        REQUIRE(path.size() < sizeof a.sun_path);
        std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(fd, 8) == 0);
        thread = std::thread([this] { serve(); });
    }
    ~Server() {
        stop = true;
        thread.join();
        ::close(fd);
    }
    uint64_t inode() const {
        struct stat st {};
        ::fstat(fd, &st);
        return st.st_ino;
    }
    void serve() {
        while (!stop) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 50) != 1) continue;
            const int c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) continue;
            ++accepts;
            if (silent) {
                while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(20));
            } else {
                for (std::size_t at = 0; at < reply.size();) {
                    const ssize_t n = ::write(c, reply.data() + at, reply.size() - at);
                    if (n <= 0) break;
                    at += static_cast<std::size_t>(n);
                }
            }
            ::close(c);
        }
    }
};

}  // namespace

TEST_CASE("tracebacker text: uWSGI's lines, outermost first, threads one after another") {
    const auto frames = act::parse_tracebacker(kLab);
    REQUIRE(frames.size() == 4);
    CHECK(frames[0].thread == "uWSGIWorker1Core0");
    CHECK(frames[0].file == "app.py");
    CHECK(frames[0].line == 7);
    CHECK(frames[0].function == "application");
    CHECK(frames[0].code == "middle(6)");
    CHECK(frames[2].function == "inner");
    CHECK(frames[2].code == "time.sleep(n)");
    CHECK(frames[3].thread == "Thread-1");
    CHECK(frames[3].file == "/usr/lib/python3/threading.py");
    CHECK(frames[3].line == 320);
    CHECK(act::parse_tracebacker("*** uWSGI Python tracebacker output ***\n\n").empty());
    CHECK(act::parse_tracebacker("").empty());
}

TEST_CASE("tracebacker text: missing fields, odd numbers, noise lines, CRLF") {
    const auto frames = act::parse_tracebacker(
        "garbage\nthread_id = T1 filename = a.py\r\n"
        "thread_id = T2 filename = b.py lineno = x9 function = f\n"
        "  thread_id = not at the start\n"
        "thread_id = T3 filename = c.py lineno = 12 function = g line = \n"
        "thread_id = \n");
    REQUIRE(frames.size() == 4);
    CHECK(frames[0].thread == "T1");
    CHECK(frames[0].file == "a.py");
    CHECK_FALSE(frames[0].line.has_value());
    CHECK(frames[0].function.empty());
    CHECK(frames[1].file == "b.py");
    CHECK_FALSE(frames[1].line.has_value());  // "x9" is no line number
    CHECK(frames[1].function == "f");
    CHECK(frames[1].code.empty());
    CHECK(frames[2].line == 12);
    CHECK(frames[2].code.empty());
    CHECK(frames[3].thread.empty());
}

TEST_CASE("tracebacker text: control bytes and bad UTF-8 are escaped, huge fields cut, frames capped") {
    const std::string hostile = "thread_id = T\x1b[2J filename = \x9b\xff.py lineno = 1 function = f\x07 line = x = \"\x1b]0;pwn\x07\"\n"s;
    const auto frames = act::parse_tracebacker(hostile);
    REQUIRE(frames.size() == 1);
    for (const std::string* s : {&frames[0].thread, &frames[0].file, &frames[0].function, &frames[0].code}) {
        for (char c : *s) CHECK(static_cast<unsigned char>(c) >= 0x20);
        CHECK(s->find('\x1b') == std::string::npos);
    }
    CHECK(frames[0].thread == "T\\x1b[2J");
    CHECK(frames[0].code.find("line") == std::string::npos);  // the first " line = " ends the function

    const std::string huge = "thread_id = " + std::string(1 << 20, 'A') + " filename = " + std::string(300000, '\x01') +
                             " lineno = 99999999999999999999 function = f line = " + std::string(1 << 20, 'c') + "\n";
    const auto big = act::parse_tracebacker(huge);
    REQUIRE(big.size() == 1);
    CHECK(big[0].thread.size() == act::kMaxStackField);
    CHECK(big[0].file.size() <= act::kMaxStackField);
    CHECK(big[0].file.rfind("\\x01", 0) == 0);
    CHECK_FALSE(big[0].line.has_value());  // out of range: unknown
    CHECK(big[0].code.size() == act::kMaxStackField);

    std::string many;
    for (int i = 0; i < 5000; ++i) many += "thread_id = T filename = f lineno = 1 function = g line = h\n";
    CHECK(act::parse_tracebacker(many).size() == act::kMaxStackFrames);

    const std::string utf8 = "thread_id = T filename = " + std::string(act::kMaxStackField - 1, 'a') + "\xc3\xbc lineno = 1\n";
    const auto cut = act::parse_tracebacker(utf8);
    REQUIRE(cut.size() == 1);
    CHECK(cut[0].file == std::string(act::kMaxStackField - 1, 'a'));  // never half a character
}

TEST_CASE("tracebacker: the socket a worker holds is proven; another's, a file, a link or a stale one are refused") {
    FakeProc p;
    const std::string prefix = (p.root / "tb").string();
    Server mine(prefix + "1", kLab);
    p.process(10, 1, {});
    p.process(701, 10, {7, mine.inode(), 9});
    p.process(702, 10, {7, 8});

    uwsgitop::UniqueFd node;
    CHECK(act::open_held_socket(p.proc(), 701, "worker 1, pid 701", prefix + "1", node));
    const uwsgitop::Status other = act::open_held_socket(p.proc(), 702, "worker 1, pid 702", prefix + "1", node);
    REQUIRE_FALSE(other);
    CHECK(other.message().find("does not hold the socket bound there") != std::string::npos);
    CHECK(other.message().find("refused, not connected") != std::string::npos);

    p.write("tb2", "a regular file");
    const uwsgitop::Status file = act::open_held_socket(p.proc(), 701, "w", prefix + "2", node);
    CHECK(file.message() == "w: " + prefix + "2: a regular file, not a unix socket; refused, not connected");
    fs::create_symlink(prefix + "1", prefix + "3");
    CHECK(act::open_held_socket(p.proc(), 701, "w", prefix + "3", node).message().find("a symbolic link") !=
          std::string::npos);
    CHECK(act::open_held_socket(p.proc(), 701, "w", prefix + "4", node).message().find("no such socket") !=
          std::string::npos);
    {
        Server gone(prefix + "5", "");
    }  // closed: its file is left behind, nobody listens there
    CHECK(act::open_held_socket(p.proc(), 701, "w", prefix + "5", node).message().find("no listening socket") !=
          std::string::npos);
    CHECK(mine.accepts == 0);  // proving connects to nothing
}

TEST_CASE("tracebacker: a proven worker's socket is read and parsed; the others are never connected to") {
    FakeProc p;
    const std::string prefix = (p.root / "tb").string();
    Server one(prefix + "1", kLab);
    Server two(prefix + "2", kLab);
    p.process(10, 1, {});
    p.process(701, 10, {one.inode()});
    p.process(702, 99, {two.inode()});  // not a child of the master

    const uwsgitop::WorkerStack ws = act::read_worker_stack(p.proc(), 10, 1, 701, prefix, 1.0);
    CHECK(ws.read);
    CHECK(ws.reason.empty());
    REQUIRE(ws.frames.size() == 4);
    CHECK(ws.frames[1].function == "middle");
    CHECK(one.accepts == 1);

    const uwsgitop::WorkerStack refused = act::read_worker_stack(p.proc(), 10, 2, 702, prefix, 1.0);
    CHECK_FALSE(refused.read);
    CHECK(refused.reason.find("worker 2, pid 702: its parent is pid 99") == 0);
    const uwsgitop::WorkerStack bad_pid = act::read_worker_stack(p.proc(), 10, 3, 1, prefix, 1.0);
    CHECK(bad_pid.reason.find("pid 1 is init") != std::string::npos);
    CHECK(two.accepts == 0);
}

TEST_CASE("tracebacker: reads are bounded in time and size") {
    FakeProc p;
    const std::string prefix = (p.root / "tb").string();
    Server silent(prefix + "1", "", true);
    Server flood(prefix + "2", std::string(act::kMaxTracebackerBytes + 10, 'x'));
    p.process(10, 1, {});
    p.process(701, 10, {silent.inode()});
    p.process(702, 10, {flood.inode()});

    const auto start = std::chrono::steady_clock::now();
    const uwsgitop::WorkerStack slow = act::read_worker_stack(p.proc(), 10, 1, 701, prefix, 0.3);
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK_FALSE(slow.read);
    CHECK(slow.reason.find("no end within") != std::string::npos);
    CHECK(took < 2.0);
    const uwsgitop::WorkerStack big = act::read_worker_stack(p.proc(), 10, 2, 702, prefix, 1.0);
    CHECK_FALSE(big.read);
    CHECK(big.reason.find("larger than") != std::string::npos);
}

namespace {

// A master snapshot from pid 10 over a unix socket, with workers 1 and 2.
uwsgitop::Snapshot master_snapshot(long pid1, long pid2) {
    uwsgitop::Snapshot s;
    s.kind = uwsgitop::SnapshotKind::Master;
    s.pid = 10;
    s.peer = actiontest::unix_peer(10);
    for (long id : {1L, 2L}) {
        uwsgitop::Worker w;
        w.id = id;
        w.pid = id == 1 ? pid1 : pid2;
        s.workers.push_back(w);
    }
    uwsgitop::Worker cheap;  // a cheaper worker that is not running: id 0, no stack to read
    cheap.id = 0;
    cheap.pid = 0;
    s.workers.push_back(cheap);
    return s;
}

uwsgitop::Address address_of(const char* text) {
    uwsgitop::Address a;
    REQUIRE(uwsgitop::parse_address(text, a));
    return a;
}

}  // namespace

TEST_CASE("tracebacker: read_stacks finds the prefix on the master's command line and reads every worker") {
    FakeProc p;
    const std::string prefix = (p.root / "tb").string();
    Server one(prefix + "1", kLab);
    p.process(10, 1, {}, "uwsgi\0--enable-threads\0--py-tracebacker\0"s + prefix + "\0"s);
    p.process(701, 10, {one.inode()});
    p.process(702, 10, {});
    const act::StackReport r = act::read_stacks(p.proc(), master_snapshot(701, 702), address_of("/run/app/stats.sock"), "");
    CHECK(r.note.empty());
    CHECK(r.prefix == prefix);
    REQUIRE(r.workers.size() == 2);
    CHECK(r.workers[0].read);
    CHECK(r.workers[0].frames.size() == 4);
    CHECK_FALSE(r.workers[1].read);
    CHECK(r.workers[1].reason.find("worker 2, pid 702: " + prefix + "2: no such socket") == 0);
}

TEST_CASE("tracebacker: read_stacks says in one line why not: no tracebacker, a remote or unproven instance") {
    FakeProc p;
    p.process(10, 1, {}, "uwsgi\0--master\0"s);
    p.process(701, 10, {});
    const uwsgitop::Snapshot snap = master_snapshot(701, 702);
    const act::StackReport none = act::read_stacks(p.proc(), snap, address_of("/run/app/stats.sock"), "");
    CHECK(none.hint);
    CHECK(none.note == "/run/app/stats.sock: " + std::string(act::kTracebackerHint));
    CHECK(none.workers.empty());
    CHECK(none.note.find("--py-tracebacker /run/app/tb --enable-threads") != std::string::npos);

    const act::StackReport remote = act::read_stacks(p.proc(), snap, address_of("192.0.2.1:9191"), "/tmp/tb");
    CHECK_FALSE(remote.hint);
    CHECK(remote.note.find("192.0.2.1:9191: stacks are read from local instances only") == 0);
    CHECK(remote.workers.empty());

    uwsgitop::Snapshot liar = master_snapshot(701, 702);
    liar.peer = actiontest::unix_peer(11);  // another process answered
    const act::StackReport unproven = act::read_stacks(p.proc(), liar, address_of("/run/app/stats.sock"), "/tmp/tb");
    CHECK(unproven.note.find("the process that answered is pid 11") != std::string::npos);
    CHECK(unproven.workers.empty());
}

TEST_CASE("tracebacker: read_stack_of reads one worker of a snapshot, or gives the instance's line") {
    FakeProc p;
    const std::string prefix = (p.root / "tb").string();
    Server one(prefix + "1", kLab);
    Server two(prefix + "2", kLab);
    p.process(10, 1, {}, "uwsgi\0--master\0"s);
    p.process(701, 10, {one.inode()});
    p.process(702, 10, {two.inode()});
    const uwsgitop::Snapshot snap = master_snapshot(701, 702);
    const act::StackTarget t = act::stack_target(snap, address_of("/run/app/stats.sock"), 1, prefix);
    CHECK(t.master);
    CHECK(t.master_pid == 10);
    CHECK(t.pid == 701);
    const uwsgitop::WorkerStack ws = act::read_stack_of(p.proc(), t);
    CHECK(ws.read);
    CHECK(ws.worker_id == 1);
    CHECK(ws.frames.size() == 4);
    CHECK(one.accepts == 1);
    CHECK(two.accepts == 0);  // only the worker asked for

    const uwsgitop::WorkerStack hint =
        act::read_stack_of(p.proc(), act::stack_target(snap, address_of("/run/app/stats.sock"), 2, ""));
    CHECK_FALSE(hint.read);
    CHECK(hint.reason.find(act::kTracebackerHint) != std::string::npos);
    CHECK(act::stack_target(snap, address_of("/run/app/stats.sock"), 9, "").pid == 0);  // not in the snapshot
    CHECK(two.accepts == 0);
}
