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
// read later with read_at() (pread). A line longer than the open's
// max_record is never read whole. Every message is "PATH: cause".
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
    uint32_t part = 0;    // which file of a rotated set
    uint64_t line = 0;    // Lines only: its line number in that file, from 1
};

class RecordingFile {
public:
    RecordingFile() = default;
    ~RecordingFile();
    RecordingFile(const RecordingFile&) = delete;
    RecordingFile& operator=(const RecordingFile&) = delete;

    // Opens `path` and indexes it. Fails on a missing or unreadable file, a
    // directory, an empty one or one with no complete record; call once.
    // A rotated set (rotation.hpp: FILE.N.zst ... FILE.1.zst FILE) is opened
    // whole, oldest first, as one recording; every part of it must be JSON
    // lines (an empty part is skipped); a member that cannot be read (bad
    // zstd data, bad magic, a directory, missing from the sequence: see
    // recording_members) is skipped with one note, and the rest plays. Any part, or the file alone, may be
    // zstd-compressed (recognised by its magic number, not its name): it is
    // decompressed once into an unlinked temporary file, and a stream cut
    // short gives what it held up to the cut.
    // A line longer than `max_record` is indexed (its length says so) but
    // never read whole, and a decompressed part keeps only its first
    // `max_record` + 1 bytes: the disk and memory a line costs are bounded.
    Status open(const std::string& path, std::size_t max_record = std::numeric_limits<std::size_t>::max());

    RecordingFormat format() const { return format_; }
    // In file order; never empty after a successful open().
    const std::vector<RecordSpan>& records() const { return records_; }
    // Lines: the mean spacing of the recorded times (last minus first over
    // the gaps) when positive, else 1.0; the other shapes: 1.0.
    double mean_interval() const { return interval_; }

    // Reads one record's bytes into `out` (pread, retries EINTR); an error
    // if the file is shorter now.
    Status read_record(const RecordSpan& rec, ByteBuffer& out) const;
    // "PATH: cause".
    Status fail(const std::string& cause) const;
    std::size_t parts() const { return parts_.size(); }
    // The file of the set a record is in.
    const std::string& part_path(const RecordSpan& rec) const { return part_paths_[rec.part]; }
    // The largest line buffer indexing used (bounded by max_record + 1).
    std::size_t line_capacity() const { return line_capacity_; }
    // One line per member skipped or cut short by damage ("PATH: why; skipped").
    const std::vector<std::string>& notes() const { return notes_; }

private:
    Status open_part(const std::string& path, bool in_set);
    Status decompress();
    // Reads up to `n` bytes at `offset` of the part being opened into `out`
    // (resized to what was read: shorter only at the end of the file).
    Status read_at(uint64_t offset, std::size_t n, ByteBuffer& out) const;
    Status read_line(uint64_t offset, ByteBuffer& out);
    Status count_newlines(uint64_t end, uint64_t& count) const;
    Status index_lines(uint64_t start);
    Status index_documents(uint64_t start);

    std::string path_;
    int fd_ = -1;           // the part being opened
    uint64_t size_ = 0;     // its size
    std::vector<int> parts_;  // every part's descriptor, in set order
    std::vector<std::string> part_paths_;  // and its path
    std::size_t max_record_ = std::numeric_limits<std::size_t>::max();
    std::size_t line_capacity_ = 0;
    RecordingFormat format_ = RecordingFormat::Documents;
    std::vector<RecordSpan> records_;
    double interval_ = 1.0;
    std::vector<std::string> notes_;
    RecordLineReader lines_;  // for lines whose time needs a full read
};

}  // namespace uwsgitop::detail
