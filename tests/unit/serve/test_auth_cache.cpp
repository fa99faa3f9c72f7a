// test_auth_cache.cpp — remembered basic-auth successes: what is known, what
// is forgotten, and that no password is kept.
#include <doctest/doctest.h>

#include <string>

#include "uwsgitop/serve/auth_cache.hpp"

using namespace uwsgitop;

TEST_CASE("AuthCache: a remembered user and password are known; anything else is not") {
    AuthCache cache;
    CHECK_FALSE(cache.known("prom", "pa55word"));
    cache.remember("prom", "pa55word");
    CHECK(cache.known("prom", "pa55word"));
    CHECK_FALSE(cache.known("prom", "pa55word "));
    CHECK_FALSE(cache.known("prom", ""));
    CHECK_FALSE(cache.known("prom2", "pa55word"));
    CHECK_FALSE(cache.known("pro", "mpa55word"));   // the user and password stay apart
    cache.clear();
    CHECK_FALSE(cache.known("prom", "pa55word"));
}

namespace {

std::string user(std::size_t i) {
    std::string u = "u";
    u += std::to_string(i);
    return u;
}

}  // namespace

TEST_CASE("AuthCache: at most kEntries, the oldest forgotten first") {
    AuthCache cache;
    for (std::size_t i = 0; i <= AuthCache::kEntries; ++i) cache.remember(user(i), "p");
    CHECK_FALSE(cache.known(user(0), "p"));
    CHECK(cache.known(user(1), "p"));
    CHECK(cache.known(user(AuthCache::kEntries), "p"));
}
