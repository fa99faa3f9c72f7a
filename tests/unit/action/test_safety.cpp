// Tests for safety.hpp: local addresses, live sources, freshness, and the /proc
// checks on a fake /proc tree (net/tcp, net/unix, PID/fd, PID/stat, PID/cmdline);
// the FIFO writer on real FIFOs; signals only to a child this test forks.
#include <doctest/doctest.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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

TEST_CASE("check_peer_is_master: the connection's own peer, never the address again") {
    using actiontest::tcp_peer;
    using actiontest::unix_peer;
    FakeProc p;
    p.write("net/tcp", kTcp);
    p.write("net/tcp6", "  sl  local_address\n");
    p.write("net/unix", kUnix);
    p.process(100, 1, {5555, 7777, 8888});
    p.process(200, 1, {6666, 7778});  // holds only a connected socket

    CHECK(act::listening_inodes(p.proc(), tcp_peer("127.0.0.1", 9159)) == std::vector<uint64_t>{5555});
    CHECK(act::listening_inodes(p.proc(), tcp_peer("127.0.0.1", 9160)).empty());  // 23C8 is not LISTEN
    CHECK(act::listening_inodes(p.proc(), unix_peer(100)).empty());              // TCP only

    CHECK(act::check_peer_is_master(p.proc(), 100, addr("127.0.0.1:9159"), tcp_peer("127.0.0.1", 9159)).is_ok());
    // ":9159" and "localhost:9159" are proved by where the socket went, whatever the text says.
    CHECK(act::check_peer_is_master(p.proc(), 100, addr(":9159"), tcp_peer("127.0.0.1", 9159)).is_ok());
    CHECK(act::check_peer_is_master(p.proc(), 100, addr("localhost:9159"), tcp_peer("::1", 9159)).message() ==
          "localhost:9159: no socket listens on [::1]:9159 in " + p.root.string() + "/net");
    const uwsgitop::Status liar = act::check_peer_is_master(p.proc(), 200, addr("127.0.0.1:9159"), tcp_peer("127.0.0.1", 9159));
    CHECK(liar.message() == "127.0.0.1:9159: master pid 200 does not hold the stats socket we read (127.0.0.1:9159; a "
                            "foreign or lying stats server?); refused");
    CHECK(act::check_peer_is_master(p.proc(), 999, addr("127.0.0.1:9159"), tcp_peer("127.0.0.1", 9159))
              .message()
              .find("not a process") != std::string::npos);

    // Unix and abstract sockets: the pid SO_PEERCRED named must be the master.
    CHECK(act::check_peer_is_master(p.proc(), 100, addr("/tmp/lab/stats.sock"), unix_peer(100)).is_ok());
    CHECK(act::check_peer_is_master(p.proc(), 100, addr("@uwsgi-stats"), unix_peer(100)).is_ok());
    // A server bound at an unlinked path, naming the real master: its own pid answered.
    CHECK(act::check_peer_is_master(p.proc(), 100, addr("/tmp/lab/stats.sock"), unix_peer(200)).message() ==
          "/tmp/lab/stats.sock: the process that answered is pid 200, not the master pid 100 the snapshot names (a "
          "foreign or lying stats server?); refused");

    // No peer, no master, init.
    CHECK(act::check_peer_is_master(p.proc(), 100, addr("/tmp/lab/stats.sock"), uwsgitop::Peer{}).message().find(
              "who sent the snapshot is not known") != std::string::npos);
    CHECK(act::check_peer_is_master(p.proc(), 0, addr("127.0.0.1:9159"), tcp_peer("127.0.0.1", 9159)).message().find(
              "names no master pid") != std::string::npos);
    CHECK(act::check_peer_is_master(p.proc(), 1, addr("127.0.0.1:9159"), tcp_peer("127.0.0.1", 9159)).message().find(
              "pid 1 (init)") != std::string::npos);
}

