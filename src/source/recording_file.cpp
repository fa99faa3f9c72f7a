// recording_file.cpp — opening a recording and indexing its records (shapes in recording_file.hpp).
#include "recording_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "rotation.hpp"

#include "connector.hpp"

namespace uwsgitop::detail {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kChunk = 1 << 20;
constexpr std::size_t kHead = 64;

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Reads up to `n` bytes of FD at `offset` into `out` (pread, retries EINTR;
// resized to what was read, shorter only at the end of the file). 0, or the
// errno of the failed pread.
int pread_full(int fd, uint64_t offset, std::size_t n, ByteBuffer& out) {
    out.resize(n);
    std::size_t got = 0;
    while (got < n) {
        const ssize_t r = ::pread(fd, out.data() + got, n - got, static_cast<off_t>(offset + got));
        if (r == 0) break;
        if (r < 0) {
            if (errno == EINTR) continue;
            const int e = errno;
            out.resize(got);
            return e;
        }
        got += static_cast<std::size_t>(r);
    }
    out.resize(got);
    return 0;
}

// Writes decompressed bytes to `fd`, keeping at most `limit` bytes of any
// one line (its newline kept): a line too long to play costs no more disk
// than one that just fits, and still reads as too long.
struct CappedLines {
    int fd;
    uint64_t limit;
    uint64_t size = 0;      // bytes written
    uint64_t line_len = 0;  // of the line being written, as decompressed

    int write(const char* p, std::size_t n) {
        std::size_t run = 0;  // start of what is still to be written
        for (std::size_t i = 0; i < n;) {
            const auto* nl = static_cast<const char*>(std::memchr(p + i, '\n', n - i));
            const std::size_t end = nl != nullptr ? static_cast<std::size_t>(nl - p) : n;
            const uint64_t len = end - i;
            if (line_len + len > limit) {
                const uint64_t keep = line_len >= limit ? 0 : limit - line_len;
                if (const int e = put(p + run, i + static_cast<std::size_t>(keep) - run)) return e;
                run = end;  // on at its newline
            }
            line_len = nl != nullptr ? 0 : line_len + len;
            i = nl != nullptr ? end + 1 : n;
        }
        return put(p + run, n - run);
    }

    int put(const char* p, std::size_t n) {
        for (std::size_t off = 0; off < n;) {
            const ssize_t w = ::pwrite(fd, p + off, n - off, static_cast<off_t>(size));
            if (w < 0) {
                if (errno == EINTR) continue;
                return errno;
            }
            off += static_cast<std::size_t>(w);
            size += static_cast<uint64_t>(w);
        }
        return 0;
    }
};

}  // namespace

RecordingFile::~RecordingFile() {
    for (int fd : parts_) ::close(fd);
}

Status RecordingFile::fail(const std::string& cause) const { return Status::fail(path_ + ": " + cause); }

Status RecordingFile::open(const std::string& path, std::size_t max_record) {
    max_record_ = max_record;
    const std::vector<SetMember> set = recording_members(path);
    const bool in_set = set.size() > 1;
    for (const SetMember& member : set) {
        if (!member.problem.empty()) {
            notes_.push_back(member.path + ": " + member.problem + "; skipped");
            continue;
        }
        const std::size_t before = records_.size();
        Status ps = open_part(member.path, in_set);
        if (ps) continue;
        if (!in_set) return ps;
        // One unreadable member of a set is skipped; the rest plays.
        records_.resize(before);
        notes_.push_back(ps.message() + "; skipped");
    }
    path_ = path;
    if (records_.empty()) return fail("no complete snapshot in it");
    const std::size_t n = records_.size();
    if (format_ == RecordingFormat::Lines && n > 1) {
        const double span = records_[n - 1].t - records_[0].t;
        if (std::isfinite(span) && span > 0) interval_ = span / static_cast<double>(n - 1);
    }
    return Status::ok();
}

// A zstd file is decompressed into an unlinked temporary file (in $TMPDIR or
// /tmp), which then stands for it: records are read from it with pread like
// from a plain file. A stream cut short gives what it held up to the cut.
Status RecordingFile::decompress() {
    const char* env = std::getenv("TMPDIR");
    const std::string dir = env != nullptr && *env != '\0' ? env : "/tmp";
    int tmp = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (tmp < 0) {
        std::string tmpl = dir + "/uwsgitop-replay-XXXXXX";
        tmp = ::mkstemp(tmpl.data());
        if (tmp < 0) return fail("cannot decompress into " + dir + ": " + std::strerror(errno));
        ::unlink(tmpl.c_str());
    }
    ZSTD_DCtx* dctx = ZSTD_createDCtx();
    std::vector<char> ibuf(ZSTD_DStreamInSize());
    std::vector<char> obuf(ZSTD_DStreamOutSize());
    uint64_t in_pos = 0;
    CappedLines lines{tmp, max_record_ == std::numeric_limits<std::size_t>::max() ? UINT64_MAX : max_record_ + 1};
    uint64_t& out_size = lines.size;
    std::string error;
    bool done = false;
    while (!done && error.empty()) {
        const ssize_t r = ::pread(fd_, ibuf.data(), ibuf.size(), static_cast<off_t>(in_pos));
        if (r < 0) {
            if (errno == EINTR) continue;
            error = std::strerror(errno);
            break;
        }
        if (r == 0) break;  // the end, or a cut: keep what came out
        in_pos += static_cast<uint64_t>(r);
        ZSTD_inBuffer input{ibuf.data(), static_cast<std::size_t>(r), 0};
        while (input.pos < input.size) {
            ZSTD_outBuffer output{obuf.data(), obuf.size(), 0};
            const std::size_t ret = ZSTD_decompressStream(dctx, &output, &input);
            if (ZSTD_isError(ret)) {
                // Damage after good data reads as a cut (said once); none at all is an error.
                if (out_size == 0) {
                    error = std::string("bad zstd data: ") + ZSTD_getErrorName(ret);
                } else {
                    notes_.push_back(path_ + ": bad zstd data after " + std::to_string(out_size) +
                                     " bytes (" + ZSTD_getErrorName(ret) + "); played up to there");
                }
                done = true;
                break;
            }
            if (const int e = lines.write(obuf.data(), output.pos)) {
                error = "decompressing into " + dir + ": " + std::strerror(e);
                break;
            }
        }
    }
    ZSTD_freeDCtx(dctx);
    if (!error.empty()) {
        ::close(tmp);
        return fail(error);
    }
    // The compressed file's descriptor is no longer needed.
    ::close(fd_);
    parts_.back() = tmp;
    fd_ = tmp;
    size_ = out_size;
    return Status::ok();
}

Status RecordingFile::open_part(const std::string& path, bool in_set) {
    path_ = path;
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd_ < 0) return fail(errno == ENOENT ? "no such file" : errno_text(errno));
    parts_.push_back(fd_);
    part_paths_.push_back(path_);
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return fail(errno_text(errno));
    if (S_ISDIR(st.st_mode)) return fail("is a directory");
    size_ = static_cast<uint64_t>(st.st_size);
    const std::size_t first_record = records_.size();
    const auto tag = [&] {
        for (std::size_t i = first_record; i < records_.size(); ++i) {
            records_[i].part = static_cast<uint32_t>(parts_.size() - 1);
        }
    };

