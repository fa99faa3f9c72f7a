// fake_proc.hpp — what the action stage's tests share: a fake /proc tree
// (net/tcp, net/unix, PID/stat, PID/cmdline, PID/fd) under a temporary
// directory, removed at the end; a `sleep` child of the test and a fork of
// it to signal; peers as the socket source records them.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <arpa/inet.h>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include "uwsgitop/action/safety.hpp"

namespace actiontest {

namespace fs = std::filesystem;
namespace act = uwsgitop::action;

struct FakeProc {
    fs::path root;
    FakeProc() {
        char tmpl[] = "/tmp/uwsgitop-fakeproc-XXXXXX";
        REQUIRE(mkdtemp(tmpl) != nullptr);
        root = tmpl;
        fs::create_directories(root / "net");
    }
    ~FakeProc() { fs::remove_all(root); }
    void write(const fs::path& rel, const std::string& body) {
        fs::create_directories((root / rel).parent_path());
        std::ofstream(root / rel, std::ios::binary) << body;
    }
    // PID/stat, PID/cmdline, PID/fd (the sockets), PID/exe (a link to `exe`,
    // a real file: the checks compare what it names) and PID/auxv (equal for
    // a fork and its parent, different after an exec).
    void process(int pid, int ppid, std::initializer_list<unsigned long long> sockets, const std::string& cmdline = "uwsgi",
                 const std::string& exe = "/bin/sh", const std::string& auxv = "auxv of the master and its forks") {
        write(std::to_string(pid) + "/stat", std::to_string(pid) + " (uwsgi (odd) name) S " + std::to_string(ppid) + " 1 1 0 -1\n");
        write(std::to_string(pid) + "/cmdline", cmdline);
        fs::create_symlink(exe, root / std::to_string(pid) / "exe");
        write(std::to_string(pid) + "/auxv", auxv);
        fs::create_directories(root / std::to_string(pid) / "fd");
        int fd = 3;
        fs::create_symlink("/dev/null", root / std::to_string(pid) / "fd" / "0");
        for (unsigned long long s : sockets)
            fs::create_symlink("socket:[" + std::to_string(s) + "]", root / std::to_string(pid) / "fd" / std::to_string(fd++));
    }
    act::ProcRoot proc() const { return act::ProcRoot{root.string()}; }
};

// A child of this test running `sleep 30`, returned once it has exec'd (no
// doctest handlers left in it): the close-on-exec pipe reaches EOF at the
// exec, so a signal sent afterwards never hits the fork.
inline pid_t spawn_sleep() {
    int sync[2];
    REQUIRE(pipe2(sync, O_CLOEXEC) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        execlp("sleep", "sleep", "30", static_cast<char*>(nullptr));
        _exit(127);
    }
    ::close(sync[1]);
    char byte = 0;
    CHECK(::read(sync[0], &byte, 1) == 0);
    ::close(sync[0]);
    return child;
}

// A child of this test that is a fork of it (the same program, as a uWSGI
// worker is of its master), waiting for a signal; it ends by itself after
// 30 s. It runs nothing of the test: signal dispositions reset, then pause().
inline pid_t spawn_fork() {
    int ready[2];
    REQUIRE(pipe2(ready, O_CLOEXEC) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        for (int sig : {SIGHUP, SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGALRM}) ::signal(sig, SIG_DFL);
        ::alarm(30);
        const char byte = 1;
        if (::write(ready[1], &byte, 1) != 1) ::_exit(127);  // dispositions are reset: signal it now
        for (;;) ::pause();
    }
    ::close(ready[1]);
    char byte = 0;
    CHECK(::read(ready[0], &byte, 1) == 1);
    ::close(ready[0]);
    return child;
}

// A TCP peer as the socket source records it.
inline uwsgitop::Peer tcp_peer(const char* ip, uint16_t port) {
    uwsgitop::Peer p;
    p.kind = uwsgitop::Peer::Kind::Tcp;
    p.port = port;
    in6_addr a6{};
    in_addr a4{};
    if (inet_pton(AF_INET, ip, &a4) == 1) {
        std::memcpy(p.addr.data(), &a4, 4);
    } else {
        REQUIRE(inet_pton(AF_INET6, ip, &a6) == 1);
        p.v6 = true;
        std::memcpy(p.addr.data(), &a6, 16);
    }
    return p;
}

// A unix-socket peer: the pid SO_PEERCRED named.
inline uwsgitop::Peer unix_peer(int pid) {
    uwsgitop::Peer p;
    p.kind = uwsgitop::Peer::Kind::Unix;
    p.pid = pid;
    return p;
}

}  // namespace actiontest
