// resident_pages.hpp — how much of a range is in RAM (mincore), for the tests of page_release.hpp and its users.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace uwsgitop::testing {

// The number of resident pages among those lying wholly inside [p, p + bytes).
inline std::size_t resident_pages(const void* p, std::size_t bytes) {
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto begin = reinterpret_cast<std::uintptr_t>(p);
    const std::uintptr_t first = (begin + page - 1) / page * page;
    const std::uintptr_t last = (begin + bytes) / page * page;
    if (p == nullptr || last <= first) return 0;
    std::vector<unsigned char> in((last - first) / page);
    if (::mincore(reinterpret_cast<void*>(first), last - first, in.data()) != 0) return 0;
    std::size_t n = 0;
    for (unsigned char c : in) n += c & 1;
    return n;
}

}  // namespace uwsgitop::testing
