// unique_fd.hpp — one owned file descriptor, closed when its owner goes.
//
// UniqueFd holds -1 or a descriptor it closes on reset() or destruction;
// release() hands the descriptor over without closing it. Not copyable and
// not movable: an owner that must hand one on calls release().
#pragma once

#include <unistd.h>

namespace uwsgitop {

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return fd_; }
    // Closes what it held (if anything, and if not `fd` itself) and holds `fd` instead.
    void reset(int fd = -1) {
        if (fd_ >= 0 && fd_ != fd) ::close(fd_);
        fd_ = fd;
    }
    int release() {
        const int f = fd_;
        fd_ = -1;
        return f;
    }

private:
    int fd_ = -1;
};

}  // namespace uwsgitop
