// file.cpp — snapshots from a file (file:PATH) or standard input (-).
//
// file:PATH is read whole on every fetch, so a snapshot rewritten by another
// tool shows its latest content; standard input is read once to EOF, after
// which the source is exhausted. What is not a regular file (a FIFO, a pipe,
// a device, standard input) is read within the fetch's timeout (-t), so a
// writer that never comes or never ends costs one timeout, not a hang. Content that starts with "HTTP/1." (a saved
// --stats-http response) has its headers stripped. Clocks are the time of
// the read.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "connector.hpp"
#include "uwsgitop/base/file_read.hpp"

namespace uwsgitop {
namespace detail {

namespace {

std::string open_error_text(int err) {
    if (err == ENOENT) return "no such file";
    if (err == EISDIR) return "is a directory";
    if (err == EBADF) return "closed";  // standard input closed (main holds fd 0 write-only then)
    return errno_text(err);
}

// Reads `fd` to EOF into `bytes` (cleared first, capacity kept).
Status read_all(int fd, ByteBuffer& bytes, std::size_t max) {
    bytes.clear();
    const std::size_t cap = max >= SIZE_MAX / 2 ? max : max + 1;
    for (;;) {
        const std::size_t room = std::min<std::size_t>(make_room(bytes, 16384, cap), 262144);
        if (room == 0) return Status::fail("larger than " + size_limit_text(max));
        const std::size_t old = bytes.size();
        bytes.resize(old + room);
        const ssize_t n = ::read(fd, bytes.data() + old, room);
        const int err = errno;
        bytes.resize(old + (n > 0 ? static_cast<std::size_t>(n) : 0));
        if (n == 0) break;
        if (n < 0) {
            if (err == EINTR || err == EAGAIN) continue;
            return Status::fail(open_error_text(err));
        }
    }
    if (bytes.size() > max) return Status::fail("larger than " + size_limit_text(max));
    return Status::ok();
}

// Shared tail: empty check, HTTP header stripping, clocks.
Status finish(Frame& frame, std::size_t max) {
    if (frame.bytes.empty()) return Status::fail("empty");
    if (looks_like_http_reply(frame.bytes.data(), frame.bytes.size())) {
        Status st = decode_http_reply(frame.bytes, max);
        if (!st) return st;
        if (frame.bytes.empty()) return Status::fail("empty HTTP body");
    }
    frame.wall_time = wall_clock_seconds();
    frame.mono_time = monotonic_seconds();
    return Status::ok();
}

// A descriptor that is not a regular file (a FIFO, a pipe, a device, a
// terminal) read to its end within the fetch's timeout and size limit, then
// finished as a file is. Messages start with `name`.
Status read_within(int fd, const std::string& name, const FetchLimits& limits, Frame& frame) {
    std::string text;
    if (Status st = read_stream(fd, name, limits.max_bytes, limits.timeout_seconds, text); !st) return st;
    frame.bytes.assign(text.begin(), text.end());
    if (Status fs = finish(frame, limits.max_bytes); !fs) return Status::fail(name + ": " + fs.message());
    return Status::ok();
}

class FileSource final : public Source {
public:
    FileSource(const Address& address, const FetchLimits& limits)
        : label_(address.text), path_(address.path), limits_(limits) {}

    const std::string& label() const override { return label_; }

    Status fetch(Frame& frame) override {
        frame.bytes.clear();
        // O_NONBLOCK: a FIFO's open never waits for a writer.
        const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) return fail(open_error_text(errno));
        struct stat st {};
        if (::fstat(fd, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                ::close(fd);
                return fail("is a directory");
            }
            if (!S_ISREG(st.st_mode)) {  // a FIFO, a device: read to its end within the timeout
                Status rs = read_bounded(fd, label_, frame);
                ::close(fd);
                return rs;
            }
            if (S_ISREG(st.st_mode) && static_cast<unsigned long long>(st.st_size) > limits_.max_bytes) {
                ::close(fd);
                return fail("larger than " + size_limit_text(limits_.max_bytes));
            }
        }
        Status rs = read_all(fd, frame.bytes, limits_.max_bytes);
        ::close(fd);
        if (!rs) return fail(rs.message());
        Status fs = finish(frame, limits_.max_bytes);
        if (!fs) return fail(fs.message());
        return Status::ok();
    }

private:
    Status fail(const std::string& cause) const { return Status::fail(label_ + ": " + cause); }

    // What is not a regular file (its size says nothing, its end may never come).
    Status read_bounded(int fd, const std::string& name, Frame& frame) const {
        return read_within(fd, name, limits_, frame);
    }

    std::string label_;
    std::string path_;
    FetchLimits limits_;
};

class StdinSource final : public Source {
public:
    StdinSource(const Address& address, const FetchLimits& limits) : label_(address.text), limits_(limits) {}

    const std::string& label() const override { return label_; }
    bool exhausted() const override { return done_; }

    Status fetch(Frame& frame) override {
        frame.bytes.clear();
        if (done_) return Status::fail("standard input: end of input");
        done_ = true;
        // main() holds a closed standard input on /dev/null, write-only.
        const int flags = ::fcntl(STDIN_FILENO, F_GETFL);
        if (flags < 0 || (flags & O_ACCMODE) == O_WRONLY) return Status::fail("standard input: " + open_error_text(EBADF));
        return read_within(STDIN_FILENO, "standard input", limits_, frame);
    }

private:
    std::string label_;
    FetchLimits limits_;
    bool done_ = false;
};

}  // namespace

std::unique_ptr<Source> make_file_source(const Address& address, const FetchLimits& limits) {
    return std::make_unique<FileSource>(address, limits);
}

std::unique_ptr<Source> make_stdin_source(const Address& address, const FetchLimits& limits) {
    return std::make_unique<StdinSource>(address, limits);
}

}  // namespace detail
}  // namespace uwsgitop
