// test_mhd_loader.cpp — libmicrohttpd is dlopened only when asked for, and a
// library that is missing or lacks an entry point gives one line naming it.
#include <doctest/doctest.h>

#include <dlfcn.h>

#include "uwsgitop/serve/mhd_loader.hpp"

using namespace uwsgitop;

namespace {

bool all_null(const MhdApi& a) {
    return !a.start_daemon && !a.stop_daemon && !a.is_feature_supported && !a.lookup_connection_value &&
           !a.create_response_from_buffer && !a.add_response_header && !a.destroy_response &&
           !a.queue_response && !a.queue_basic_auth_fail_response && !a.basic_auth_get_username_password &&
           !a.free;
}

}  // namespace

// First in the file (doctest runs a file's cases in order): nothing linked
// libmicrohttpd into this process, so it is absent until mhd_api() loads it.
TEST_CASE("libmicrohttpd is not in the process until mhd_api() loads it") {
    CHECK(dlopen("libmicrohttpd.so.12", RTLD_NOW | RTLD_NOLOAD) == nullptr);
    const MhdApi& api = mhd_api();
    REQUIRE(api.error.empty());
    CHECK(!all_null(api));
    CHECK((api.start_daemon && api.stop_daemon && api.free));
    CHECK(&mhd_api() == &api);   // loaded once
    void* again = dlopen("libmicrohttpd.so.12", RTLD_NOW | RTLD_NOLOAD);
    CHECK(again != nullptr);
    if (again) dlclose(again);
    CHECK(api.is_feature_supported(MHD_FEATURE_BASIC_AUTH) == MHD_YES);
}

TEST_CASE("a missing library: one line naming libmicrohttpd and the file, no entry points") {
    const MhdApi api = load_mhd({"libuwsgitop-no-such-mhd.so.12", "libuwsgitop-no-such-mhd.so"});
    CHECK(api.error.find("cannot load libmicrohttpd (libuwsgitop-no-such-mhd.so.12: ") == 0);
    CHECK(api.error.find('\n') == std::string::npos);
    CHECK(all_null(api));

    const MhdApi none = load_mhd({});
    CHECK(none.error.find("cannot load libmicrohttpd") == 0);
    CHECK(all_null(none));
}

TEST_CASE("a library without the entry points is refused by name") {
    const MhdApi api = load_mhd({"libuwsgitop-no-such-mhd.so", "libc.so.6"});
    CHECK(api.error == "the libmicrohttpd found lacks MHD_start_daemon");
    CHECK(all_null(api));
}
