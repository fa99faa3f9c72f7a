// recording.cpp — RecordWriter: appends one JSON line per snapshot (format in
// recording.hpp). Each line is prepared in a reused buffer and written with
// one fwrite on an unbuffered stream, so a line is either on disk whole or
// the error is reported at once (disk full); a line left incomplete by a
// failure or by a crash is closed with a newline before the next one, so
// readers lose only that line.
#include "uwsgitop/source/recording.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "base64.hpp"
#include "rotation.hpp"

namespace uwsgitop {

namespace {

void append_json_string(std::string& out, const std::string& s) {
    static const char kHex[] = "0123456789abcdef";
    out += '"';
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            out += "\\u00";
            out += kHex[u >> 4];
            out += kHex[u & 15];
        } else {
            out += c;
        }
    }
    out += '"';
}

}  // namespace

RecordWriter::~RecordWriter() {
    if (file_ != nullptr) std::fclose(file_);
}

Status RecordWriter::open(const std::string& path, const RecordRotation& rotation) {
    if (file_ != nullptr) {
        std::fclose(file_);
        file_ = nullptr;
    }
    path_ = path;
    rotation_ = rotation;
    rotations_ = 0;
    if (rotation_.keep < 0) rotation_.keep = 0;
    if (rotation_.max_bytes > 0) {
        Status bs = detail::rotation_blocked(path_, rotation_.keep);
        if (!bs) return bs;
        Status fs = detail::finish_rotation(path_, rotation_.keep, false);
        if (!fs) return fs;
    }
    return open_file();
}

Status RecordWriter::open_file() {
    need_newline_ = false;
    size_ = 0;
    // Non-blocking until it is known to be a regular file: a FIFO is refused, never waited on.
    const int fd = ::open(path_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0666);
    if (fd < 0) return Status::fail("--record " + path_ + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return Status::fail("--record " + path_ + ": " + std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        const char* what = S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ? "a socket" : "a device";
        return Status::fail("--record " + path_ + ": not a regular file (" + what + ")");
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    std::FILE* f = ::fdopen(fd, "a+");
    if (f == nullptr) {
        const int err = errno;
        ::close(fd);
        return Status::fail("--record " + path_ + ": " + std::strerror(err));
    }
    std::setvbuf(f, nullptr, _IONBF, 0);
    if (st.st_size > 0) {
        size_ = static_cast<uint64_t>(st.st_size);
        char last = '\n';
        if (::pread(fileno(f), &last, 1, st.st_size - 1) == 1 && last != '\n') need_newline_ = true;
    }
    file_ = f;
    return Status::ok();
}

// FILE -> FILE.0 (atomic), a new FILE, then FILE.0 -> FILE.1.zst (rotation.hpp).
Status RecordWriter::rotate() {
    // A FILE.0 left by an earlier failure is finished first, so the rename
    // below never replaces one.
    Status fs = detail::finish_rotation(path_, rotation_.keep, false);
    if (!fs) return fs;
    const std::string zero = detail::rotated_name(path_, 0);
    if (::rename(path_.c_str(), zero.c_str()) != 0) {
        return Status::fail("--record rotation: " + path_ + ": " + std::strerror(errno));
    }
    std::fclose(file_);
    file_ = nullptr;
    Status os = open_file();
    if (!os) return os;
    ++rotations_;
    return detail::finish_rotation(path_, rotation_.keep, true);
}

Status RecordWriter::append(const Frame& frame, const std::string& address, bool valid_json) {
    if (file_ == nullptr) return Status::fail("--record: no file open");
    line_.clear();
    if (need_newline_) line_ += '\n';
    char t[48];
    std::snprintf(t, sizeof t, "%.3f", std::isfinite(frame.wall_time) ? frame.wall_time : 0.0);
    line_ += "{\"t\":";
    line_ += t;
    line_ += ",\"address\":";
    append_json_string(line_, address);
    const ByteBuffer& bytes = frame.bytes;
    if (valid_json && !bytes.empty() && std::memchr(bytes.data(), '\0', bytes.size()) == nullptr) {
        // Valid JSON has no raw CR/LF inside strings: these are all between tokens.
        line_ += ",\"stats\":";
        const std::size_t start = line_.size();
        line_.append(bytes.data(), bytes.size());
        for (std::size_t i = start; i < line_.size(); ++i) {
            if (line_[i] == '\n' || line_[i] == '\r') line_[i] = ' ';
        }
    } else {
        line_ += ",\"b64\":\"";
        detail::base64_append(line_, bytes.data(), bytes.size());
        line_ += '"';
    }
    line_ += "}\n";

    Status rotated = Status::ok();
    if (rotation_.max_bytes > 0 && size_ > 0 && size_ + line_.size() > rotation_.max_bytes) {
        // A directory where the set must go: fail safe, FILE stays within its limit.
        Status bs = detail::rotation_blocked(path_, rotation_.keep);
        if (!bs) return bs;
        rotated = rotate();
        if (file_ == nullptr) return rotated;  // the new FILE could not be opened
        if (!need_newline_ && line_.front() == '\n') line_.erase(line_.begin());  // a fresh FILE
    }

    errno = 0;
    const std::size_t written = std::fwrite(line_.data(), 1, line_.size(), file_);
    if (written != line_.size() || std::fflush(file_) != 0) {
        const int err = errno != 0 ? errno : EIO;
        std::clearerr(file_);
        need_newline_ = true;
        return Status::fail("--record " + path_ + ": " + std::strerror(err));
    }
    size_ += line_.size();
    need_newline_ = false;
    return rotated;
}

}  // namespace uwsgitop
