// auth_cache.hpp — basic-auth credentials that passed their bcrypt check
// recently, so a client sending the same user and password on every scrape
// (Prometheus) costs one bcrypt, not one per request: forty scrapes at once
// with cost-10 hashes kept both cores busy for seconds and made Prometheus'
// own scrape miss its timeout (exporter-toolkit caches the same way).
//
// Contract: known() is true for a user and password remember()ed since the
// last clear() (and among the last kEntries remembered). Only successes are
// remembered, so a wrong password always costs a whole bcrypt, as an
// unknown user does. The password is never kept: an entry is a SHA-512
// crypt ($6$, 1000 rounds, a fraction of a millisecond) of the user and
// password under a salt made at random for this cache. Thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

namespace uwsgitop {

class AuthCache {
public:
    static constexpr std::size_t kEntries = 64;

    AuthCache();
    bool known(std::string_view user, std::string_view password) const;
    void remember(std::string_view user, std::string_view password);
    void clear();   // the users changed (a reload)

private:
    std::string key(std::string_view user, std::string_view password) const;   // "" when crypt fails

    std::string salt_;
    mutable std::mutex mutex_;
    std::deque<std::string> order_;   // oldest first
    std::unordered_set<std::string> keys_;
};

}  // namespace uwsgitop