    ByteBuffer head;
    {
        Status rs = read_at(0, 4, head);
        if (!rs) return rs;
        static constexpr unsigned char kZstdMagic[4] = {0x28, 0xB5, 0x2F, 0xFD};
        if (head.size() == 4 && std::memcmp(head.data(), kZstdMagic, 4) == 0) {
            Status ds = decompress();
            if (!ds) return ds;
        }
    }
    // Where the content starts, and how.
    uint64_t start = 0;
    for (;;) {
        Status rs = read_at(start, kHead, head);
        if (!rs) return rs;
        if (head.empty()) {
            if (in_set) return Status::ok();  // e.g. a FILE just started by a rotation
            return fail("no snapshot in it (empty)");
        }
        std::size_t i = 0;
        while (i < head.size() && is_space(head[i])) ++i;
        start += i;
        if (i < head.size()) break;
    }
    Status rs = read_at(start, kHead, head);
    if (!rs) return rs;
    const bool http = looks_like_http_reply(head.data(), head.size());
    bool lines = false;
    if (!http && head[0] == '{') {
        lines = !std::isnan(leading_record_time(head.data(), head.size()));
        if (!lines) {
            // Maybe our format with keys in another order (edited with jq).
            ByteBuffer first;
            Status ls = read_line(start, first);
            if (!ls) return ls;
            RecordLine f;
            lines = lines_.read(first.data(), first.size(), f) && !std::isnan(f.t);
        }
    }
    if (in_set && !lines) return fail("neither zstd data nor --record JSON lines (bad magic)");
    if (http) {
        format_ = RecordingFormat::Http;
        records_.push_back(RecordSpan{start, size_ - start, kNaN});
        return Status::ok();
    }
    if (head[0] != '{') {
        format_ = RecordingFormat::Documents;  // not JSON: let the parser say so
        records_.push_back(RecordSpan{start, size_ - start, kNaN});
        return Status::ok();
    }
    Status is = lines ? index_lines(start) : index_documents(start);
    tag();
    return is;
}

