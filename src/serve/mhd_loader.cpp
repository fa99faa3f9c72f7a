// mhd_loader.cpp — dlopen libmicrohttpd when the exporter starts (see mhd_loader.hpp).
#include "uwsgitop/serve/mhd_loader.hpp"

#include <dlfcn.h>

#include <mutex>

#include "uwsgitop/base/dl_symbol.hpp"

namespace uwsgitop {

MhdApi load_mhd(std::initializer_list<const char*> names) {
    MhdApi api;
    void* lib = nullptr;
    std::string why;   // the first name's failure: later names are fallbacks
    for (const char* name : names) {
        lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
        if (lib) break;
        const char* e = dlerror();
        if (why.empty()) why = e ? e : std::string(name) + ": not found";
    }
    if (why.empty()) why = "no library name given";
    if (!lib) {
        api.error = "cannot load libmicrohttpd (" + why + ")";
        return api;
    }
    const char* missing = nullptr;
    auto need = [&](const char* name, auto& out) {
        if (!missing && !dl_symbol(lib, name, out)) missing = name;
    };
    need("MHD_start_daemon", api.start_daemon);
    need("MHD_stop_daemon", api.stop_daemon);
    need("MHD_is_feature_supported", api.is_feature_supported);
    need("MHD_lookup_connection_value", api.lookup_connection_value);
    need("MHD_create_response_from_buffer", api.create_response_from_buffer);
    need("MHD_create_response_from_buffer_with_free_callback_cls", api.create_response_from_shared_buffer);
    need("MHD_add_response_header", api.add_response_header);
    need("MHD_destroy_response", api.destroy_response);
    need("MHD_queue_response", api.queue_response);
    need("MHD_queue_basic_auth_fail_response", api.queue_basic_auth_fail_response);
    need("MHD_basic_auth_get_username_password", api.basic_auth_get_username_password);
    need("MHD_free", api.free);
    need("MHD_get_connection_info", api.get_connection_info);
    need("MHD_get_connection_values", api.get_connection_values);
    need("MHD_get_daemon_info", api.get_daemon_info);
    need("MHD_quiesce_daemon", api.quiesce_daemon);
    need("MHD_add_connection", api.add_connection);
    if (missing) {
        dlclose(lib);
        MhdApi none;
        none.error = std::string("the libmicrohttpd found lacks ") + missing;
        return none;
    }
    return api;   // the library stays loaded for the life of the process
}

const MhdApi& mhd_api() {
    static std::once_flag once;
    static MhdApi api;
    std::call_once(once, [] { api = load_mhd({"libmicrohttpd.so.12", "libmicrohttpd.so"}); });
    return api;
}

const GnutlsPeerApi& gnutls_peer_api() {
    static std::once_flag once;
    static GnutlsPeerApi api;
    std::call_once(once, [] {
        void* lib = dlopen("libgnutls.so.30", RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
        if (!lib) {
            api.error = "the GnuTLS of libmicrohttpd (libgnutls.so.30) is not loaded";
            return;
        }
        if (!dl_symbol(lib, "gnutls_certificate_get_peers", api.get_peers) ||
            !dl_symbol(lib, "gnutls_certificate_verify_peers", api.verify_peers)) {
            api = GnutlsPeerApi{};
            api.error = "libgnutls.so.30 lacks gnutls_certificate_verify_peers";
        }
    });
    return api;
}

}  // namespace uwsgitop
