// recording.hpp — the --record file format.
//
// JSON Lines: one object per snapshot, appended and flushed as each is read,
// keys always in this order:
//   {"t":1795547029.205,"address":"127.0.0.1:9191","stats":{...the document...}}
// `t` is the wall-clock time of the read (seconds since the epoch, ms
// precision). When the server's bytes are valid JSON they are embedded as
// "stats" (newlines between tokens turned into spaces, nothing else changed),
// so `jq .stats.workers[].requests FILE` works. When they are not (uWSGI 2.0.x
// does not escape strings; a cwd with a quote breaks JSON), they are kept
// byte-exact as "b64":"<base64 of the bytes>" in place of "stats". Readers
// accept both. A file cut short (Ctrl-C, full disk) stays readable up to its
// last complete line; an incomplete last line is ignored.
//
// Rotation (--record-max-size, --record-keep): before a line would take FILE
// past `max_bytes`, FILE becomes FILE.1.zst (zstd through libzstd; the older
// ones move up to FILE.KEEP.zst, the one past it is removed) and a new FILE
// is started, so every snapshot is in exactly one file and no file is ever
// left half-written (the steps, and what a crash leaves, in
// src/source/rotation.hpp). A FILE is never empty after a rotation and holds
// at most `max_bytes` unless one line alone is larger. Compression runs in
// the thread that appends (about 10 ms per MiB at level 3). A rotation that
// fails (disk full) is reported and the line is appended to FILE anyway:
// nothing is lost, FILE grows past the limit, the next append tries again.
// A name the rotation must write or replace that is not a regular file (a
// directory at FILE.2.zst) fails safe instead: open() refuses, and an append
// that would need the rotation is refused with that name, FILE not written.
// FILE itself must be a regular file (or new): a FIFO, a device or a
// directory is refused by open(), so a FIFO with no reader never blocks.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "uwsgitop/source/frame.hpp"
#include "uwsgitop/base/status.hpp"

namespace uwsgitop {

struct RecordRotation {
    uint64_t max_bytes = 0;  // 0: no rotation
    int keep = 5;            // rotated files kept (FILE.1.zst ... FILE.KEEP.zst); 0: none
};

class RecordWriter {
public:
    RecordWriter() = default;
    ~RecordWriter();
    RecordWriter(const RecordWriter&) = delete;
    RecordWriter& operator=(const RecordWriter&) = delete;

    // Opens (creates or appends to) `path`, a regular file; a clear error if
    // it cannot or it is not one.
    // With rotation, first finishes a rotation an earlier run left half done.
    Status open(const std::string& path, const RecordRotation& rotation = {});
    // Appends one snapshot line and flushes it. `valid_json` says whether the
    // frame's bytes are strict JSON (the parser knows; see Snapshot::repaired).
    Status append(const Frame& frame, const std::string& address, bool valid_json);
    bool is_open() const { return file_ != nullptr; }
    // Rotations done since open() (for tests and the bench).
    uint64_t rotations() const { return rotations_; }

private:
    Status open_file();
    Status rotate();

    std::FILE* file_ = nullptr;
    std::string path_;
    RecordRotation rotation_;
    uint64_t size_ = 0;          // bytes in FILE
    uint64_t rotations_ = 0;
    std::string line_;  // reused
    bool need_newline_ = false;  // the file ends mid-line (cut short, failed write)
};

}  // namespace uwsgitop
