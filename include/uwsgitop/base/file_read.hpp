// file_read.hpp — reading a whole small file, bounded by what is read.
//
// read_regular_file() opens PATH without blocking (O_NONBLOCK: a FIFO never
// waits for a writer; O_NOCTTY) and refuses what fstat() does not call a
// regular file, with one line: "PATH: is a directory", "PATH: not a regular
// file (a FIFO)" (a character device, a block device, a socket). It then reads
// at most `cap` + 1 bytes whatever the file claims to be (stat sizes are never
// trusted: a /proc file says 0): more than `cap` is "PATH: larger than CAP"
// and nothing is kept; a read error is "PATH: cannot read (CAUSE)"
// (/proc/self/mem: Input/output error), a failed open "PATH: cannot open
// (CAUSE)". On success `out` holds every byte of the file.
//
// read_stream() reads descriptor `fd` (standard input: a pipe, a FIFO, a
// file, a terminal) to its end, at most `cap` bytes, and gives up once
// `timeout_seconds` have passed in total: "NAME: no end within SECS s", "NAME:
// larger than CAP", "NAME: cannot read (CAUSE)". `name` is what the message
// calls it ("standard input"). The descriptor is left open and blocking.
//
// read_file_or_pipe() is read_regular_file() that also takes a FIFO or a
// socket (a shell's pipe as /dev/stdin or /dev/fd/N, `<(...)`), read as
// read_stream() does, within `timeout_seconds` (a FIFO with no writer ends
// in "PATH: no end within SECS s"); a directory or a device is still refused
// without reading.
//
// PATH and NAME are escaped for display in every message.
#pragma once

#include <cstddef>
#include <string>

#include "uwsgitop/base/status.hpp"

namespace uwsgitop {

Status read_regular_file(const std::string& path, std::size_t cap, std::string& out);
Status read_file_or_pipe(const std::string& path, std::size_t cap, double timeout_seconds, std::string& out);
Status read_stream(int fd, const std::string& name, std::size_t cap, double timeout_seconds, std::string& out);

// "1 MiB", "16 MiB", "1000 bytes": how a cap is named in the messages above.
std::string size_text(std::size_t bytes);

}  // namespace uwsgitop