TEST_CASE("a TCP listener counts only where the socket connected; two listeners are ambiguous") {
    using actiontest::tcp_peer;
    FakeProc p;
    // 127.0.0.2:9159 (another process, same port), 0.0.0.0:9170, [::1]:9171, [::]:9172,
    // [::ffff:127.0.0.1]:9173; 9174 on 0.0.0.0 and on 127.0.0.1 both.
    p.write("net/tcp",
            "  sl  local_address rem_address   st\n"
            "   0: 0200007F:23C7 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 4444 1\n"
            "   1: 00000000:23D2 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 4445 1\n"
            "   2: 00000000:23D6 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 4449 1\n"
            "   3: 0100007F:23D6 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 4450 1\n");
    p.write("net/tcp6",
            "  sl  local_address rem_address   st\n"
            "   0: 00000000000000000000000001000000:23D3 00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 4446 1\n"
            "   1: 00000000000000000000000000000000:23D4 00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 4447 1\n"
            "   2: 0000000000000000FFFF00000100007F:23D5 00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 4448 1\n");
    p.process(100, 1, {4445, 4449, 4450});
    CHECK(act::listening_inodes(p.proc(), tcp_peer("127.0.0.1", 9159)).empty());  // 127.0.0.2 is not where we connected
    CHECK(act::listening_inodes(p.proc(), tcp_peer("127.0.0.2", 9159)) == std::vector<uint64_t>{4444});
    CHECK(act::listening_inodes(p.proc(), tcp_peer("127.0.0.1", 9170)) == std::vector<uint64_t>{4445});
    CHECK(act::listening_inodes(p.proc(), tcp_peer("::1", 9171)) == std::vector<uint64_t>{4446});
    CHECK(act::listening_inodes(p.proc(), tcp_peer("127.0.0.1", 9171)).empty());  // [::1] is not 127.0.0.1
    CHECK(act::listening_inodes(p.proc(), tcp_peer("127.0.0.1", 9172)) == std::vector<uint64_t>{4447});
    CHECK(act::listening_inodes(p.proc(), tcp_peer("::1", 9172)) == std::vector<uint64_t>{4447});
    CHECK(act::listening_inodes(p.proc(), tcp_peer("127.0.0.1", 9173)) == std::vector<uint64_t>{4448});
    // The master holds both 9174 listeners, yet which one answered cannot be proved.
    CHECK(act::listening_inodes(p.proc(), tcp_peer("127.0.0.1", 9174)) == std::vector<uint64_t>{4449, 4450});
    CHECK(act::check_peer_is_master(p.proc(), 100, addr("127.0.0.1:9174"), tcp_peer("127.0.0.1", 9174)).message() ==
          "127.0.0.1:9174: 2 sockets listen on 127.0.0.1:9174 (a wildcard beside a specific address, or "
          "SO_REUSEPORT): which one answered cannot be proved; refused");
    CHECK(act::check_peer_is_master(p.proc(), 100, addr("127.0.0.1:9170"), tcp_peer("127.0.0.1", 9170)).is_ok());
}

TEST_CASE("check_parent: the worker's ppid must be the master, and its program the master's") {
    FakeProc p;
    p.process(100, 1, {});
    p.process(101, 100, {});
    p.process(300, 42, {});  // an unrelated process the snapshot calls a worker
    p.process(102, 100, {}, "sleep", "/bin/ls");  // the master's child, another program (fork + exec)
    p.process(103, 100, {});
    p.write("103/stat", "103 (uwsgi) Z 100 1 1 0 -1\n");  // a worker that already exited
    p.process(104, 100, {}, "uwsgi", "/bin/sh", "a new auxv: exec'd");  // the same program, exec'd again
    CHECK(act::parent_of(p.proc(), 101) == 100);
    CHECK(act::check_parent(p.proc(), 101, 100, 1).is_ok());
    CHECK(act::check_parent(p.proc(), 300, 100, 2).message() ==
          "worker 2, pid 300: its parent is pid 42, not the master pid 100; refused");
    CHECK(act::check_parent(p.proc(), 102, 100, 4).message() ==
          "worker 4, pid 102: runs another program than the master pid 100 (not a worker: a daemon, a cron command "
          "or an exec'd child?); refused");
    CHECK(act::check_parent(p.proc(), 104, 100, 6).message() ==
          "worker 6, pid 104: was started by an exec, not forked from the master pid 100 (an attached daemon or "
          "another instance of the same program?); refused");
    p.write("105/status", "Name:\tuwsgi\nTgid:\t100\nPid:\t105\n");  // a thread of the master
    p.process(105, 100, {});
    CHECK(act::check_parent(p.proc(), 105, 100, 7).message() ==
          "worker 7, pid 105 is a thread of another process, not a process; refused");
    CHECK(act::check_parent(p.proc(), 103, 100, 5).message() ==
          "worker 5, pid 103 has already exited (a zombie: something else ended it); nothing sent");
    CHECK(act::check_parent(p.proc(), 555, 100, 3).message().find("worker 3, pid 555 is gone") != std::string::npos);
    CHECK_FALSE(act::check_parent(p.proc(), 1, 100, 3).is_ok());
}

