// byte_buffer.hpp — the growable byte buffer every reader fills.
//
// ByteBuffer is a std::vector<char> whose growth does not zero the new bytes:
// resize(n) to make room, let recv()/read() write into it, then resize down
// to what arrived. A plain vector<char> would memset the room on every grow,
// which for a 4 MB snapshot read in 256 KiB steps costs more than the copy
// the kernel does. Bytes past what was written are unspecified: read only
// what you wrote. Everything else (insert, assign, push_back, value
// construction) behaves as in std::vector.
#pragma once

#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace uwsgitop {

template <class T>
struct DefaultInitAllocator : std::allocator<T> {
    using value_type = T;
    template <class U>
    struct rebind {
        using other = DefaultInitAllocator<U>;
    };

    DefaultInitAllocator() noexcept = default;
    template <class U>
    DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}

    // Value-less construction (what resize() uses) default-initialises,
    // which for char leaves the byte as it is.
    template <class U>
    void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};

template <class T, class U>
bool operator==(const DefaultInitAllocator<T>&, const DefaultInitAllocator<U>&) noexcept {
    return true;
}

using ByteBuffer = std::vector<char, DefaultInitAllocator<char>>;

}  // namespace uwsgitop
