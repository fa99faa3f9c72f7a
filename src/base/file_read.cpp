// file_read.cpp — whole small files read up to a cap (see file_read.hpp).
#include "uwsgitop/base/file_read.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "uwsgitop/base/clock.hpp"
#include "uwsgitop/base/text.hpp"
#include "uwsgitop/base/unique_fd.hpp"

namespace uwsgitop {

namespace {

const char* kind_of(mode_t mode) {
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a file";
}

Status fail(const std::string& shown, const std::string& what) { return Status::fail(shown + ": " + what); }

Status fail_errno(const std::string& shown, const char* what, int err) {
    return fail(shown, std::string(what) + " (" + std::strerror(err) + ")");
}

// Appends up to `want` bytes read from `fd` once: the count, 0 at the end,
// -1 with errno on an error (EINTR is retried).
ssize_t read_some(int fd, std::string& out, std::size_t want) {
    const std::size_t had = out.size();
    out.resize(had + want);
    ssize_t n;
    do {
        n = ::read(fd, out.data() + had, want);
    } while (n < 0 && errno == EINTR);
    out.resize(had + (n > 0 ? static_cast<std::size_t>(n) : 0));
    return n;
}

constexpr std::size_t kChunk = 64 * 1024;

std::size_t chunk_for(std::size_t have, std::size_t cap) { return std::min(kChunk, cap + 1 - have); }

}  // namespace

std::string size_text(std::size_t bytes) {
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
    if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
    return std::to_string(bytes) + " bytes";
}

namespace {

// One read of the loops below: true while more may come (a read that would
// block, too); false once it is over, with the outcome in `st`: the end (ok),
// an error, or more than `cap` bytes (nothing kept in either).
bool read_step(int fd, std::string& out, std::size_t cap, const std::string& shown, Status& st) {
    const ssize_t n = read_some(fd, out, chunk_for(out.size(), cap));
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (n < 0) {
        const int err = errno;
        out.clear();
        st = fail_errno(shown, "cannot read", err);
        return false;
    }
    if (n == 0) {
        st = Status::ok();
        return false;
    }
    if (out.size() > cap) {
        out.clear();
        st = fail(shown, "larger than " + size_text(cap));
        return false;
    }
    return true;
}

}  // namespace

namespace {

// Both readers below: `timeout_seconds` < 0 refuses a FIFO or a socket.
Status read_path(const std::string& path, std::size_t cap, double timeout_seconds, std::string& out) {
    const std::string shown = escape_for_display(path);
    out.clear();
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (fd.get() < 0) return fail_errno(shown, "cannot open", errno);
    struct stat sb;
    if (::fstat(fd.get(), &sb) != 0) return fail_errno(shown, "cannot read", errno);
    if (S_ISDIR(sb.st_mode)) return fail(shown, "is a directory");
    if (timeout_seconds >= 0 && (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode))) {
        return read_stream(fd.get(), path, cap, timeout_seconds, out);
    }
    if (!S_ISREG(sb.st_mode)) return fail(shown, std::string("not a regular file (") + kind_of(sb.st_mode) + ")");
    if (sb.st_size > 0) out.reserve(std::min(static_cast<std::size_t>(sb.st_size), cap) + 1);
    Status st = Status::ok();
    while (read_step(fd.get(), out, cap, shown, st)) {
    }
    return st;
}

}  // namespace

Status read_regular_file(const std::string& path, std::size_t cap, std::string& out) {
    return read_path(path, cap, -1, out);
}

Status read_file_or_pipe(const std::string& path, std::size_t cap, double timeout_seconds, std::string& out) {
    return read_path(path, cap, timeout_seconds < 0 ? 0 : timeout_seconds, out);
}

Status read_stream(int fd, const std::string& name, std::size_t cap, double timeout_seconds, std::string& out) {
    const std::string shown = escape_for_display(name);
    out.clear();
    const double deadline = monotonic_seconds() + timeout_seconds;
    while (out.size() <= cap) {
        pollfd p{fd, POLLIN, 0};
        const int ms = wait_ms_until(deadline, monotonic_seconds(), 1000);
        const int ready = ::poll(&p, 1, ms);
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) return fail_errno(shown, "cannot read", errno);
        if (ready == 0) {
            if (monotonic_seconds() < deadline) continue;
            char secs[32];
            std::snprintf(secs, sizeof secs, "%g", timeout_seconds);
            out.clear();
            return fail(shown, std::string("no end within ") + secs + " s");
        }
        Status st = Status::ok();
        if (!read_step(fd, out, cap, shown, st)) return st;
    }
    out.clear();
    return fail(shown, "larger than " + size_text(cap));
}

}  // namespace uwsgitop
