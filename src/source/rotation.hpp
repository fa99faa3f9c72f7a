// rotation.hpp — the files of a rotated recording and the steps of a rotation (private, for recording.cpp and the replay).
//
// A recording FILE written with --record-max-size is a set, oldest first:
//   FILE.N.zst ... FILE.2.zst FILE.1.zst [FILE.0] FILE
// FILE is the one being appended to; FILE.K.zst are zstd frames of earlier
// FILEs (FILE.K without .zst is read too: a set decompressed by hand).
// FILE.0 exists only during a rotation: FILE is renamed to it (atomic), a
// new FILE is started, FILE.0 is compressed to FILE.1.zst.tmp, the older
// ones move up (FILE.KEEP.zst dropped), the temporary file is renamed to
// FILE.1.zst (atomic) and FILE.0 is removed. Whatever instant a crash
// falls on, every snapshot is in a complete file; the only overlap is a
// FILE.0 whose FILE.1.zst already exists, and that one is recognised (the
// frame's recorded content size, which the compressor pledges, then the
// bytes themselves) and skipped by the reader, removed by the next writer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "uwsgitop/base/status.hpp"

namespace uwsgitop::detail {

// "FILE.K.zst" (k >= 1); "FILE.0" for k == 0.
std::string rotated_name(const std::string& path, int k);

// True when the zstd file `zst` decompresses to exactly the bytes of
// `plain` (the copy of a FILE.0 was completed). Reads the frame header
// first: a different recorded size answers without decompressing.
bool zstd_holds_copy(const std::string& zst, const std::string& plain);

// Compresses `src` into `dst` (created 0600 or truncated, fsynced) with
// libzstd, level `level`, the content size pledged in the frame header.
Status zstd_compress_file(const std::string& src, const std::string& dst, int level = 3);

// Finishes a rotation whose FILE.0 exists (see the top): compress, move the
// older files up keeping `keep` of them (0: FILE.0 is dropped), rename,
// remove FILE.0. Ok when there is no FILE.0. `fresh`: FILE.0 was just
// renamed by this writer, so it cannot be a copy already in FILE.1.zst
// (otherwise that is checked first: an interrupted rotation).
Status finish_rotation(const std::string& path, int keep, bool fresh);

// Why the recorder cannot rotate `path` keeping `keep` files: one of the
// names a rotation writes or replaces (FILE.0, FILE.1.zst.tmp, FILE.K.zst up
// to KEEP) exists and is not a regular file (a directory, a FIFO). Ok
// otherwise. The message names that file: "--record rotation: NAME: is a
// directory, not a file of the set".
Status rotation_blocked(const std::string& path, int keep);

// One member of a set to replay: its path, and `problem` when it is not
// read (why: "missing (a gap in the rotated set)", "is a directory", "not a
// regular file"); empty when it is to be read.
struct SetMember {
    std::string path;
    std::string problem;
};

// The members to replay for `path`, oldest first: every FILE.K.zst (or
// FILE.K) from the highest K found in FILE's directory down to 1, a K that
// is missing or not a regular file given with its problem (a run of missing
// ones as one member "FILE.5.zst ... FILE.3.zst"); FILE.0 unless it is a
// finished copy; FILE if it exists. Just {path} when nothing was rotated.
std::vector<SetMember> recording_members(const std::string& path);

}  // namespace uwsgitop::detail
