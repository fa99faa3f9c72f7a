// wake_fd.hpp — a descriptor one thread makes readable to wake another's
// poll()/epoll_wait() (an eventfd).
//
// signal() makes fd() readable (from any thread; async-signal-safe: one
// write()); drain() makes it unreadable again until the next signal(). A
// waiter drains BEFORE it looks at the state the signal announces, so a
// signal() that comes after the look is never lost (at worst one wake finds
// nothing new). ok() is false when the kernel refused the eventfd; then
// fd() is -1, signal() and drain() do nothing, and the waiter must not
// rely on being woken.
#pragma once

#include "uwsgitop/base/unique_fd.hpp"

namespace uwsgitop {

class WakeFd {
public:
    WakeFd();
    bool ok() const { return fd_.get() >= 0; }
    int fd() const { return fd_.get(); }
    void signal() const;
    void drain() const;

private:
    UniqueFd fd_;
};

}  // namespace uwsgitop