Status RecordingFile::read_record(const RecordSpan& rec, ByteBuffer& out) const {
    if (const int e = pread_full(parts_[rec.part], rec.offset, static_cast<std::size_t>(rec.length), out)) return fail(errno_text(e));
    if (out.size() != rec.length) return fail("file shrank while playing");
    return Status::ok();
}

// Reads up to `n` bytes at `offset` into `out` (resized to what was read).
Status RecordingFile::read_at(uint64_t offset, std::size_t n, ByteBuffer& out) const {
    if (const int e = pread_full(fd_, offset, n, out)) return fail(errno_text(e));
    return Status::ok();
}

// The line starting at `offset`, without its newline; at most max_record_
// + 1 bytes of it (more: the line is too long, and its head is enough).
Status RecordingFile::read_line(uint64_t offset, ByteBuffer& out) {
    out.clear();
    ByteBuffer chunk;
    for (;;) {
        const std::size_t left = max_record_ - std::min(max_record_, out.size());
        const std::size_t want = left >= kChunk ? kChunk : left + 1;
        Status rs = read_at(offset + out.size(), want, chunk);
        if (!rs) return rs;
        const auto* nl = static_cast<const char*>(std::memchr(chunk.data(), '\n', chunk.size()));
        const std::size_t take = nl != nullptr ? static_cast<std::size_t>(nl - chunk.data()) : chunk.size();
        out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(take));
        line_capacity_ = std::max({line_capacity_, out.capacity(), chunk.capacity()});
        if (nl != nullptr || chunk.size() < want || out.size() > max_record_) return Status::ok();
    }
}

// Adds to `count` the newlines in the first `end` bytes of the part being opened.
Status RecordingFile::count_newlines(uint64_t end, uint64_t& count) const {
    ByteBuffer chunk;
    for (uint64_t pos = 0; pos < end;) {
        Status rs = read_at(pos, static_cast<std::size_t>(std::min<uint64_t>(kChunk, end - pos)), chunk);
        if (!rs) return rs;
        if (chunk.empty()) break;
        count += static_cast<uint64_t>(std::count(chunk.begin(), chunk.end(), '\n'));
        pos += chunk.size();
    }
    return Status::ok();
}

