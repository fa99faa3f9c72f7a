// Tests for safety.hpp: local addresses, live sources, freshness, and the /proc
// checks on a fake /proc tree (net/tcp, net/unix, PID/fd, PID/stat, PID/cmdline);
// the FIFO writer on real FIFOs; signals only to a child this test forks.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_proc.hpp"
#include "uwsgitop/action/safety.hpp"

namespace act = uwsgitop::action;
namespace fs = std::filesystem;
using uwsgitop::Address;
using uwsgitop::parse_address;

namespace {

using actiontest::FakeProc;
using actiontest::spawn_sleep;

Address addr(const std::string& text) {
    Address a;
    REQUIRE(parse_address(text, a).is_ok());
    return a;
}

const char* kTcp =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 0100007F:23C7 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 5555 1 0 100 0 0 10 0\n"
    "   1: 0100007F:23C8 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 6666 1 0 100 0 0 10 0\n";
const char* kUnix =
    "Num       RefCount Protocol Flags    Type St Inode Path\n"
    "0000000000000000: 00000002 00000000 00010000 0001 01 7777 /tmp/lab/stats.sock\n"
    "0000000000000000: 00000002 00000000 00000000 0001 03 7778 /tmp/lab/stats.sock\n"
    "0000000000000000: 00000002 00000000 00010000 0001 01 8888 @uwsgi-stats@\n";

}  // namespace

TEST_CASE("check_address_local: unix, abstract, loopback only") {
    CHECK(act::check_address_local(addr("/tmp/s.sock")).is_ok());
    CHECK(act::check_address_local(addr("@name")).is_ok());
    CHECK(act::check_address_local(addr("127.0.0.1:9191")).is_ok());
    CHECK(act::check_address_local(addr(":9191")).is_ok());
    CHECK(act::check_address_local(addr("localhost:9191")).is_ok());
    CHECK(act::check_address_local(addr("[::1]:9191")).is_ok());
    const uwsgitop::Status remote = act::check_address_local(addr("192.0.2.1:9191"));
    CHECK(remote.message().find("192.0.2.1:9191: not a local address") != std::string::npos);
    CHECK_FALSE(act::check_address_local(addr("127.evil.example.com:1")).is_ok());
    CHECK_FALSE(act::check_address_local(addr("http://127.0.0.1:1/")).is_ok());
    CHECK_FALSE(act::check_address_local(addr("file:/tmp/x.json")).is_ok());
    CHECK_FALSE(act::check_address_local(addr("-")).is_ok());
}

TEST_CASE("check_source_live: replay, demo, file, stdin and --read-only refuse") {
    const Address a = addr("/tmp/s.sock");
    CHECK(act::check_source_live(a, {}).is_ok());
    CHECK(act::check_source_live(a, {.replay = true}).message().find("replay") != std::string::npos);
    CHECK(act::check_source_live(a, {.demo = true}).message().find("demo") != std::string::npos);
    CHECK(act::check_source_live(a, {.read_only = true}).message().find("--read-only") != std::string::npos);
    CHECK(act::check_source_live(addr("file:/tmp/x"), {}).message().find("saved snapshot") != std::string::npos);
    CHECK_FALSE(act::check_source_live(addr("-"), {}).is_ok());
}

TEST_CASE("check_fresh: younger than two intervals") {
    CHECK(act::check_fresh(0, 1000).is_ok());
    CHECK(act::check_fresh(1999, 1000).is_ok());
    CHECK(act::check_fresh(2000, 1000).message().find("2000 ms old") != std::string::npos);
    CHECK_FALSE(act::check_fresh(-5, 1000).is_ok());
}

TEST_CASE("the master must hold the listening stats socket (tcp and unix)") {
    FakeProc p;
    p.write("net/tcp", kTcp);
    p.write("net/tcp6", "  sl  local_address\n");
    p.write("net/unix", kUnix);
    p.process(100, 1, {5555, 7777, 8888});
    p.process(200, 1, {6666, 7778});  // holds only a connected socket

    CHECK(act::listening_inodes(p.proc(), addr("127.0.0.1:9159")) == std::vector<uint64_t>{5555});
    CHECK(act::listening_inodes(p.proc(), addr("127.0.0.1:9160")).empty());  // 23C8 is not LISTEN
    CHECK(act::listening_inodes(p.proc(), addr("/tmp/lab/stats.sock")) == std::vector<uint64_t>{7777});
    CHECK(act::listening_inodes(p.proc(), addr("@uwsgi-stats")) == std::vector<uint64_t>{8888});

    CHECK(act::check_master_holds_socket(p.proc(), 100, addr("127.0.0.1:9159")).is_ok());
    CHECK(act::check_master_holds_socket(p.proc(), 100, addr("/tmp/lab/stats.sock")).is_ok());
    CHECK(act::check_master_holds_socket(p.proc(), 100, addr("@uwsgi-stats")).is_ok());
    const uwsgitop::Status liar = act::check_master_holds_socket(p.proc(), 200, addr("127.0.0.1:9159"));
    CHECK(liar.message().find("master pid 200 does not hold the stats socket") != std::string::npos);
    CHECK(act::check_master_holds_socket(p.proc(), 999, addr("127.0.0.1:9159")).message().find("not a process") !=
          std::string::npos);
    CHECK(act::check_master_holds_socket(p.proc(), 100, addr("127.0.0.1:1")).message().find("no listening socket") !=
          std::string::npos);
    CHECK_FALSE(act::check_master_holds_socket(p.proc(), 0, addr("127.0.0.1:9159")).is_ok());
}

