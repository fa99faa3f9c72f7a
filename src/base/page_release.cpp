// page_release.cpp — madvise(MADV_DONTNEED) on the page-aligned interior (see page_release.hpp).
#include "uwsgitop/base/page_release.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace uwsgitop {

std::size_t release_pages(void* p, std::size_t bytes) noexcept {
    if (p == nullptr || bytes < kReleaseAtLeast) return 0;
    static const std::uintptr_t page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const std::uintptr_t begin = reinterpret_cast<std::uintptr_t>(p);
    const std::uintptr_t first = (begin + page - 1) / page * page;
    const std::uintptr_t last = (begin + bytes) / page * page;
    if (last <= first) return 0;
    if (::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED) != 0) return 0;
    return last - first;
}

}  // namespace uwsgitop