// One record per complete line whose first non-space byte is '{'; the
// time comes from the line's head, or from a full parse when the keys
// are not in our order. An unterminated last line counts only if it
// parses whole.
Status RecordingFile::index_lines(uint64_t start) {
    format_ = RecordingFormat::Lines;
    ByteBuffer chunk;
    std::vector<uint64_t> slow;  // records whose t needs a full parse
    char head[kHead];
    std::size_t head_len = 0;
    uint64_t line_start = start;
    uint64_t line_no = 1;  // of the line at line_start: the white space before `start` has its newlines
    if (Status rs = count_newlines(start, line_no); !rs) return rs;
    auto finish_line = [&](uint64_t end) {
        std::size_t i = 0;
        while (i < head_len && is_space(head[i])) ++i;
        if (i < head_len && head[i] == '{') {
            const double t = leading_record_time(head, head_len);
            // A line too long to read is kept (the replay says so) with the
            // time its head has, if any: no full parse of it.
            if (std::isnan(t) && end - line_start <= max_record_) slow.push_back(records_.size());
            RecordSpan rec{line_start, end - line_start, t};
            rec.line = line_no;
            records_.push_back(rec);
        }
    };
    for (uint64_t pos = start; pos < size_;) {
        Status rs = read_at(pos, kChunk, chunk);
        if (!rs) return rs;
        if (chunk.empty()) break;
        std::size_t i = 0;
        while (i < chunk.size()) {
            const auto* nl = static_cast<const char*>(std::memchr(chunk.data() + i, '\n', chunk.size() - i));
            const std::size_t seg_end = nl != nullptr ? static_cast<std::size_t>(nl - chunk.data()) : chunk.size();
            const std::size_t copy = std::min(kHead - head_len, seg_end - i);
            std::memcpy(head + head_len, chunk.data() + i, copy);
            head_len += copy;
            if (nl == nullptr) break;
            finish_line(pos + seg_end);
            ++line_no;
            head_len = 0;
            line_start = pos + seg_end + 1;
            i = seg_end + 1;
        }
        pos += chunk.size();
    }
    if (line_start < size_) {
        const std::size_t before = records_.size();
        finish_line(size_);
        if (records_.size() > before && records_[before].length <= max_record_ &&
            (slow.empty() || slow.back() != before)) {
            slow.push_back(before);
        }
    }
    // Full parses: foreign key order, and the unterminated last line.
    ByteBuffer line;
    std::vector<bool> drop(records_.size(), false);
    bool any_drop = false;
    for (uint64_t r : slow) {
        RecordSpan& rec = records_[r];
        Status rs = read_at(rec.offset, rec.length, line);
        if (!rs) return rs;
        line_capacity_ = std::max(line_capacity_, line.capacity());
        RecordLine f;
        if (lines_.read(line.data(), line.size(), f)) {
            rec.t = f.t;
        } else if (rec.offset + rec.length >= size_ || std::isnan(rec.t)) {
            drop[r] = true;
            any_drop = true;
        }
    }
    if (any_drop) {
        std::size_t w = 0;
        for (std::size_t r = 0; r < records_.size(); ++r) {
            if (!drop[r]) records_[w++] = records_[r];
        }
        records_.resize(w);
    }
    return Status::ok();
}

// Documents: a '{' that follows a '}' with a newline in between (only
// white space) starts a new one. A last document not ending in '}' was
// cut short and is dropped.
Status RecordingFile::index_documents(uint64_t start) {
    format_ = RecordingFormat::Documents;
    ByteBuffer chunk;
    char last = '\0';           // last non-space byte
    uint64_t last_close = 0;    // offset just after the last '}'
    bool newline = false;       // a newline since `last`
    uint64_t doc_start = start;
    for (uint64_t pos = start; pos < size_;) {
        Status rs = read_at(pos, kChunk, chunk);
        if (!rs) return rs;
        if (chunk.empty()) break;
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            const char c = chunk[i];
            if (is_space(c)) {
                if (c == '\n') newline = true;
                continue;
            }
            if (c == '{' && last == '}' && newline) {
                records_.push_back(RecordSpan{doc_start, last_close - doc_start, kNaN});
                doc_start = pos + i;
            } else if (c == '}') {
                last_close = pos + i + 1;
            }
            last = c;
            newline = false;
        }
        pos += chunk.size();
    }
    if (last == '}') records_.push_back(RecordSpan{doc_start, last_close - doc_start, kNaN});
    return Status::ok();
}

}  // namespace uwsgitop::detail
