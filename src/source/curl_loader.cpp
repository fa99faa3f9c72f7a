// curl_loader.cpp — dlopen libcurl on first use (see curl_loader.hpp).
#include "curl_loader.hpp"

#include <dlfcn.h>

#include <mutex>

#include "uwsgitop/base/dl_symbol.hpp"

namespace uwsgitop {

namespace {

CurlApi load() {
    CurlApi api;
    void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("libcurl.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char* why = dlerror();
        api.error = std::string("cannot load libcurl (") + (why ? why : "not found") + ")";
        return api;
    }
    // The library stays loaded for the life of the process.
    const bool ok = dl_symbol(lib, "curl_global_init", api.global_init) &&
                    dl_symbol(lib, "curl_easy_init", api.easy_init) &&
                    dl_symbol(lib, "curl_easy_cleanup", api.easy_cleanup) &&
                    dl_symbol(lib, "curl_easy_setopt", api.easy_setopt) &&
                    dl_symbol(lib, "curl_easy_getinfo", api.easy_getinfo) &&
                    dl_symbol(lib, "curl_easy_perform", api.easy_perform) &&
                    dl_symbol(lib, "curl_easy_strerror", api.easy_strerror);
    if (!ok) {
        CurlApi missing;
        missing.error = "libcurl lacks an entry point uwsgitop needs";
        return missing;
    }
    if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        CurlApi failed;
        failed.error = "cannot initialise libcurl";
        return failed;
    }
    return api;
}

}  // namespace

const CurlApi& curl_api() {
    static std::once_flag once;
    static CurlApi api;
    std::call_once(once, [] { api = load(); });
    return api;
}

}  // namespace uwsgitop