TEST_CASE("check_pid: 2..pid_max, read from the kernel") {
    FakeProc p;
    p.write("sys/kernel/pid_max", "32768\n");
    CHECK(act::pid_max(p.proc()) == 32768);
    CHECK(act::check_pid(p.proc(), 2, "w").is_ok());
    CHECK(act::check_pid(p.proc(), 32768, "w").is_ok());
    CHECK(act::check_pid(p.proc(), 32769, "w").message() == "w: pid 32769 is not a valid pid; refused");
    CHECK(act::check_pid(p.proc(), (int64_t{1} << 32) + 5, "w").message() == "w: pid 4294967301 is not a valid pid; refused");
    CHECK(act::check_pid(p.proc(), 1, "w").message() == "w: pid 1 is init, never signalled; refused");
    CHECK_FALSE(act::check_pid(p.proc(), 0, "w").is_ok());
    CHECK_FALSE(act::check_pid(p.proc(), -7, "w").is_ok());
    CHECK(act::check_pid(p.proc(), INT64_MIN, "w").message() == "w: no valid pid in the snapshot; refused");
    FakeProc q;  // no pid_max: the kernel's limit
    CHECK(act::pid_max(q.proc()) == 4194304);
}

TEST_CASE("check_parent on the real /proc: a fork of this test passes, an exec'd child does not") {
    const pid_t other = spawn_sleep();
    CHECK(act::check_parent(act::ProcRoot{}, other, getpid(), 1).message().find("runs another program") != std::string::npos);
    CHECK(::kill(other, SIGKILL) == 0);  // the sleep this test started
    int reaped = 0;
    REQUIRE(waitpid(other, &reaped, 0) == other);
    const pid_t child = actiontest::spawn_fork();
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
    const pid_t child = actiontest::spawn_fork();
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


TEST_CASE("write_fifo: what is not a FIFO is never opened, only looked at (O_PATH)") {
    const pid_t master = 4242;
    actiontest::FakeProc p;
    p.process(master, 1, {});
    // A regular file watched with inotify: an open of the file itself (for
    // reading or writing) shows as IN_OPEN / IN_CLOSE_*; an O_PATH look does not.
    const std::string plain = (p.root / "watched").string();
    std::ofstream(plain) << "keep";
    const int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    REQUIRE(in >= 0);
    REQUIRE(inotify_add_watch(in, plain.c_str(), IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_MODIFY) >= 0);
    CHECK(act::write_fifo(p.proc(), master, plain, 'R').message() ==
          "master FIFO " + plain + ": a regular file, not a FIFO; refused, nothing opened or written");
    char events[4096];
    CHECK(::read(in, events, sizeof events) < 0);  // EAGAIN: no event at all
    ::close(in);

    // A character device and a unix socket at the path: named, not opened.
    CHECK(act::write_fifo(p.proc(), master, "/dev/zero", 'R').message().find("a character device, not a FIFO") !=
          std::string::npos);
    const std::string sock = (p.root / "s.sock").string();
    const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::memcpy(sun.sun_path, sock.c_str(), sock.size() + 1);
    REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&sun), sizeof sun) == 0);
    REQUIRE(::listen(s, 1) == 0);
    CHECK(act::write_fifo(p.proc(), master, sock, 'R').message() ==
          "master FIFO " + sock + ": a socket, not a FIFO; refused, nothing opened or written");
    int pending = -1;
    sockaddr_un who{};
    socklen_t len = sizeof who;
    ::fcntl(s, F_SETFL, O_NONBLOCK);
    pending = ::accept(s, reinterpret_cast<sockaddr*>(&who), &len);
    CHECK(pending < 0);  // nobody connected to it
    ::close(s);
}

