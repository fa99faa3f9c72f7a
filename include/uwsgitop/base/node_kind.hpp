// node_kind.hpp — what kind of file-system node a stat() describes, in words
// for a refusal ("a regular file", "a FIFO", ...).
#pragma once

#include <sys/stat.h>

namespace uwsgitop {

const char* node_kind(const struct stat& st);

}  // namespace uwsgitop
