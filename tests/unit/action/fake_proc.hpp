// fake_proc.hpp — what the action stage's tests share: a fake /proc tree
// (net/tcp, net/unix, PID/stat, PID/cmdline, PID/fd) under a temporary
// directory, removed at the end, and a `sleep` child of the test to signal.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
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
    void process(int pid, int ppid, std::initializer_list<unsigned long long> sockets, const std::string& cmdline = "uwsgi") {
        write(std::to_string(pid) + "/stat", std::to_string(pid) + " (uwsgi (odd) name) S " + std::to_string(ppid) + " 1 1 0 -1\n");
        write(std::to_string(pid) + "/cmdline", cmdline);
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

}  // namespace actiontest
