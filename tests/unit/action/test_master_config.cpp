// Tests for master_config.hpp: the master's command line and the config file
// it names, on a fake /proc tree (PID/cmdline, PID/cwd) and real files.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_proc.hpp"
#include "uwsgitop/action/master_config.hpp"

namespace act = uwsgitop::action;
namespace fs = std::filesystem;
using actiontest::FakeProc;
using namespace std::string_literals;

TEST_CASE("master config: --master-fifo PATH, --master-fifo=PATH, master-fifo=PATH; the first one counts") {
    FakeProc p;
    p.process(10, 1, {}, "uwsgi\0--master\0--master-fifo\0/tmp/f1\0--master-fifo\0/tmp/f0\0"s);
    p.process(11, 1, {}, "uwsgi\0--master-fifo=/tmp/f2\0"s);
    p.process(12, 1, {}, "uwsgi\0master-fifo=/tmp/f3"s);
    p.process(13, 1, {}, "uwsgi\0--master\0--master-fifo\0"s);
    CHECK(act::read_master_config(p.proc(), 10).master_fifo == "/tmp/f1");
    CHECK(act::read_master_config(p.proc(), 11).master_fifo == "/tmp/f2");
    CHECK(act::read_master_config(p.proc(), 12).master_fifo == "/tmp/f3");
    CHECK_FALSE(act::read_master_config(p.proc(), 13).master_fifo.has_value());
    CHECK_FALSE(act::read_master_config(p.proc(), 99).master_fifo.has_value());
}

TEST_CASE("master config: a relative FIFO path is the master's, read against its cwd") {
    const pid_t master = 4343;
    FakeProc p;
    p.process(master, 1, {}, "uwsgi\0--master-fifo\0run/m.fifo\0"s);
    fs::create_symlink("/srv/app", p.root / std::to_string(master) / "cwd");
    CHECK(act::read_master_config(p.proc(), master).master_fifo == std::optional<std::string>("/srv/app/run/m.fifo"));
}

TEST_CASE("master config: --die-on-term and --cheaper on the command line") {
    FakeProc p;
    p.process(20, 1, {}, "uwsgi\0--die-on-term\0app.py\0"s);
    p.process(21, 1, {}, "uwsgi\0--processes\0004\0--cheaper\0001\0"s);
    p.process(22, 1, {}, "uwsgi\0--cheaper=0\0--die-on-term=false\0"s);
    p.process(23, 1, {}, "uwsgi\0--master\0"s);
    CHECK(act::read_master_config(p.proc(), 20).die_on_term);
    CHECK_FALSE(act::read_master_config(p.proc(), 20).cheaper);
    CHECK(act::read_master_config(p.proc(), 21).cheaper);
    CHECK_FALSE(act::read_master_config(p.proc(), 21).die_on_term);
    CHECK_FALSE(act::read_master_config(p.proc(), 22).cheaper);
    CHECK_FALSE(act::read_master_config(p.proc(), 22).die_on_term);
    const act::MasterConfig none = act::read_master_config(p.proc(), 23);
    CHECK_FALSE(none.die_on_term);
    CHECK_FALSE(none.cheaper);
}

TEST_CASE("master config: the ini and yaml files the command line names") {
    FakeProc p;
    const fs::path dir = p.root / "srv";
    fs::create_directories(dir);
    std::ofstream(dir / "app.ini") << "[other]\ncheaper = 3\n[uwsgi]\nprocesses = 4\ndie_on_term = true\n"
                                      "master-fifo = run/app.fifo\n; cheaper = 2\n";
    std::ofstream(dir / "app.yaml") << "uwsgi:\n  cheaper: 2\n  die-on-term: 1\nother:\n  master-fifo: /x\n";
    p.process(30, 1, {}, "uwsgi\0--ini\0app.ini\0"s);
    fs::create_symlink(dir, p.root / "30" / "cwd");
    p.process(31, 1, {}, "uwsgi\0"s + (dir / "app.yaml").string() + "\0"s);
    p.process(32, 1, {}, "uwsgi\0--ini\0"s + (dir / "app.ini").string() + ":uwsgi\0"s);
    p.process(33, 1, {}, "uwsgi\0--ini\0/dev/zero\0--yaml\0/nonexistent.yaml\0"s);  // a device, a missing file: unknown

    const act::MasterConfig ini = act::read_master_config(p.proc(), 30);
    CHECK(ini.die_on_term);
    CHECK_FALSE(ini.cheaper);  // only [uwsgi] counts; a ';' line is a comment
    CHECK(ini.master_fifo == (dir / "run/app.fifo").string());
    const act::MasterConfig yaml = act::read_master_config(p.proc(), 31);
    CHECK(yaml.cheaper);
    CHECK(yaml.die_on_term);
    CHECK_FALSE(yaml.master_fifo.has_value());
    CHECK(act::read_master_config(p.proc(), 32).die_on_term);
    const act::MasterConfig dev = act::read_master_config(p.proc(), 33);
    CHECK_FALSE(dev.die_on_term);
    CHECK_FALSE(dev.cheaper);
}

