// auth_cache.cpp — remembered basic-auth successes (see auth_cache.hpp).
#include "uwsgitop/serve/auth_cache.hpp"

#include <crypt.h>

#include <memory>

namespace uwsgitop {

AuthCache::AuthCache() {
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (crypt_gensalt_rn("$6$", 1000, nullptr, 0, salt, sizeof salt)) salt_ = salt;
}

std::string AuthCache::key(std::string_view user, std::string_view password) const {
    if (salt_.empty()) return {};
    std::string secret(user);
    secret += '\n';   // a user name has no newline in a web config... nor ':' (refused)
    secret.append(password);
    auto data = std::make_unique<crypt_data>();
    const char* h = crypt_rn(secret.c_str(), salt_.c_str(), data.get(), static_cast<int>(sizeof(crypt_data)));
    return h && h[0] != '*' ? std::string(h) : std::string();
}

bool AuthCache::known(std::string_view user, std::string_view password) const {
    const std::string k = key(user, password);
    if (k.empty()) return false;
    std::lock_guard<std::mutex> lock(mutex_);
    return keys_.count(k) != 0;
}

void AuthCache::remember(std::string_view user, std::string_view password) {
    std::string k = key(user, password);
    if (k.empty()) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (!keys_.insert(k).second) return;
    order_.push_back(std::move(k));
    if (order_.size() > kEntries) {
        keys_.erase(order_.front());
        order_.pop_front();
    }
}

void AuthCache::clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    order_.clear();
    keys_.clear();
}

}  // namespace uwsgitop
