// page_release.hpp — giving the pages of a reused but idle buffer back to the
// kernel without giving up the allocation.
//
// The buffers of a refresh (the 4 MB read buffer, the core table being
// filled) are kept allocated between refreshes so a steady refresh allocates
// nothing; between two refreshes a second apart their contents are dead, yet
// their pages stay resident. release_pages() drops the pages lying wholly
// inside [p, p + bytes) (madvise MADV_DONTNEED on the page-aligned interior):
// the allocation and its bookkeeping are untouched, the dropped bytes read as
// zeros afterwards, and a page counts against RSS again only once it is
// written. Ranges smaller than kReleaseAtLeast are left alone (the system
// call would cost more than the pages). Never fails: on an error nothing is
// released.
#pragma once

#include <cstddef>
#include <type_traits>
#include <vector>

namespace uwsgitop {

inline constexpr std::size_t kReleaseAtLeast = 64 * 1024;

// Returns the number of bytes given back (0 if none).
std::size_t release_pages(void* p, std::size_t bytes) noexcept;

// Empties `v` and gives the pages of its whole capacity back; the capacity
// stays, so the next fill reuses the allocation (faulting pages in as it
// writes them). For element types whose destruction does nothing.
template <class T, class A>
std::size_t release_contents(std::vector<T, A>& v) noexcept {
    static_assert(std::is_trivially_destructible_v<T>, "release_contents: elements must need no destructor");
    v.clear();
    return release_pages(v.data(), v.capacity() * sizeof(T));
}

}  // namespace uwsgitop
