// wake_fd.cpp — WakeFd on a non-blocking eventfd (see wake_fd.hpp).
#include "uwsgitop/base/wake_fd.hpp"

#include <sys/eventfd.h>

#include <cstdint>

namespace uwsgitop {

WakeFd::WakeFd() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

void WakeFd::signal() const {
    if (!ok()) return;
    const uint64_t one = 1;
    const ssize_t n = ::write(fd_.get(), &one, sizeof one);
    (void)n;  // EAGAIN: the counter is full, so the descriptor is readable anyway
}

void WakeFd::drain() const {
    if (!ok()) return;
    uint64_t count = 0;
    const ssize_t n = ::read(fd_.get(), &count, sizeof count);
    (void)n;  // EAGAIN: nothing was signalled
}

}  // namespace uwsgitop
