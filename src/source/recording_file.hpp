// recording_file.hpp — a file to replay, opened once and indexed: its shape and where each record lies (private, for the replay source).
//
// Three shapes are recognised from the content:
//   * our JSON lines (recording.hpp): the first line starts with {"t": or is
//     an object with "t" and "stats"/"b64". One record per complete line
//     whose first non-space byte is '{'. A line without {"t":NUMBER at its
//     head is read whole (record_line.hpp) while indexing and dropped if it
//     does not read, and so is an unterminated last line; other unreadable
//     lines are kept (the replay skips them when it reaches them).
//   * uWSGI --stats-push file: whole documents one after another (a '}' then
//     white space with a newline then '{' separates them); a last document
//     not ending in '}' was cut short and is dropped. No timestamps.
//   * one plain snapshot (JSON, or a saved HTTP response): one record, the
//     rest of the file from its first non-space byte. Anything that is not
//     JSON is this too: the parser will say what is wrong.
// Indexing reads the file in 1 MiB chunks and keeps only (offset, length,
// time) per record, so a big recording is never held in memory; records are
// read later with read_at() (pread). Every message is "PATH: cause".
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "record_line.hpp"
#include "uwsgitop/base/byte_buffer.hpp"
#include "uwsgitop/base/status.hpp"

namespace uwsgitop::detail {

enum class RecordingFormat { Lines, Documents, Http };

struct RecordSpan {
    uint64_t offset = 0;
    uint64_t length = 0;
    double t = std::numeric_limits<double>::quiet_NaN();  // Lines only: the recorded "t"
};

class RecordingFile {
public:
    RecordingFile() = default;
    ~RecordingFile();
    RecordingFile(const RecordingFile&) = delete;
    RecordingFile& operator=(const RecordingFile&) = delete;

    // Opens `path` and indexes it. Fails on a missing or unreadable file, a
    // directory, an empty one or one with no complete record; call once.
    Status open(const std::string& path);

    RecordingFormat format() const { return format_; }
    // In file order; never empty after a successful open().
    const std::vector<RecordSpan>& records() const { return records_; }
    // Lines: the mean spacing of the recorded times (last minus first over
    // the gaps) when positive, else 1.0; the other shapes: 1.0.
    double mean_interval() const { return interval_; }

    // Reads up to `n` bytes at `offset` into `out` (resized to what was read:
    // shorter only at the end of the file). Retries EINTR.
    Status read_at(uint64_t offset, std::size_t n, ByteBuffer& out) const;
    // "PATH: cause".
    Status fail(const std::string& cause) const;

private:
    Status read_line(uint64_t offset, ByteBuffer& out) const;
    Status index_lines(uint64_t start);
    Status index_documents(uint64_t start);

    std::string path_;
    int fd_ = -1;
    uint64_t size_ = 0;
    RecordingFormat format_ = RecordingFormat::Documents;
    std::vector<RecordSpan> records_;
    double interval_ = 1.0;
    RecordLineReader lines_;  // for lines whose time needs a full read
};

}  // namespace uwsgitop::detail
