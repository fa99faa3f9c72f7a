// Unit tests for page_release.hpp: the pages go, the allocation stays and works.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "uwsgitop/base/byte_buffer.hpp"
#include "uwsgitop/base/page_release.hpp"
#include "../resident_pages.hpp"

using namespace uwsgitop;

using uwsgitop::testing::resident_pages;

TEST_SUITE("page_release") {

TEST_CASE("release_contents drops the pages of a written buffer and keeps its capacity") {
    ByteBuffer buf;
    buf.resize(4 << 20);
    std::memset(buf.data(), 'x', buf.size());
    const std::size_t pages = resident_pages(buf.data(), buf.size());
    REQUIRE(pages > 1000);
    const char* data = buf.data();
    const std::size_t cap = buf.capacity();

    const std::size_t given = release_contents(buf);
    CHECK(given >= (4u << 20) - 2 * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)));
    CHECK(buf.empty());
    CHECK(buf.capacity() == cap);
    CHECK(buf.data() == data);
    CHECK(resident_pages(data, cap) == 0);

    // Refilled, it is the same allocation and holds what is written.
    buf.resize(1 << 20);
    CHECK(buf.data() == data);
    std::memset(buf.data(), 'y', buf.size());
    CHECK(buf[0] == 'y');
    CHECK(buf[buf.size() - 1] == 'y');
    CHECK(resident_pages(buf.data(), buf.size()) > 200);
}

TEST_CASE("release_pages leaves the bytes outside the page-aligned interior alone") {
    std::vector<char> v(1 << 20, 'a');
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    // A range starting 10 bytes into a page and ending 10 bytes before one.
    char* base = v.data() + (page - reinterpret_cast<std::uintptr_t>(v.data()) % page) + 10;
    const std::size_t len = 64 * page - 20;
    CHECK(release_pages(base, len) == 62 * page);
    // The partial first and last pages keep their bytes; the interior reads zero.
    CHECK(base[0] == 'a');
    CHECK(base[-10] == 'a');
    CHECK(base[len - 1] == 'a');
    CHECK(base[page] == 0);
    CHECK(base[len - page] == 0);
}

TEST_CASE("release_pages ignores small and empty ranges") {
    std::vector<char> v(kReleaseAtLeast - 1, 'b');
    CHECK(release_pages(v.data(), v.size()) == 0);
    CHECK(v[v.size() / 2] == 'b');
    CHECK(release_pages(nullptr, 1 << 20) == 0);
    std::vector<int> none;
    CHECK(release_contents(none) == 0);
}

}  // TEST_SUITE