TEST_CASE("check_peer_is_master: a unix peer is one process, its pid and its start time") {
    FakeProc p;
    p.process(100, 1, {});
    // 22 fields: the start time is 5000 (the comm holds spaces and a parenthesis).
    p.write("100/stat", "100 (uwsgi (x) y) S 1 100 100 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 5000 0 0\n");
    uwsgitop::Peer peer = actiontest::unix_peer(100);
    peer.start_time = 5000;
    CHECK(act::check_peer_is_master(p.proc(), 100, addr("/run/s.sock"), peer).is_ok());
    peer.start_time = 4999;  // pid 100 now is a process that started later: the pid was reused
    CHECK(act::check_peer_is_master(p.proc(), 100, addr("/run/s.sock"), peer).message() ==
          "/run/s.sock: master pid 100 is not the process that answered (it started at another time: the pid was "
          "reused); refused");
    peer.start_time = 0;
    peer.listener_exited = true;  // the socket outlived the process that listened on it
    CHECK(act::check_peer_is_master(p.proc(), 100, addr("/run/s.sock"), peer).message().find(
              "had exited when we read it: who answered cannot be proved; refused") != std::string::npos);
    // A thread id named as the master.
    p.process(101, 1, {});
    p.write("101/status", "Name:\tpython3\nTgid:\t100\nPid:\t101\n");
    CHECK(act::check_peer_is_master(p.proc(), 101, addr("/run/s.sock"), actiontest::unix_peer(101)).message().find(
              "is a thread of another process") != std::string::npos);
}

TEST_CASE("write_fifo: the master must hold its FIFO for reading, and own it") {
    const pid_t master = 4242;
    actiontest::FakeProc p;
    p.process(master, 1, {});
    const std::string fifo = (p.root / "master.fifo").string();
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    const int rfd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    REQUIRE(rfd >= 0);
    fs::create_symlink(fifo, p.root / std::to_string(master) / "fd" / "7");
    char got = 0;
    // Held through O_PATH (no permission on the FIFO needed): not a reader.
    p.write(std::to_string(master) + "/fdinfo/7", "pos:\t0\nflags:\t012100000\nmnt_id:\t20\n");
    CHECK(act::write_fifo(p.proc(), master, fifo, 'w').message().find("does not hold it open for reading") !=
          std::string::npos);
    // Held write-only: not a reader either.
    p.write(std::to_string(master) + "/fdinfo/7", "pos:\t0\nflags:\t02000001\n");
    CHECK_FALSE(act::write_fifo(p.proc(), master, fifo, 'w').is_ok());
    CHECK(::read(rfd, &got, 1) <= 0);  // nothing written
    // Held for reading, as uWSGI does (O_RDONLY|O_NONBLOCK), but another user's FIFO.
    p.write(std::to_string(master) + "/fdinfo/7", "pos:\t0\nflags:\t0104000\n");
    p.write(std::to_string(master) + "/status", "Name:\tuwsgi\nTgid:\t4242\nUid:\t65534\t65534\t65534\t65534\n");
    CHECK(act::write_fifo(p.proc(), master, fifo, 'w').message().find(
              "owned by uid " + std::to_string(geteuid()) + ", not by the master's uid 65534 (not its own FIFO)") != std::string::npos);
    CHECK(::read(rfd, &got, 1) <= 0);
    // Its own (uid 0, as this test runs), held for reading: written.
    p.write(std::to_string(master) + "/status", "Name:\tuwsgi\nTgid:\t4242\nUid:\t" + std::to_string(geteuid()) + "\t" +
                                                    std::to_string(geteuid()) + "\t0\t0\n");
    CHECK(act::write_fifo(p.proc(), master, fifo, 'w').is_ok());
    CHECK(::read(rfd, &got, 1) == 1);
    CHECK(got == 'w');
    ::close(rfd);
}