TEST_CASE("a TCP listener counts only on an address the client can have reached") {
    FakeProc p;
    // 127.0.0.2:9159 (another process, same port), 0.0.0.0:9170, [::1]:9171, [::]:9172,
    // [::ffff:127.0.0.1]:9173.
    p.write("net/tcp",
            "  sl  local_address rem_address   st\n"
            "   0: 0200007F:23C7 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 4444 1\n"
            "   1: 00000000:23D2 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 4445 1\n");
    p.write("net/tcp6",
            "  sl  local_address rem_address   st\n"
            "   0: 00000000000000000000000001000000:23D3 00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 4446 1\n"
            "   1: 00000000000000000000000000000000:23D4 00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 4447 1\n"
            "   2: 0000000000000000FFFF00000100007F:23D5 00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 4448 1\n");
    CHECK(act::listening_inodes(p.proc(), addr("127.0.0.1:9159")).empty());  // 127.0.0.2 is not where we connected
    CHECK(act::listening_inodes(p.proc(), addr("127.0.0.2:9159")) == std::vector<uint64_t>{4444});
    CHECK(act::listening_inodes(p.proc(), addr("127.0.0.1:9170")) == std::vector<uint64_t>{4445});
    CHECK(act::listening_inodes(p.proc(), addr("[::1]:9171")) == std::vector<uint64_t>{4446});
    CHECK(act::listening_inodes(p.proc(), addr("127.0.0.1:9171")).empty());
    CHECK(act::listening_inodes(p.proc(), addr("localhost:9171")) == std::vector<uint64_t>{4446});
    CHECK(act::listening_inodes(p.proc(), addr("127.0.0.1:9172")) == std::vector<uint64_t>{4447});
    CHECK(act::listening_inodes(p.proc(), addr("127.0.0.1:9173")) == std::vector<uint64_t>{4448});
}

TEST_CASE("check_parent: the worker's ppid must be the master") {
    FakeProc p;
    p.process(100, 1, {});
    p.process(101, 100, {});
    p.process(300, 42, {});  // an unrelated process the snapshot calls a worker
    CHECK(act::parent_of(p.proc(), 101) == 100);
    CHECK(act::check_parent(p.proc(), 101, 100, 1).is_ok());
    CHECK(act::check_parent(p.proc(), 300, 100, 2).message() ==
          "worker 2, pid 300: its parent is pid 42, not the master pid 100; refused");
    CHECK(act::check_parent(p.proc(), 555, 100, 3).message().find("worker 3, pid 555 is gone") != std::string::npos);
    CHECK_FALSE(act::check_parent(p.proc(), 1, 100, 3).is_ok());
}

TEST_CASE("master_fifo_from_cmdline: --master-fifo PATH, --master-fifo=PATH, master-fifo=PATH") {
    FakeProc p;
    using namespace std::string_literals;
    p.process(10, 1, {}, "uwsgi\0--master\0--master-fifo\0/tmp/f1\0"s);
    p.process(11, 1, {}, "uwsgi\0--master-fifo=/tmp/f2\0"s);
    p.process(12, 1, {}, "uwsgi\0master-fifo=/tmp/f3"s);
    p.process(13, 1, {}, "uwsgi\0--master\0--master-fifo\0"s);
    CHECK(act::master_fifo_from_cmdline(p.proc(), 10) == "/tmp/f1");
    CHECK(act::master_fifo_from_cmdline(p.proc(), 11) == "/tmp/f2");
    CHECK(act::master_fifo_from_cmdline(p.proc(), 12) == "/tmp/f3");
    CHECK_FALSE(act::master_fifo_from_cmdline(p.proc(), 13).has_value());
    CHECK_FALSE(act::master_fifo_from_cmdline(p.proc(), 99).has_value());
}

