// node_kind.cpp — a node's kind in words (see node_kind.hpp).
#include "uwsgitop/base/node_kind.hpp"

namespace uwsgitop {

const char* node_kind(const struct stat& st) {
    if (S_ISSOCK(st.st_mode)) return "a socket";
    if (S_ISFIFO(st.st_mode)) return "a FIFO";
    if (S_ISLNK(st.st_mode)) return "a symbolic link";
    if (S_ISCHR(st.st_mode)) return "a character device";
    if (S_ISBLK(st.st_mode)) return "a block device";
    if (S_ISDIR(st.st_mode)) return "a directory";
    if (S_ISREG(st.st_mode)) return "a regular file";
    return "another kind of node";
}

}  // namespace uwsgitop
