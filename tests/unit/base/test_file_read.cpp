// Unit tests for base/file_read.hpp: bounded by what is read, never by stat.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "uwsgitop/base/clock.hpp"
#include "uwsgitop/base/file_read.hpp"
#include "uwsgitop/base/unique_fd.hpp"

using namespace uwsgitop;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/uwsgitop-file-read-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

bool contains(const Status& st, const std::string& what) { return st.message().find(what) != std::string::npos; }

}  // namespace

TEST_CASE("read_regular_file: a file up to the cap is read whole, one byte more is refused") {
    TempDir dir;
    const std::string f = dir.path + "/f";
    std::ofstream(f) << std::string(100, 'x');
    std::string out;
    REQUIRE(read_regular_file(f, 100, out).is_ok());
    CHECK(out == std::string(100, 'x'));
    const Status st = read_regular_file(f, 99, out);
    CHECK(contains(st, f + ": larger than 99 bytes"));
    CHECK(out.empty());
    std::ofstream(f, std::ios::trunc).flush();
    REQUIRE(read_regular_file(f, 100, out).is_ok());
    CHECK(out.empty());
    // more than one read's chunk
    std::ofstream(f, std::ios::trunc) << std::string(200000, 'y');
    REQUIRE(read_regular_file(f, 1 << 20, out).is_ok());
    CHECK(out.size() == 200000);
}

TEST_CASE("read_regular_file: a directory, a device, a FIFO are refused without reading or waiting") {
    TempDir dir;
    std::string out;
    Status st = read_regular_file(dir.path, 1 << 20, out);
    CHECK(contains(st, dir.path + ": is a directory"));
    st = read_regular_file("/dev/zero", 1 << 20, out);
    CHECK(contains(st, "/dev/zero: not a regular file (a character device)"));
    const std::string fifo = dir.path + "/fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    const double t0 = monotonic_seconds();
    st = read_regular_file(fifo, 1 << 20, out);  // no writer: must not wait for one
    CHECK(monotonic_seconds() - t0 < 1.0);
    CHECK(contains(st, "fifo: not a regular file (a FIFO)"));
    st = read_regular_file(dir.path + "/missing", 1 << 20, out);
    CHECK(contains(st, "missing: cannot open (No such file or directory)"));
}

TEST_CASE("read_regular_file: /proc files are read up to the cap whatever stat says") {
    std::string out;
    // /proc/self/mem is a regular file of size 0 whose first page cannot be read
    Status st = read_regular_file("/proc/self/mem", 1 << 20, out);
    CHECK(contains(st, "/proc/self/mem: cannot read ("));
    CHECK(out.empty());
    // st_size 0, yet there is text: read, and bounded by the cap
    REQUIRE(read_regular_file("/proc/self/status", 1 << 20, out).is_ok());
    CHECK(out.find("Name:") != std::string::npos);
    st = read_regular_file("/proc/self/status", 10, out);
    CHECK(contains(st, "larger than 10 bytes"));
}

TEST_CASE("read_stream: a pipe to its end, within the cap and the time") {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    UniqueFd r(p[0]), w(p[1]);
    REQUIRE(::write(w.get(), "a=b\n", 4) == 4);
    std::string out;
    const double t0 = monotonic_seconds();
    Status st = read_stream(r.get(), "-", 100, 0.2, out);  // the writer is still open
    CHECK(monotonic_seconds() - t0 >= 0.2);
    CHECK(monotonic_seconds() - t0 < 1.0);
    CHECK(st.message() == "-: no end within 0.2 s");
    w.reset();
    REQUIRE(read_stream(r.get(), "-", 100, 0.2, out).is_ok());
    CHECK(out.empty());  // what came was taken by the first read

    UniqueFd zero(::open("/dev/zero", O_RDONLY | O_CLOEXEC));
    st = read_stream(zero.get(), "standard input", 1000, 5, out);
    CHECK(st.message() == "standard input: larger than 1000 bytes");
}

TEST_CASE("size_text names a cap") {
    CHECK(size_text(1 << 20) == "1 MiB");
    CHECK(size_text(std::size_t{16} << 20) == "16 MiB");
    CHECK(size_text(2048) == "2 KiB");
    CHECK(size_text(1000) == "1000 bytes");
}