TEST_CASE("master config: uWSGI's flag values, FILE:SECTION, --set, the UWSGI_ environment, --exit-on-reload") {
    FakeProc p;
    const fs::path dir = p.root / "srv";
    fs::create_directories(dir);
    std::ofstream(dir / "multi.ini") << "[uwsgi]\nprocesses = 2\n[prod]\ndie-on-term = True\nexit-on-reload = yes\n";
    p.process(40, 1, {}, "uwsgi\0--ini\0"s + (dir / "multi.ini").string() + ":prod\0"s);
    p.process(41, 1, {}, "uwsgi\0--die-on-term=Off\0--set\0exit-on-reload=1\0"s);
    p.process(42, 1, {}, "uwsgi\0--master\0"s);
    p.write("42/environ", "PATH=/bin\0UWSGI_DIE_ON_TERM=1\0UWSGI_CHEAPER=2\0"s);
    const act::MasterConfig prod = act::read_master_config(p.proc(), 40);
    CHECK(prod.die_on_term);  // "True": anything but false/off/no/0
    CHECK(prod.exit_on_reload);
    const act::MasterConfig set = act::read_master_config(p.proc(), 41);
    CHECK_FALSE(set.die_on_term);
    CHECK(set.exit_on_reload);
    const act::MasterConfig env = act::read_master_config(p.proc(), 42);
    CHECK(env.die_on_term);
    CHECK(env.cheaper);
}

TEST_CASE("master config: a FIFO or device the command line names is looked at, never opened") {
    FakeProc p;
    const std::string fifo = (p.root / "trap.fifo").string();
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    const int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    REQUIRE(in >= 0);
    REQUIRE(inotify_add_watch(in, fifo.c_str(), IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE) >= 0);
    p.process(50, 1, {}, "uwsgi\0--ini\0"s + fifo + "\0--yaml\0/dev/zero\0"s);
    const act::MasterConfig c = act::read_master_config(p.proc(), 50);
    CHECK_FALSE(c.die_on_term);
    char events[4096];
    CHECK(::read(in, events, sizeof events) < 0);  // no open, no close: nothing happened to the FIFO
    ::close(in);
}

TEST_CASE("master config: --py-tracebacker and --harakiri from the command line, an ini, a yaml, the environment") {
    FakeProc p;
    const fs::path dir = p.root / "srv";
    fs::create_directories(dir);
    std::ofstream(dir / "tb.ini") << "[uwsgi]\npy-tracebacker = run/tb\nharakiri = 30\n[other]\nharakiri = 5\n";
    std::ofstream(dir / "tb.yaml") << "uwsgi:\n  py_tracebacker: /yaml/tb\n  harakiri: 0\n";
    p.process(60, 1, {}, "uwsgi\0--py-tracebacker\0/run/app/tb\0--harakiri\0004\0"s);
    p.process(61, 1, {}, "uwsgi\0--py-tracebacker=/a/tb\0--py-tracebacker=/b/tb\0--harakiri=7\0--harakiri=9\0"s);
    p.process(62, 1, {}, "uwsgi\0--ini\0tb.ini\0"s);
    fs::create_symlink(dir, p.root / "62" / "cwd");
    p.process(63, 1, {}, "uwsgi\0--harakiri\0003\0--yaml\0"s + (dir / "tb.yaml").string() + "\0"s);
    p.process(64, 1, {}, "uwsgi\0--master\0"s);
    p.write("64/environ", "UWSGI_PY_TRACEBACKER=/env/tb\0UWSGI_HARAKIRI=12\0"s);
    p.process(65, 1, {}, "uwsgi\0--harakiri\0nonsense\0--py-tracebacker\0"s);

    const act::MasterConfig cmd = act::read_master_config(p.proc(), 60);
    CHECK(cmd.py_tracebacker == std::optional<std::string>("/run/app/tb"));
    CHECK(cmd.harakiri == std::optional<long>(4));
    const act::MasterConfig last = act::read_master_config(p.proc(), 61);
    CHECK(last.py_tracebacker == std::optional<std::string>("/b/tb"));  // single values: the last one counts
    CHECK(last.harakiri == std::optional<long>(9));
    const act::MasterConfig ini = act::read_master_config(p.proc(), 62);
    CHECK(ini.py_tracebacker == std::optional<std::string>((dir / "run/tb").string()));  // the master's cwd
    CHECK(ini.harakiri == std::optional<long>(30));
    const act::MasterConfig yaml = act::read_master_config(p.proc(), 63);
    CHECK(yaml.py_tracebacker == std::optional<std::string>("/yaml/tb"));
    CHECK_FALSE(yaml.harakiri.has_value());  // harakiri: 0 after --harakiri 3 turns it off
    const act::MasterConfig env = act::read_master_config(p.proc(), 64);
    CHECK(env.py_tracebacker == std::optional<std::string>("/env/tb"));
    CHECK(env.harakiri == std::optional<long>(12));
    const act::MasterConfig odd = act::read_master_config(p.proc(), 65);
    CHECK_FALSE(odd.harakiri.has_value());
    CHECK_FALSE(odd.py_tracebacker.has_value());
    CHECK_FALSE(act::read_master_config(p.proc(), 66).py_tracebacker.has_value());  // no such process
}
