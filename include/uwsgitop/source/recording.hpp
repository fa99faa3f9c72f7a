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
#pragma once

#include <cstdio>
#include <string>

#include "uwsgitop/source/frame.hpp"
#include "uwsgitop/base/status.hpp"

namespace uwsgitop {

class RecordWriter {
public:
    RecordWriter() = default;
    ~RecordWriter();
    RecordWriter(const RecordWriter&) = delete;
    RecordWriter& operator=(const RecordWriter&) = delete;

    // Opens (creates or appends to) `path`; a clear error if it cannot.
    Status open(const std::string& path);
    // Appends one snapshot line and flushes it. `valid_json` says whether the
    // frame's bytes are strict JSON (the parser knows; see Snapshot::repaired).
    Status append(const Frame& frame, const std::string& address, bool valid_json);
    bool is_open() const { return file_ != nullptr; }

private:
    std::FILE* file_ = nullptr;
    std::string path_;
    std::string line_;  // reused
    bool need_newline_ = false;  // the file ends mid-line (cut short, failed write)
};

}  // namespace uwsgitop