TEST_CASE("check_parent on the real /proc: a child of this test") {
    const pid_t child = spawn_sleep();
    CHECK(act::check_parent(act::ProcRoot{}, child, getpid(), 1).is_ok());
    CHECK_FALSE(act::check_parent(act::ProcRoot{}, child, getppid(), 1).is_ok());
    CHECK(act::send_signal(child, SIGTERM, "worker 1, pid " + std::to_string(child)).is_ok());
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    CHECK(WIFSIGNALED(status));
    // Reaped: the pid is gone now (ESRCH), one clear line.
    CHECK(act::send_signal(child, 0, "worker 1").message() == "worker 1: no such process (ESRCH: it exited meanwhile)");
    CHECK_FALSE(act::send_signal(1, SIGTERM, "init").is_ok());  // pid 1 is refused before kill()
}

TEST_CASE("signal_worker: checks the pinned child, refuses a process that is not the master's child") {
    const pid_t child = spawn_sleep();
    const std::string who = "worker 1, pid " + std::to_string(child);
    // Named as a worker of another "master" (our parent): refused, still alive.
    const uwsgitop::Status refused = act::signal_worker(act::ProcRoot{}, child, getppid(), 1, SIGTERM, who);
    CHECK(refused.message().find("not the master pid") != std::string::npos);
    CHECK(::kill(child, 0) == 0);
    // Our child: delivered.
    CHECK(act::signal_worker(act::ProcRoot{}, child, getpid(), 1, SIGTERM, who).is_ok());
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGTERM);
    // Reaped: gone, one line, nothing sent.
    CHECK(act::signal_worker(act::ProcRoot{}, child, getpid(), 1, SIGTERM, who).message().find("ESRCH") != std::string::npos);
    CHECK_FALSE(act::signal_worker(act::ProcRoot{}, 1, getpid(), 1, SIGTERM, "init").is_ok());
}

TEST_CASE("write_fifo: no reader, not a FIFO, missing, not the master's, and a real write") {
    const pid_t master = 4242;
    actiontest::FakeProc p;
    p.process(master, 1, {});
    const fs::path dir = p.root;
    const std::string fifo = (dir / "master.fifo").string();
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    const std::string other = (dir / "other.fifo").string();
    REQUIRE(mkfifo(other.c_str(), 0600) == 0);
    fs::create_symlink(fifo, dir / std::to_string(master) / "fd" / "7");  // the master holds master.fifo

    CHECK(act::write_fifo(p.proc(), master, fifo, 'c').message().find("no process reads it (ENXIO") != std::string::npos);

    const std::string plain = (dir / "plain").string();
    std::ofstream(plain) << "keep";
    CHECK(act::write_fifo(p.proc(), master, plain, 'c').message().find("not a FIFO") != std::string::npos);
    std::ifstream in(plain);
    std::string body;
    in >> body;
    CHECK(body == "keep");

    CHECK(act::write_fifo(p.proc(), master, (dir / "missing").string(), 'c').message().find("no such file") !=
          std::string::npos);

    // A FIFO with a reader that the master does not hold: refused, nothing written.
    const int ofd = ::open(other.c_str(), O_RDONLY | O_NONBLOCK);
    REQUIRE(ofd >= 0);
    CHECK(act::write_fifo(p.proc(), master, other, 'r').message().find("master pid 4242 does not hold it open") !=
          std::string::npos);
    char got = 0;
    CHECK(::read(ofd, &got, 1) <= 0);  // nothing was written (EOF or EAGAIN)
    ::close(ofd);

    const int rfd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    REQUIRE(rfd >= 0);
    CHECK(act::write_fifo(p.proc(), master, fifo, 'c').is_ok());
    CHECK(::read(rfd, &got, 1) == 1);
    CHECK(got == 'c');
    ::close(rfd);
}

TEST_CASE("master_fifo_from_cmdline: a relative path is the master's, read against its cwd") {
    const pid_t master = 4343;
    actiontest::FakeProc p;
    p.process(master, 1, {}, std::string("uwsgi\0--master-fifo\0run/m.fifo\0", 30));
    fs::create_symlink("/srv/app", p.root / std::to_string(master) / "cwd");
    CHECK(act::master_fifo_from_cmdline(p.proc(), master) == std::optional<std::string>("/srv/app/run/m.fifo"));
    actiontest::FakeProc q;
    q.process(master, 1, {}, std::string("uwsgi\0--master-fifo=/run/a.fifo\0", 32));
    CHECK(act::master_fifo_from_cmdline(q.proc(), master) == std::optional<std::string>("/run/a.fifo"));
}
